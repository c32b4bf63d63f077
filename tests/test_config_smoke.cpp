// Every shipped config trains for 2 steps and makes its kind of output, as a CI user runs it: only
// `--set train.steps=2` and a data path, on tiny data that the test makes in the config's layout.
// One ctest test per file under configs/ (tests/CMakeLists.txt), labelled slow.
#include <fmt/format.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "synthgen/config/load.h"
#include "synthgen/families/registry.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;

namespace {

// The first `count` records of one of Debian's gzipped Fashion-MNIST IDX files, gzipped again
// with the count in the header changed: real images at a smoke test's size.
void write_idx_head(const std::string& from, const std::string& to, int header_bytes, int record_bytes, int count) {
  gzFile in = gzopen(from.c_str(), "rb");
  REQUIRE(in != nullptr);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(header_bytes + record_bytes * count));
  const int read = gzread(in, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(in);
  REQUIRE(read == static_cast<int>(bytes.size()));
  for (int i = 0; i < 4; ++i)
    bytes[static_cast<std::size_t>(4 + i)] = static_cast<unsigned char>(count >> (8 * (3 - i)));
  gzFile out = gzopen(to.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
}

void write_tiny_fashion_mnist(const fs::path& folder) {
  fs::create_directories(folder);
  const std::string debian = "/usr/share/datasets/fashion-mnist/";
  for (const auto& [prefix, count] : {std::pair<std::string, int>{"train", 256}, {"t10k", 64}}) {
    write_idx_head(debian + prefix + "-images-idx3-ubyte.gz", (folder / (prefix + "-images-idx3-ubyte.gz")).string(),
                   16, 28 * 28, count);
    write_idx_head(debian + prefix + "-labels-idx1-ubyte.gz", (folder / (prefix + "-labels-idx1-ubyte.gz")).string(), 8,
                   1, count);
  }
}

void write_pngs(const fs::path& folder, int count, int side, int channels, int salt) {
  for (int i = 0; i < count; ++i) {
    testing::write_test_png(folder / fmt::format("{:03d}.png", i), side, side, channels,
                            static_cast<std::uint64_t>(salt * 100 + i));
  }
}

// Data in the layout data.source expects, at a size the config accepts; returns data.path.
fs::path make_data(const Config& config, const fs::path& root) {
  const DataConfig& data = config.data;
  const int side = std::max(data.image_size, data.load_size);
  const fs::path path = root / "data";
  if (data.source == "fashion-mnist") {
    write_tiny_fashion_mnist(path);
  } else if (data.source == "folder") {
    write_pngs(path, 16, side + 8, data.channels, 1);
  } else if (data.source == "patches") {
    write_pngs(path, 2, side + 16, data.channels, 2);
  } else if (data.source == "paired") {
    write_pngs(path / "A", 4, side, data.channels, 3);
    write_pngs(path / "B", 4, side, data.channels, 4);
  } else if (data.source == "unpaired") {
    write_pngs(path / "trainA", 4, side, data.channels, 5);
    write_pngs(path / "trainB", 4, side, data.channels, 6);
  } else {
    FAIL("no smoke data for data.source " << data.source);
  }
  return path;
}

std::size_t count_files(const fs::path& folder, const std::string& extension) {
  std::size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().extension() == extension) ++count;
  }
  return count;
}

testing::CommandResult run(const std::string& arguments) {
  const testing::CommandResult result = testing::run_command(testing::synthgen_binary() + " " + arguments);
  INFO(arguments << "\n" << result.output);
  REQUIRE(result.exit_code == 0);
  return result;
}

// Uses the trained run the way its family's checkpoints are used, and checks what comes out.
void use_run(const Config& config, const fs::path& run_dir, const fs::path& data, const fs::path& out) {
  const ModelFamily& family = find_model_family(config.model.family);
  const std::string checkpoint = testing::quoted(run_dir);
  if (family.make_image_generator) {
    const std::string steps = family.kind == FamilyKind::kDiffusion ? " --steps 2" : "";
    run(fmt::format("sample --checkpoint {} --num 3 --out {}{}", checkpoint, testing::quoted(out), steps));
    CHECK(count_files(out, ".png") == 3);
    CHECK(testing::read_lines(out / "manifest.csv").size() == 4);
  } else if (family.make_translator) {
    const fs::path input = data / (config.data.source == "paired" ? "A" : "trainA");
    run(fmt::format("translate --checkpoint {} --input {} --out {}", checkpoint, testing::quoted(input),
                    testing::quoted(out)));
    CHECK(count_files(out, ".png") == 4);
  } else if (family.kind == FamilyKind::kSuperResolution) {
    run(fmt::format("upscale --checkpoint {} --input {} --out {}", checkpoint, testing::quoted(data / "000.png"),
                    testing::quoted(out)));
    CHECK(count_files(out, ".png") == 1);
  } else if (family.kind == FamilyKind::kClassifier) {
    const testing::CommandResult result = run(fmt::format(
        "eval --real fashion-mnist:test --num 200 --features classifier:{} --metrics accuracy", checkpoint));
    CHECK_THAT(result.output, Catch::Contains("accuracy"));
  } else {
    FAIL("no smoke use for family " << family.name);
  }
}

}  // namespace

TEST_CASE("every shipped config trains for 2 steps and makes its output", "[.][config-smoke]") {
  const fs::path configs = fs::path(SYNTHGEN_SOURCE_DIR) / "configs";
  for (const auto& entry : fs::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    DYNAMIC_SECTION(entry.path().stem().string()) {
      testing::TempDir dir;
      // The config as shipped, with a placeholder path: only to see which data it wants.
      const Config config = load_config(entry.path().string(), {"data.path=" + dir.str()});
      const fs::path data = make_data(config, dir.path());
      const fs::path run_dir = dir / "run";
      run(fmt::format("train --config {} --set train.steps=2 --set data.path={} --out {}",
                      testing::quoted(entry.path()), testing::quoted(data), testing::quoted(run_dir)));
      CHECK(fs::exists(run_dir / "checkpoints" / "latest.ckpt"));
      use_run(config, run_dir, data, dir / "out");
    }
  }
}
