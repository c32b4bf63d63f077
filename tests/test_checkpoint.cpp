#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "synthgen/core/error.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
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
  io::save_checkpoint(path, meta, [&](torch::serialize::OutputArchive& archive) {
    archive.write("payload", tensor);
  });
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
