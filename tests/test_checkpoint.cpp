#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "synthgen/core/error.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/strict_weights.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;

namespace {

std::string save_sample(const testing::TempDir& dir, const torch::Tensor& tensor) {
  const std::string path = (dir / "a.ckpt").string();
  io::CheckpointMeta meta;
  meta.family = "dcgan";
  meta.config_yaml = "model:\n  family: dcgan\n";
  meta.step = 42;
  meta.version = "test";
  io::save_checkpoint(path, meta, [&](torch::serialize::OutputArchive& archive) { archive.write("payload", tensor); });
  return path;
}

}  // namespace

TEST_CASE("a checkpoint round trip keeps meta and tensors", "[io]") {
  testing::TempDir dir;
  const torch::Tensor tensor = torch::randn({3, 4});
  const std::string path = save_sample(dir, tensor);
  io::LoadedCheckpoint loaded = io::load_checkpoint(path);
  CHECK(loaded.meta.family == "dcgan");
  CHECK(loaded.meta.step == 42);
  CHECK(loaded.meta.version == "test");
  CHECK(loaded.meta.config_yaml == "model:\n  family: dcgan\n");
  torch::Tensor read;
  loaded.archive.read("payload", read);
  CHECK(torch::equal(read, tensor));
  // No temporary files are left beside it.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("damaged checkpoints are refused with the reason", "[io]") {
  testing::TempDir dir;
  const std::string path = save_sample(dir, torch::randn({64}));
  std::vector<std::uint8_t> bytes = io::read_file_bytes(path);

  SECTION("truncated") {
    const std::string cut = (dir / "cut.ckpt").string();
    io::write_file_atomic(cut, bytes.data(), bytes.size() / 2, false);
    CHECK_THROWS_WITH(io::load_checkpoint(cut), Catch::Contains("cut.ckpt") && Catch::Contains("incomplete"));
  }
  SECTION("a flipped byte") {
    bytes[bytes.size() / 3] ^= 0x5a;
    const std::string flipped = (dir / "flipped.ckpt").string();
    io::write_file_atomic(flipped, bytes.data(), bytes.size(), false);
    CHECK_THROWS_WITH(io::load_checkpoint(flipped), Catch::Contains("checksum"));
  }
  SECTION("not a checkpoint at all") {
    const std::string other = (dir / "notes.txt").string();
    const std::string text = "just some text, long enough to hold a footer's worth of bytes";
    io::write_file_atomic(other, text.data(), text.size(), false);
    CHECK_THROWS_AS(io::load_checkpoint(other), RuntimeError);
  }
  SECTION("missing") {
    CHECK_THROWS_WITH(io::load_checkpoint((dir / "none.ckpt").string()), Catch::Contains("none.ckpt"));
  }
}

TEST_CASE("a run folder resolves to its latest checkpoint", "[io]") {
  testing::TempDir dir;
  CHECK_THROWS_AS(io::resolve_checkpoint_path(dir.str()), UsageError);
  fs::create_directories(dir / "checkpoints");
  std::ofstream(dir / "checkpoints" / "latest.ckpt") << "x";
  CHECK(io::resolve_checkpoint_path(dir.str()) == (dir / "checkpoints" / "latest.ckpt").string());
  CHECK_THROWS_AS(io::resolve_checkpoint_path((dir / "nope.ckpt").string()), UsageError);
}

namespace {

// A small network with a child, a sequence, a buffer and a parameterless module: every kind of
// entry Module::save writes.
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl(int width, int blocks) {
    head = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, width, 3)));
    trunk = register_module("trunk", torch::nn::Sequential());
    for (int i = 0; i < blocks; ++i) trunk->push_back(torch::nn::Linear(width, width));
    trunk->push_back(torch::nn::ReLU());
    register_buffer("scale", torch::ones({width}));
  }
  torch::nn::Conv2d head{nullptr};
  torch::nn::Sequential trunk{nullptr};
};
TORCH_MODULE(TinyNet);

torch::serialize::InputArchive saved(const TinyNet& net) {
  torch::serialize::OutputArchive out;
  net->save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  std::istringstream stream(bytes.str());
  in.load_from(stream);
  return in;
}

}  // namespace

TEST_CASE("checkpoint weights load only into a network of the same names and shapes", "[io]") {
  torch::manual_seed(1);
  const TinyNet source(4, 2);
  auto in = saved(source);
  const io::TensorShapes stored = io::archive_tensor_shapes(in);
  io::TensorShapes sorted_stored = stored;
  io::TensorShapes sorted_expected = io::module_tensor_shapes(*source);
  std::sort(sorted_stored.begin(), sorted_stored.end());
  std::sort(sorted_expected.begin(), sorted_expected.end());
  CHECK(sorted_stored == sorted_expected);
  CHECK(stored.size() == 7);  // head weight and bias, two linear layers' weights and biases, the buffer
  CHECK(io::describe_tensor_mismatch(stored, stored).empty());

  SECTION("the same network loads, bit for bit") {
    TinyNet target(4, 2);
    auto archive = saved(source);
    io::load_weights_strict(*target, archive, "test");
    for (const auto& item : source->named_parameters()) {
      CHECK(torch::equal(item.value(), target->named_parameters()[item.key()]));
    }
  }
  SECTION("a shallower network is refused: the stored block it has no place for is named") {
    TinyNet target(4, 1);
    auto archive = saved(source);
    CHECK_THROWS_AS(io::load_weights_strict(*target, archive, "test"), UsageError);
    auto again = saved(source);
    CHECK_THROWS_WITH(io::load_weights_strict(*target, again, "the part"),
                      Catch::StartsWith("the part: 2 stored tensors this model has no place for: trunk.1.weight "
                                        "[4, 4], trunk.1.bias [4]"));
  }
  SECTION("a deeper or wider network is refused, naming what is missing or reshaped; it keeps its weights") {
    TinyNet deeper(4, 3);
    const torch::Tensor before = deeper->trunk[2]->as<torch::nn::Linear>()->weight.clone();
    auto archive = saved(source);
    CHECK_THROWS_WITH(io::load_weights_strict(*deeper, archive, "x"),
                      Catch::Contains("2 tensors expected but not stored: trunk.2.weight [4, 4], trunk.2.bias [4]"));
    CHECK(torch::equal(deeper->trunk[2]->as<torch::nn::Linear>()->weight, before));
    TinyNet wider(5, 2);
    auto again = saved(source);
    CHECK_THROWS_WITH(io::load_weights_strict(*wider, again, "x"),
                      Catch::Contains("7 tensors of another shape: ") &&
                          Catch::Contains("head.weight (stored [4, 3, 3, 3], expected [5, 3, 3, 3])") &&
                          Catch::Contains("and 4 more"));
  }
}
