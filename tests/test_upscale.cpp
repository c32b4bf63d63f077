// Tiled super-resolution inference and the `synthgen upscale` command.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "synthgen/core/error.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/models/sr_tiling.h"
#include "synthgen/models/srgan.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;

namespace {

Config tiny_generator_config(int scale) {
  Config config;
  config.model.family = "srgan";
  config.srgan.sr_scale = scale;
  config.srgan.sr_block = "residual";
  config.srgan.sr_blocks = 1;
  config.model.base_channels = 8;
  config.data.channels = 3;
  return config;
}

}  // namespace

TEST_CASE("tiled upscaling equals whole-image upscaling on an image within one tile", "[upscale]") {
  torch::manual_seed(0);
  models::SrGenerator g(tiny_generator_config(4));
  g->eval();
  torch::NoGradGuard no_grad;
  const models::ImageNetwork network = [&](const torch::Tensor& x) { return g->forward(x); };
  const torch::Tensor image = torch::rand({1, 3, 20, 27}) * 2 - 1;
  const torch::Tensor whole = g->forward(image);
  const torch::Tensor tiled = models::upscale_tiled(network, image, 4, 32, 8);
  CHECK(tiled.sizes() == whole.sizes());
  CHECK(torch::allclose(tiled, whole, 1e-6, 1e-6));
  CHECK(torch::allclose(models::upscale_tiled(network, image, 4, 0, 0), whole, 1e-6, 1e-6));
}

TEST_CASE("tile blending weights sum to an exact partition for a per-pixel network", "[upscale]") {
  // A network whose output pixel depends only on its own input pixel shows the blending alone:
  // whatever the tiling, the result must equal the whole-image one.
  const models::ImageNetwork local = [](const torch::Tensor& x) {
    return torch::upsample_nearest2d(torch::tanh(3 * x) + x.square(), {x.size(2) * 2, x.size(3) * 2});
  };
  const torch::Tensor image = torch::rand({1, 3, 37, 50}) * 2 - 1;
  const torch::Tensor whole = local(image);
  for (const auto& [tile, overlap] : std::vector<std::pair<int, int>>{{16, 4}, {10, 0}, {8, 7}, {64, 8}}) {
    INFO("tile " << tile << " overlap " << overlap);
    CHECK(torch::allclose(models::upscale_tiled(local, image, 2, tile, overlap), whole, 1e-5, 1e-6));
  }
  CHECK(models::tile_ramp(6, 4, true, false).min().item<float>() > 0.0f);
  CHECK_THROWS_AS(models::upscale_tiled(local, image, 2, 8, 8), UsageError);
}

TEST_CASE("tiled upscaling with many tiles stays close to the whole image", "[upscale]") {
  torch::manual_seed(1);
  models::SrGenerator g(tiny_generator_config(2));
  g->eval();
  torch::NoGradGuard no_grad;
  const models::ImageNetwork network = [&](const torch::Tensor& x) { return g->forward(x); };
  const torch::Tensor image = torch::rand({1, 3, 48, 40}) * 2 - 1;
  const torch::Tensor whole = g->forward(image);
  const torch::Tensor tiled = models::upscale_tiled(network, image, 2, 16, 8);
  const double scale = whole.abs().mean().item<double>();
  CHECK((tiled - whole).abs().mean().item<double>() < 0.03 * scale);
  CHECK((tiled - whole).abs().max().item<double>() < 0.1 * scale + 0.05);
}

TEST_CASE("synthgen upscale keeps the folder tree and names, grey and RGB", "[upscale][cli][slow]") {
  testing::TempDir dir;
  for (int i = 0; i < 4; ++i) testing::write_test_png(dir / "hr" / fmt::format("{}.png", i), 32, 32, 3, i);
  Config config = tiny_generator_config(2);
  config.data.source = "patches";
  config.data.path = (dir / "hr").string();
  config.data.image_size = 16;
  config.srgan.sr_patch = 8;
  config.train.steps = 3;
  config.train.batch_size = 2;
  config.train.log_every = 1;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 0;
  config.run.device = "cpu";
  config.run.threads = 1;
  const std::string config_path = testing::write_config_file(dir, config);
  const auto trained =
      testing::run_command(testing::synthgen_binary() + " train --config " + testing::quoted(fs::path(config_path)) +
                           " --out " + testing::quoted(dir / "run"));
  REQUIRE(trained.exit_code == 0);

  testing::write_test_png(dir / "in" / "a.png", 13, 9, 3, 10);
  testing::write_test_png(dir / "in" / "sub" / "deeper" / "b.png", 20, 31, 1, 11);
  testing::write_bytes((dir / "in" / "sub" / "broken.png").string(), {0x89, 'P', 'N', 'G'});
  const std::string base = testing::synthgen_binary() + " upscale --checkpoint " + testing::quoted(dir / "run") +
                           " --threads 1 --tile 8 --tile-overlap 2";
  const auto result =
      testing::run_command(base + " --input " + testing::quoted(dir / "in") + " --out " + testing::quoted(dir / "out"));
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("broken.png") && Catch::Contains("1 unreadable file skipped") &&
                                Catch::Contains("images/s") && Catch::Contains("megapixels/s"));
  const io::Image a = io::read_image((dir / "out" / "a.png").string(), 3);
  CHECK((a.width == 26 && a.height == 18));
  const auto b_bytes = testing::run_command("test -f " + testing::quoted(dir / "out" / "sub" / "deeper" / "b.png"));
  CHECK(b_bytes.exit_code == 0);
  const io::Image b = io::read_image((dir / "out" / "sub" / "deeper" / "b.png").string(), 1);
  CHECK((b.width == 40 && b.height == 62));
  // Grey in, grey out: the file decodes with one channel and the same bytes as a grey read.
  const io::Image b_rgb = io::read_image((dir / "out" / "sub" / "deeper" / "b.png").string(), 3);
  CHECK(io::convert_channels(b, 3).pixels == b_rgb.pixels);
  CHECK_FALSE(fs::exists(dir / "out" / "sub" / "broken.png"));

  // Trains `stage` into dir/name, starting from the run's weights (--init).
  auto train_from_run = [&dir](const Config& stage, const std::string& name) {
    const std::string path = testing::write_config_file(dir, stage, name + ".yaml");
    return testing::run_command(testing::synthgen_binary() + " train --config " + testing::quoted(fs::path(path)) +
                                " --init " + testing::quoted(dir / "run") + " --out " + testing::quoted(dir / name));
  };

  SECTION("one file in, one file out; tiling does not change an image within one tile") {
    for (const std::string tile : {"0", "32"}) {
      const auto one =
          testing::run_command(testing::synthgen_binary() + " upscale --checkpoint " + testing::quoted(dir / "run") +
                               " --threads 1 --tile " + tile + " --input " + testing::quoted(dir / "in" / "a.png") +
                               " --out " + testing::quoted(dir / ("single" + tile)));
      REQUIRE(one.exit_code == 0);
    }
    CHECK(fs::exists(dir / "single0" / "a.png"));
    CHECK(io::read_image((dir / "single0" / "a.png").string(), 3).pixels ==
          io::read_image((dir / "single32" / "a.png").string(), 3).pixels);
  }
  SECTION("bad input is one error line and exit code 2") {
    const auto missing = testing::run_command(base + " --input " + testing::quoted(dir / "nothing") + " --out " +
                                              testing::quoted(dir / "o2"));
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::StartsWith("synthgen: error:") && Catch::Contains("nothing"));
    CHECK(std::count(missing.output.begin(), missing.output.end(), '\n') == 1);
    const auto not_empty = testing::run_command(base + " --input " + testing::quoted(dir / "in") + " --out " +
                                                testing::quoted(dir / "out"));
    CHECK(not_empty.exit_code == 2);
    CHECK_THAT(not_empty.output, Catch::Contains("--overwrite"));
    const auto bad_tile = testing::run_command(base + " --tile-overlap 8 --input " + testing::quoted(dir / "in") +
                                               " --out " + testing::quoted(dir / "o3"));
    CHECK(bad_tile.exit_code == 2);
    CHECK_THAT(bad_tile.output, Catch::Contains("--tile-overlap"));
    const auto no_model = testing::run_command(testing::synthgen_binary() + " upscale --checkpoint " +
                                               testing::quoted(dir / "nothing.ckpt") + " --input " +
                                               testing::quoted(dir / "in") + " --out " + testing::quoted(dir / "o4"));
    CHECK(no_model.exit_code == 2);
    CHECK_THAT(no_model.output, Catch::Contains("nothing.ckpt"));
    const auto inside = testing::run_command(base + " --input " + testing::quoted(dir / "in") + " --out " +
                                             testing::quoted(dir / "in" / "sub" / "x4"));
    CHECK(inside.exit_code == 2);
    CHECK_THAT(inside.output, Catch::Contains("is inside --input"));
    CHECK_FALSE(fs::exists(dir / "in" / "sub" / "x4"));
  }
  SECTION("a full disk ends with an error and a count, and leaves no partial file") {
    const auto full =
        testing::run_command("bash -c \"ulimit -f 0; " + base + " --input " + testing::quoted(dir / "in") + " --out " +
                             testing::quoted(dir / "full") + "\"");
    CHECK(full.exit_code == 1);
    CHECK_THAT(full.output, Catch::Contains("cannot write") && Catch::Contains("no output was written"));
    CHECK(fs::is_empty(dir / "full"));
  }
  SECTION("--init starts a GAN stage from the PSNR run; sample refuses an srgan checkpoint") {
    Config gan = config;
    gan.srgan.gan_weight = 0.01;
    const auto staged = train_from_run(gan, "gan");
    CHECK(staged.exit_code == 0);
    CHECK_THAT(staged.output, Catch::Contains("starting from the weights"));
    const auto sample =
        testing::run_command(testing::synthgen_binary() + " sample --checkpoint " + testing::quoted(dir / "run") +
                             " --num 2 --out " + testing::quoted(dir / "samples"));
    CHECK(sample.exit_code == 2);
    CHECK_THAT(sample.output, Catch::Contains("upscale"));
    // eval cannot sample from it either, and says why.
    eval::SourceOptions options;
    CHECK_THROWS_WITH(eval::open_image_source((dir / "run").string(), options),
                      Catch::Contains("super-resolution (srgan) model: use synthgen upscale"));
  }
  SECTION("--init refuses a x2 run's weights in a x4 config with one line and exit code 2") {
    Config x4 = config;
    x4.srgan.sr_scale = 4;
    const auto refused = train_from_run(x4, "x4");
    CHECK(refused.exit_code == 2);
    CHECK_THAT(testing::final_error_line(refused.output),
               Catch::Contains("--init") && Catch::Contains("upsample.1.conv.weight"));
  }
  SECTION("--overwrite replaces the outputs of the earlier run, and only those") {
    testing::write_test_png(dir / "in2" / "c.png", 10, 10, 3, 12);
    const auto again = testing::run_command(base + " --overwrite --input " + testing::quoted(dir / "in2") + " --out " +
                                            testing::quoted(dir / "out"));
    REQUIRE(again.exit_code == 0);
    CHECK(testing::visible_entries(dir / "out") == std::vector<std::string>{"c.png"});
    testing::write_test_png(dir / "out" / "mine.png", 10, 10, 3, 13);
    const auto refused = testing::run_command(base + " --overwrite --input " + testing::quoted(dir / "in") + " --out " +
                                              testing::quoted(dir / "out"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(testing::final_error_line(refused.output),
               Catch::Contains("mine.png") && Catch::Contains("--overwrite"));
    CHECK(fs::exists(dir / "out" / "mine.png"));
    CHECK(fs::exists(dir / "out" / "c.png"));
  }
}
