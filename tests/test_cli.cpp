// End-to-end tests of the synthgen binary: exit codes, messages, train then sample.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "synthgen/config/load.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;

TEST_CASE("synthgen --version and --help", "[cli]") {
  const auto version = testing::run_command(testing::synthgen_binary() + " --version");
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.output, Catch::Contains("LibTorch") && Catch::Contains("CUDA"));
  const auto help = testing::run_command(testing::synthgen_binary() + " --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Catch::Contains("train") && Catch::Contains("sample"));
  const auto none = testing::run_command(testing::synthgen_binary());
  CHECK(none.exit_code == 2);
  const auto unknown = testing::run_command(testing::synthgen_binary() + " dream");
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("config errors exit with 2 and one clear line each", "[cli]") {
  testing::TempDir dir;
  const fs::path config = dir / "bad.yaml";
  std::ofstream(config) << "model:\n  family: dcgan\ntrain:\n  setps: 10\n";
  const auto result = testing::run_command(testing::synthgen_binary() + " train --config " + testing::quoted(config));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output,
             Catch::Contains("bad.yaml:4") && Catch::Contains("train.setps") && Catch::Contains("train.steps"));
  const auto override_result =
      testing::run_command(testing::synthgen_binary() + " train --config " SYNTHGEN_SOURCE_DIR
                                                        "/configs/dcgan_fashion.yaml --set train.lr=-1 --print-config");
  CHECK(override_result.exit_code == 2);
  CHECK_THAT(override_result.output, Catch::Contains("train.lr"));
  const auto missing =
      testing::run_command(testing::synthgen_binary() + " train --config " + testing::quoted(dir / "none.yaml"));
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Catch::Contains("none.yaml"));
}

TEST_CASE("train 30 steps on a tiny folder, then sample a data set", "[cli][slow]") {
  testing::TempDir dir;
  // Paths with spaces and non-ASCII characters throughout: folders, class names, outputs.
  for (int i = 0; i < 20; ++i) {
    testing::write_test_png(dir / "imäges in" / (i < 10 ? "class a" : "klasse ü") / fmt::format("bild {}.png", i), 16,
                            16, 3, i);
  }
  Config config = testing::tiny_config((dir / "imäges in").string());
  const std::string text = dump_config(config);
  io::write_file_atomic((dir / "tiny.yaml").string(), text.data(), text.size(), false);

  const std::string binary = testing::synthgen_binary();
  const auto train =
      testing::run_command(binary + " train --config " + testing::quoted(dir / "tiny.yaml") +
                           " --set train.steps=30 --set train.log_every=10 --out " + testing::quoted(dir / "rün 1"));
  INFO(train.output);
  REQUIRE(train.exit_code == 0);
  CHECK_THAT(train.output, Catch::Contains("step 30/30"));
  CHECK(fs::exists(dir / "rün 1" / "checkpoints" / "latest.ckpt"));
  CHECK(testing::read_lines(dir / "rün 1" / "labels.txt") == std::vector<std::string>{"class a", "klasse ü"});

  const auto sample = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "rün 1") +
                                           " --num 16 --batch 5 --seed 3 --out " + testing::quoted(dir / "sät out"));
  INFO(sample.output);
  REQUIRE(sample.exit_code == 0);
  const std::vector<std::string> manifest = testing::read_lines(dir / "sät out" / "manifest.csv");
  REQUIRE(manifest.size() == 17);
  CHECK(manifest[0] == "file,seed");
  CHECK(manifest[1] == "000000.png,3");
  CHECK(manifest[16] == "000015.png,18");
  int pngs = 0;
  for (const auto& entry : fs::directory_iterator(dir / "sät out")) pngs += entry.path().extension() == ".png";
  CHECK(pngs == 16);

  SECTION("same checkpoint and seed give byte-identical files, whatever the batch size") {
    const auto again = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "rün 1") +
                                            " --num 16 --batch 16 --seed 3 --out " + testing::quoted(dir / "again"));
    REQUIRE(again.exit_code == 0);
    for (int i = 0; i < 16; ++i) {
      const std::string name = fmt::format("{:06d}.png", i);
      CHECK(io::read_file_bytes((dir / "sät out" / name).string()) ==
            io::read_file_bytes((dir / "again" / name).string()));
    }
  }
  SECTION("--grid writes one image") {
    const auto grid = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "rün 1") +
                                           " --num 16 --grid " + testing::quoted(dir / "grid.png"));
    CHECK(grid.exit_code == 0);
    CHECK(fs::file_size(dir / "grid.png") > 100);
  }
  SECTION("a non-empty --out is refused") {
    const auto refused = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "rün 1") +
                                              " --num 4 --out " + testing::quoted(dir / "sät out"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.output, Catch::Contains("not empty"));
  }
  SECTION("a full disk ends sampling with an error and a count, and leaves no partial file") {
    // A file-size limit of 0 fails the first write as a full disk would (stb_image_write alone
    // would report success); scripts/fault_injection.sh fills a real file system part way.
    const auto full =
        testing::run_command("bash -c \"ulimit -f 0; " + binary + " sample --checkpoint " +
                             testing::quoted(dir / "rün 1") + " --num 8 --out " + testing::quoted(dir / "full") + "\"");
    CHECK(full.exit_code == 1);
    // The first write is the folder's record of the files about to be written.
    CHECK_THAT(full.output, Catch::Contains("synthgen: error: cannot write") && Catch::Contains(".synthgen-outputs") &&
                                Catch::Contains("no output was written"));
    for (const auto& entry : fs::directory_iterator(dir / "full")) {
      INFO(entry.path().string());
      CHECK(entry.path().extension() == ".png");                // no temporary file left behind
      CHECK_NOTHROW(io::read_image(entry.path().string(), 3));  // any file under its final name is whole
    }
    CHECK_FALSE(fs::exists(dir / "full" / "manifest.csv"));
  }
  SECTION("a missing checkpoint is a usage error") {
    const auto missing = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "nope.ckpt") +
                                              " --num 4 --out " + testing::quoted(dir / "x"));
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("nope.ckpt"));
  }
}

TEST_CASE("sample --overwrite replaces only its own earlier outputs: data sets never mix runs", "[cli][slow]") {
  testing::TempDir dir;
  for (int i = 0; i < 8; ++i) testing::write_test_png(dir / "in" / fmt::format("{}.png", i), 16, 16, 3, i);
  const std::string config = testing::write_config_file(dir, testing::tiny_config((dir / "in").string()));
  const std::string binary = testing::synthgen_binary();
  REQUIRE(testing::run_command(binary + " train --config " + testing::quoted(fs::path(config)) + " --out " +
                               testing::quoted(dir / "run"))
              .exit_code == 0);
  const std::string sample =
      binary + " sample --checkpoint " + testing::quoted(dir / "run") + " --out " + testing::quoted(dir / "s1");
  REQUIRE(testing::run_command(sample + " --num 20").exit_code == 0);
  REQUIRE(testing::visible_entries(dir / "s1").size() == 21);

  const auto again = testing::run_command(sample + " --num 5 --overwrite");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  const std::vector<std::string> expected = {"000000.png", "000001.png", "000002.png",
                                             "000003.png", "000004.png", "manifest.csv"};
  CHECK(testing::visible_entries(dir / "s1") == expected);
  CHECK(testing::read_lines(dir / "s1" / "manifest.csv").size() == 6);

  SECTION("a file synthgen did not write stops --overwrite before anything is removed") {
    testing::write_bytes((dir / "s1" / "notes.txt").string(), {'h', 'i'});
    const auto refused = testing::run_command(sample + " --num 3 --overwrite");
    CHECK(refused.exit_code == 2);
    CHECK_THAT(testing::final_error_line(refused.output),
               Catch::Contains("notes.txt") && Catch::Contains("did not write"));
    CHECK(testing::visible_entries(dir / "s1").size() == 7);
  }
  SECTION("a folder of someone else's images is refused whole") {
    testing::write_test_png(dir / "theirs" / "000000.png", 16, 16, 3, 1);
    const std::vector<std::uint8_t> before = io::read_file_bytes((dir / "theirs" / "000000.png").string());
    const auto refused = testing::run_command(binary + " sample --checkpoint " + testing::quoted(dir / "run") +
                                              " --num 3 --overwrite --out " + testing::quoted(dir / "theirs"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.output, Catch::Contains("000000.png") && Catch::Contains("did not write"));
    CHECK(io::read_file_bytes((dir / "theirs" / "000000.png").string()) == before);
    CHECK_FALSE(fs::exists(dir / "theirs" / "manifest.csv"));
  }
}

namespace {

// The lines of a command's output that are errors.
std::vector<std::string> error_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("synthgen: error:", 0) == 0) lines.push_back(line);
  }
  return lines;
}

}  // namespace

TEST_CASE("a misspelt command is named on one line with the closest command", "[cli]") {
  const std::string binary = testing::synthgen_binary();
  const auto typo = testing::run_command(binary + " sampel --num 3");
  CHECK(typo.exit_code == 2);
  CHECK(error_lines(typo.output) ==
        std::vector<std::string>{"synthgen: error: unknown command 'sampel' (did you mean 'sample'?) (see 'synthgen "
                                 "--help')"});
  CHECK(typo.output.find('\n') == typo.output.size() - 1);  // nothing but that line

  const auto unknown = testing::run_command(binary + " dream");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.output, Catch::Contains("unknown command 'dream'; expected one of train, sample, eval"));

  const auto none = testing::run_command(binary);
  CHECK(none.exit_code == 2);
  CHECK(error_lines(none.output) ==
        std::vector<std::string>{"synthgen: error: a command is required: one of train, "
                                 "sample, eval, upscale, translate (see 'synthgen --help')"});
}

TEST_CASE("conflicting and repeated flags are named on one line", "[cli]") {
  const std::string binary = testing::synthgen_binary();
  const auto both =
      testing::run_command(binary + " sample --checkpoint x.ckpt --num 3 --class 3 --classes balanced --out o");
  CHECK(both.exit_code == 2);
  CHECK(error_lines(both.output).size() == 1);
  CHECK(both.output.find('\n') == both.output.size() - 1);
  CHECK_THAT(both.output, Catch::Contains("--class") && Catch::Contains("--classes") &&
                              Catch::Contains("exclude each other") && Catch::Contains("synthgen sample --help"));

  const auto twice = testing::run_command(binary + " sample --checkpoint x.ckpt --num 3 --num 4 --out o");
  CHECK(twice.exit_code == 2);
  CHECK(error_lines(twice.output) ==
        std::vector<std::string>{"synthgen: error: --num was given 2 times; it takes one value (see 'synthgen sample "
                                 "--help')"});
}

TEST_CASE("sample --reconstruct needs no --num", "[cli]") {
  testing::TempDir dir;
  // The missing checkpoint is the first thing wrong: --num is not asked for.
  const auto result =
      testing::run_command(testing::synthgen_binary() + " sample --checkpoint " + testing::quoted(dir / "vae.ckpt") +
                           " --reconstruct " + testing::quoted(dir.path()) + " --out " + testing::quoted(dir / "out"));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Catch::Contains("vae.ckpt") && Catch::Contains("does not exist"));
  CHECK_THAT(result.output, !Catch::Contains("--num"));
}

TEST_CASE("a checkpoint of the wrong family is a usage error (exit 2) in every command", "[cli]") {
  testing::TempDir dir;
  io::CheckpointMeta meta;
  meta.family = "dcgan";
  meta.config_yaml = dump_config(testing::tiny_config("unused"));
  io::save_checkpoint((dir / "g.ckpt").string(), meta, [](torch::serialize::OutputArchive&) {});
  const std::string binary = testing::synthgen_binary();
  const auto features = testing::run_command(binary +
                                             " eval --real fashion-mnist:test --metrics accuracy --features "
                                             "classifier:" +
                                             testing::quoted(dir / "g.ckpt"));
  CHECK(features.exit_code == 2);
  CHECK_THAT(features.output, Catch::Contains("holds a dcgan model, expected a classifier"));
  const auto upscale =
      testing::run_command(binary + " upscale --checkpoint " + testing::quoted(dir / "g.ckpt") + " --input " +
                           testing::quoted(dir.path()) + " --out " + testing::quoted(dir / "up"));
  CHECK(upscale.exit_code == 2);
}

TEST_CASE("eval cas works from any folder and names --config when its file is missing", "[cli]") {
  testing::TempDir dir;
  const auto missing = testing::run_command("cd " + testing::quoted(dir.path()) + " && " + testing::synthgen_binary() +
                                            " eval cas --train nowhere --config " + testing::quoted(dir / "none.yaml"));
  CHECK(missing.exit_code == 2);
  CHECK(error_lines(missing.output).size() == 1);
  CHECK_THAT(missing.output, Catch::Contains("--config") && Catch::Contains("none.yaml"));
  // Without --config, the built-in classifier config is read wherever the command runs: the first
  // thing wrong is then the --train set.
  const auto builtin =
      testing::run_command("cd " + testing::quoted(dir.path()) + " && " + testing::synthgen_binary() +
                           " eval cas --train " + testing::quoted(dir / "nowhere") + " --baseline none");
  CHECK(builtin.exit_code == 2);
  CHECK_THAT(builtin.output, Catch::Contains("nowhere") && !Catch::Contains("classifier_fashion.yaml"));
}
