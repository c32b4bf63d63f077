#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/npy.h"
#include "test_support.h"

using Catch::Contains;
using synthgen::RuntimeError;
using synthgen::io::read_file_bytes;
using synthgen::io::read_npy;
using synthgen::io::write_npy;
using synthgen::testing::TempDir;
using synthgen::testing::write_bytes;

namespace {

std::string numpy_file(const std::string& name) { return std::string(SYNTHGEN_FIXTURE_DIR) + "/npy/" + name; }

bool same_tensor(const torch::Tensor& a, const torch::Tensor& b) {
  return a.scalar_type() == b.scalar_type() && a.sizes() == b.sizes() && torch::equal(a, b);
}

// A tensor of `type` and `shape` with varied values, negative ones where the type allows.
torch::Tensor sample_tensor(torch::ScalarType type, std::vector<std::int64_t> shape) {
  const torch::Tensor base = torch::arange(1, 1 + torch::ones(shape).numel(), torch::kFloat64);
  switch (type) {
    case torch::kUInt8:
      return (base * 37).remainder(256).to(type).reshape(shape);
    case torch::kInt32:
    case torch::kInt64:
      return (base * -1234567).to(type).reshape(shape);
    default:
      return (base / 7.0 - 0.3).to(type).reshape(shape);
  }
}

}  // namespace

TEST_CASE("read_npy reads each supported dtype numpy wrote, rank 0 to 3", "[npy]") {
  const torch::Tensor f4 = read_npy(numpy_file("f4_2x3.npy"));
  CHECK(same_tensor(f4, torch::arange(6, torch::kFloat32).reshape({2, 3}) * 0.5 - 1.0));

  const torch::Tensor scalar = read_npy(numpy_file("f8_rank0.npy"));
  CHECK(scalar.dim() == 0);
  CHECK(scalar.scalar_type() == torch::kFloat64);
  CHECK(scalar.item<double>() == 3.25);

  CHECK(same_tensor(read_npy(numpy_file("u1_4.npy")), torch::tensor({0, 7, 128, 255}, torch::kUInt8)));
  CHECK(same_tensor(read_npy(numpy_file("i4_2x2x2.npy")),
                    torch::tensor({INT32_MIN, -1, 0, 1, 2, 3, 4, INT32_MAX}, torch::kInt32).reshape({2, 2, 2})));
  const std::int64_t big = std::int64_t{1} << 62;
  CHECK(same_tensor(read_npy(numpy_file("i8_3.npy")), torch::tensor({-big, std::int64_t{0}, big + 5}, torch::kInt64)));
  CHECK(same_tensor(read_npy(numpy_file("f8_1x1x1.npy")), torch::full({1, 1, 1}, -0.1, torch::kFloat64)));
  const torch::Tensor empty = read_npy(numpy_file("f4_0x3.npy"));
  CHECK(empty.sizes() == torch::IntArrayRef({0, 3}));
  CHECK(empty.scalar_type() == torch::kFloat32);
}

TEST_CASE("read_npy reads format versions 2.0 and 3.0", "[npy]") {
  const torch::Tensor expected = torch::arange(4, torch::kFloat64).reshape({2, 2}) + 0.5;
  CHECK(same_tensor(read_npy(numpy_file("f8_v2.npy")), expected));
  CHECK(same_tensor(read_npy(numpy_file("f8_v3.npy")), expected));
}

TEST_CASE("write_npy writes the same bytes as numpy.save", "[npy]") {
  TempDir dir;
  for (const char* name :
       {"f4_2x3.npy", "f8_rank0.npy", "u1_4.npy", "i4_2x2x2.npy", "i8_3.npy", "f4_0x3.npy", "f8_1x1x1.npy"}) {
    INFO(name);
    const std::string copy = (dir / name).string();
    write_npy(copy, read_npy(numpy_file(name)));
    CHECK(read_file_bytes(copy) == read_file_bytes(numpy_file(name)));
  }
}

TEST_CASE("write_npy then read_npy round-trips each dtype at rank 0 to 3", "[npy]") {
  TempDir dir;
  const std::vector<std::vector<std::int64_t>> shapes = {{}, {5}, {2, 3}, {2, 3, 4}, {0, 4}};
  for (torch::ScalarType type : {torch::kFloat32, torch::kFloat64, torch::kUInt8, torch::kInt32, torch::kInt64}) {
    for (const auto& shape : shapes) {
      INFO(c10::toString(type) << " rank " << shape.size());
      const torch::Tensor tensor = sample_tensor(type, shape);
      const std::string path = (dir / "tensor.npy").string();
      write_npy(path, tensor);
      CHECK(same_tensor(read_npy(path), tensor));
      // The data starts at a multiple of 64 bytes, as numpy aligns it.
      const auto bytes = read_file_bytes(path);
      CHECK((bytes.size() - tensor.numel() * tensor.element_size()) % 64 == 0);
    }
  }
}

TEST_CASE("write_npy stores a non-contiguous tensor in C order", "[npy]") {
  TempDir dir;
  const torch::Tensor transposed = torch::arange(12, torch::kFloat64).reshape({3, 4}).t();
  const std::string path = (dir / "t.npy").string();
  write_npy(path, transposed);
  CHECK(same_tensor(read_npy(path), transposed.contiguous()));
}

TEST_CASE("write_npy refuses dtypes numpy files here do not carry", "[npy]") {
  TempDir dir;
  CHECK_THROWS_AS(write_npy((dir / "b.npy").string(), torch::ones({2}, torch::kBool)), RuntimeError);
  CHECK_THROWS_WITH(write_npy((dir / "h.npy").string(), torch::ones({2}, torch::kHalf)),
                    Contains("h.npy") && Contains("unsupported dtype"));
}

TEST_CASE("read_npy refuses Fortran order and unsupported dtypes, naming them", "[npy]") {
  CHECK_THROWS_WITH(read_npy(numpy_file("fortran.npy")), Contains("fortran.npy") && Contains("fortran_order True"));
  CHECK_THROWS_WITH(read_npy(numpy_file("big_endian.npy")), Contains("big_endian.npy") &&
                                                                Contains("unsupported dtype '>f8'") &&
                                                                Contains("float32/float64/uint8/int32/int64"));
  CHECK_THROWS_WITH(read_npy(numpy_file("bool.npy")), Contains("unsupported dtype '|b1'"));
}

TEST_CASE("read_npy reports a truncated file with the expected and found data sizes", "[npy]") {
  TempDir dir;
  auto bytes = read_file_bytes(numpy_file("f4_2x3.npy"));
  bytes.resize(bytes.size() - 5);
  const std::string cut = dir.file("cut.npy");
  write_bytes(cut, bytes);
  CHECK_THROWS_WITH(read_npy(cut),
                    Contains("cut.npy") && Contains("truncated") && Contains("expected 24 bytes of data, found 19"));

  bytes.resize(30);  // inside the header
  write_bytes(cut, bytes);
  CHECK_THROWS_WITH(read_npy(cut), Contains("cut.npy") && Contains("truncated"));
}

TEST_CASE("read_npy refuses files that are not npy files", "[npy]") {
  TempDir dir;
  const std::string text = dir.file("text.npy");
  write_bytes(text, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'});
  CHECK_THROWS_WITH(read_npy(text), Contains("text.npy") && Contains("not an npy file"));

  const std::string tiny = dir.file("tiny.npy");
  write_bytes(tiny, {0x93, 'N'});
  CHECK_THROWS_WITH(read_npy(tiny), Contains("not an npy file"));

  CHECK_THROWS_WITH(read_npy((dir / "missing.npy").string()), Contains("cannot read") && Contains("missing.npy"));

  // A good magic with a broken header dict.
  auto bytes = read_file_bytes(numpy_file("u1_4.npy"));
  const std::string header(bytes.begin() + 10, bytes.begin() + 20);
  REQUIRE(header == "{'descr': ");
  bytes[11] = 'X';
  const std::string broken = dir.file("broken.npy");
  write_bytes(broken, bytes);
  CHECK_THROWS_WITH(read_npy(broken), Contains("broken.npy") && Contains("malformed npy header"));
}
