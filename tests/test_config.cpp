#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"
#include "test_support.h"

using namespace synthgen;
using Catch::Contains;

namespace {

Config from_text(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return load_config_text(text, "test.yaml", overrides);
}

}  // namespace

TEST_CASE("an empty config is all defaults", "[config]") {
  const Config config = from_text("");
  const Config defaults;
  CHECK(changed_keys(config, defaults).empty());
  CHECK(config.model.family == "dcgan");
  CHECK(config.model.latent_dim == 100);
  CHECK(config.train.lr == 2e-4);
  CHECK(config.train.betas == std::vector<double>{0.5, 0.999});
  CHECK(config.run.threads == 0);
  CHECK(config.data.source == "fashion-mnist");
}

TEST_CASE("a file sets keys in every section", "[config]") {
  const Config config = from_text(R"(
model: {family: dcgan, latent_dim: 64, base_channels: 32, norm: none}
data: {source: folder, path: /data/x, image_size: 64, channels: 3, random_flip: true, max_images: 10}
train: {steps: 7, batch_size: 16, lr: 1e-3, betas: [0.0, 0.9], loss: minimax, sample_every: 0}
run: {seed: 18446744073709551615, device: "cuda:1", threads: 3, precision: bf16, cudnn_benchmark: false}
)");
  CHECK(config.model.latent_dim == 64);
  CHECK(config.model.norm == "none");
  CHECK(config.data.path == "/data/x");
  CHECK(config.data.random_flip);
  CHECK(config.data.max_images == 10);
  CHECK(config.train.lr == 1e-3);
  CHECK(config.train.betas == std::vector<double>{0.0, 0.9});
  CHECK(config.train.loss == "minimax");
  CHECK(config.run.seed == 18446744073709551615ULL);
  CHECK(config.run.device == "cuda:1");
  CHECK(config.run.threads == 3);
  CHECK_FALSE(config.run.cudnn_benchmark);
}

TEST_CASE("an unknown key names its path, line and the closest key", "[config]") {
  CHECK_THROWS_WITH(from_text("train:\n  batch_size: 8\n  setps: 10\n"), Contains("test.yaml:3:3") &&
                                                                             Contains("unknown key 'train.setps'") &&
                                                                             Contains("did you mean 'train.steps'"));
  SECTION("a key in the wrong section points to the right one") {
    CHECK_THROWS_WITH(from_text("train:\n  seed: 3\n"), Contains("did you mean 'run.seed'"));
  }
  SECTION("an unknown section") {
    CHECK_THROWS_WITH(from_text("trian:\n  steps: 3\n"), Contains("unknown key 'trian'") && Contains("'train'"));
  }
}

TEST_CASE("wrong types and ranges are refused with what was expected", "[config]") {
  CHECK_THROWS_WITH(from_text("train:\n  steps: abc\n"), Contains("test.yaml:2:10") && Contains("train.steps") &&
                                                             Contains("expected an integer") && Contains("'abc'"));
  CHECK_THROWS_WITH(from_text("train: {steps: 3.5}"), Contains("train.steps"));
  CHECK_THROWS_WITH(from_text("train: {steps: 0}"), Contains("expected an integer in [1,"));
  CHECK_THROWS_WITH(from_text("train: {lr: -1}"), Contains("train.lr: expected a number > 0, got '-1'"));
  CHECK_THROWS_WITH(from_text("train: {betas: [0.5]}"), Contains("train.betas: expected a list of 2 numbers"));
  CHECK_THROWS_WITH(from_text("train: {betas: [0.5, 1.0]}"), Contains("train.betas"));
  CHECK_THROWS_WITH(from_text("train: {batch_sizes: [64, 0]}"),
                    Contains("train.batch_sizes: expected a list of at most 16 integers, each in [1, 65536], got '0'"));
  CHECK_THROWS_WITH(from_text("train: {batch_sizes: 64}"),
                    Contains("train.batch_sizes: expected a list of at most 16 integers"));
  CHECK_THROWS_WITH(from_text("train: {loss: wasserstein}"),
                    Contains("one of nonsaturating, minimax, wgan-gp, hinge, lsgan"));
  CHECK_THROWS_WITH(from_text("data: {random_flip: maybe}"), Contains("true or false"));
  CHECK_THROWS_WITH(from_text("data: {channels: 2}"), Contains("data.channels"));
  CHECK_THROWS_WITH(from_text("data: {path: [a, b]}"), Contains("data.path: expected a string, got a list"));
  CHECK_THROWS_WITH(from_text("run: {threads: -2}"), Contains("auto or an integer"));
  CHECK_THROWS_WITH(from_text("run: {device: gpu}"), Contains("auto, cpu, cuda or cuda:N"));
  CHECK_THROWS_WITH(from_text("run: {seed: -1}"), Contains("run.seed"));
  CHECK_THROWS_WITH(from_text("model: {latent_dim: 99999999999999999999}"), Contains("model.latent_dim"));
  CHECK_THROWS_WITH(from_text("train: 5"), Contains("train must be a mapping"));
  CHECK_THROWS_WITH(from_text("- a\n- b\n"), Contains("expected a mapping of sections"));
}

TEST_CASE("every error of a file is reported at once, one per line", "[config]") {
  try {
    from_text("train:\n  setps: 1\n  lr: zero\nrun:\n  device: tpu\n");
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    CHECK(std::count(message.begin(), message.end(), '\n') == 2);
    CHECK_THAT(message, Contains("train.setps") && Contains("train.lr") && Contains("run.device"));
  }
}

TEST_CASE("YAML syntax errors carry the line", "[config]") {
  CHECK_THROWS_WITH(from_text("train:\n  steps: [1, 2\n"), Contains("test.yaml:") && Contains("YAML syntax error"));
}

TEST_CASE("a missing config file is a clear error", "[config]") {
  CHECK_THROWS_WITH(load_config("/nonexistent/x.yaml"), Contains("cannot read config file '/nonexistent/x.yaml'"));
}

TEST_CASE("overrides given with --set replace the file and go through the same checks", "[config]") {
  const Config config = from_text("train: {steps: 5, lr: 0.1}\n",
                                  {"train.steps=9", "train.betas=[0.1, 0.2]", "run.threads=auto", "data.path=/x y"});
  CHECK(config.train.steps == 9);
  CHECK(config.train.lr == 0.1);
  CHECK(config.train.betas == std::vector<double>{0.1, 0.2});
  CHECK(config.run.threads == 0);
  CHECK(config.data.path == "/x y");
  CHECK(from_text("", {"train.steps=3", "train.steps=4"}).train.steps == 4);  // the last one wins

  CHECK_THROWS_WITH(from_text("", {"trian.steps=5"}),
                    Contains("--set trian.steps=5: unknown key 'trian.steps'") && Contains("'train.steps'"));
  CHECK_THROWS_WITH(from_text("", {"train.lr=abc"}), Contains("--set train.lr=abc: train.lr: expected a number"));
  CHECK_THROWS_WITH(from_text("", {"train.steps"}), Contains("expected key=value"));
}

TEST_CASE("train.augment is checked word by word when the config is read", "[config]") {
  CHECK(from_text("train: {augment: none}").gan.augment == "none");
  CHECK(from_text("train: {augment: 'color, translation,cutout'}").gan.augment == "color, translation,cutout");
  CHECK_THROWS_WITH(from_text("train:\n  augment: flip\n"),
                    Contains("test.yaml:2:12: train.augment: unknown word 'flip'") &&
                        Contains("none or a comma list of translation, cutout, color"));
  CHECK_THROWS_WITH(from_text("", {"train.augment=color,"}),
                    Contains("--set train.augment=color,: train.augment: unknown word ''"));
  CHECK_THROWS_WITH(from_text("train: {augment: [color]}"), Contains("train.augment: expected none or a comma list"));
}

TEST_CASE("config_value gives a key's value as the resolved config writes it", "[config]") {
  const Config config = from_text("train: {lr: 0.0005, augment: color}");
  CHECK(config_value(config, "train.lr") == "0.0005");
  CHECK(config_value(config, "train.augment") == "color");
  CHECK_THROWS_AS(config_value(config, "train.speed"), ConfigError);
}

TEST_CASE("cross-field rules", "[config]") {
  CHECK_THROWS_WITH(from_text("data: {source: folder}"), Contains("data.path is required when data.source is folder"));
  CHECK_THROWS_WITH(from_text("data: {source: folder, path: x, labels: y}"), Contains("data.labels is only used"));
  CHECK_NOTHROW(from_text("data: {source: idx, path: x, labels: y}"));
  CHECK_THROWS_WITH(from_text("data: {source: patches}"),
                    Contains("data.path is required when data.source is patches"));
  const std::string sr = "model: {family: srgan, sr_scale: 4}\ndata: {image_size: 64}\n";
  CHECK_NOTHROW(from_text(sr + "train: {sr_patch: 64}"));
  CHECK_THROWS_WITH(from_text(sr + "train: {sr_patch: 62}"),
                    Contains("train.sr_patch 62 is not a multiple of model.sr_scale 4"));
  CHECK_THROWS_WITH(from_text(sr + "train: {sr_patch: 96}"), Contains("larger than data.image_size 64"));
  CHECK_THROWS_WITH(from_text(sr + "train: {sr_patch: 32, perceptual_weight: 1}"), Contains("train.perceptual_net"));
  CHECK_THROWS_WITH(from_text(sr + "train: {sr_patch: 32, pixel_weight: 0}"), Contains("srgan needs a loss"));
  CHECK_THROWS_WITH(from_text("model: {family: srgan, sr_scale: 3}"), Contains("model.sr_scale"));
  CHECK_THROWS_WITH(from_text("model: {family: ddpm, channel_mults: [1, 2, 2, 2, 2]}\ndata: {image_size: 28}"),
                    Contains("model.channel_mults has 5 levels: too many for data.image_size 28"));
  CHECK_THROWS_WITH(from_text("model: {family: ddpm, channel_mults: []}"), Contains("model.channel_mults"));
  CHECK_THROWS_WITH(from_text("model: {family: vae}\ntrain: {ema_decay: 0.999}"), Contains("vae keeps no EMA"));
  CHECK_NOTHROW(from_text("model: {family: progan}\ndata: {image_size: 32, pad: 2}"));
  CHECK_THROWS_WITH(from_text("model: {family: progan}\ndata: {image_size: 32, pad: 15}"),
                    Contains("data.pad 15 leaves 2 pixels of data.image_size 32: expected at least 4"));
  CHECK_THROWS_WITH(from_text("model: {family: classifier}\ndata: {pad: 2}"),
                    Contains("data.pad is for image generators") && Contains("not classifier"));
  CHECK_THROWS_WITH(from_text("model: {family: dcgan}\ndata: {source: patches, path: x, pad: 2}"),
                    Contains("data.pad applies to data.source fashion-mnist, idx or folder, not patches"));
}

TEST_CASE("a key that the model family does not read is refused, not ignored", "[config]") {
  CHECK_NOTHROW(from_text("model: {family: dcgan}\ntrain: {mode_seeking: 1, loss: hinge, augment: cutout}"));
  CHECK_THROWS_WITH(from_text("model: {family: pix2pix}\ndata: {source: paired, path: x, image_size: 32}\n"
                              "train: {mode_seeking: 1}"),
                    Contains("train.mode_seeking is only used by vanilla, dcgan and progan, not pix2pix"));
  CHECK_THROWS_WITH(from_text("model: {family: ddpm}", {"train.loss=hinge"}),
                    Contains("--set train.loss=hinge: train.loss is only used by") && Contains("not ddpm"));
  CHECK_THROWS_WITH(from_text("model: {family: dcgan, timesteps: 500}"),
                    Contains("model.timesteps is only used by ddpm, not dcgan"));
  CHECK_THROWS_WITH(from_text("model: {family: progan, spectral_norm: true}"),
                    Contains("model.spectral_norm is only used by vanilla and dcgan, not progan"));
  // The gradient penalty belongs to one loss; R1 goes with any.
  CHECK_NOTHROW(from_text("model: {family: dcgan}\ntrain: {loss: wgan-gp, gp_weight: 5}"));
  CHECK_NOTHROW(from_text("model: {family: progan}\ntrain: {loss: hinge, r1_gamma: 0.1}"));
  CHECK_THROWS_WITH(from_text("model: {family: progan}\ntrain: {loss: hinge, gp_weight: 5}"),
                    Contains("train.gp_weight is only used by train.loss wgan-gp, not hinge"));
  // A key at its default is not "set", whichever family: the resolved config of any run lists them all.
  CHECK_NOTHROW(
      from_text("model: {family: srgan}\ndata: {image_size: 128}\ntrain: {label_dropout: 0.1, l1_weight: 100}"));
}

TEST_CASE("the resolved config reads back to the same config", "[config]") {
  Config config;
  config.train.lr = 2e-4;
  config.train.betas = {0.1, 0.30000000000000004};
  config.model.family = "progan";
  config.progan.batch_sizes = {256, 128, 64};
  config.data.path = "weird: path # with\"quotes";
  config.data.labels = "";
  config.run.out_root = "yes";
  config.run.seed = 123456789012345ULL;
  config.run.threads = 0;
  const std::string text = dump_config(config);
  const Config again = from_text(text);
  CHECK(changed_keys(config, again).empty());
  CHECK(again.train.betas[1] == 0.30000000000000004);
  CHECK(again.progan.batch_sizes == std::vector<int>{256, 128, 64});
  CHECK(again.data.path == config.data.path);
  CHECK_THAT(text, Contains("threads: auto"));
  CHECK_THAT(text, Contains("lr: 0.0002  # Adam learning rate"));
  config.run.threads = 5;
  CHECK(from_text(dump_config(config)).run.threads == 5);

  Config diffusion;
  diffusion.model.family = "ddpm";
  diffusion.model.channel_mults = {1, 2, 4, 8};
  CHECK(from_text(dump_config(diffusion)).model.channel_mults == std::vector<int>{1, 2, 4, 8});
}

TEST_CASE("changed_keys and apply_overrides", "[config]") {
  Config a;
  Config b = a;
  apply_overrides(b, {"train.steps=77", "model.norm=none"});
  CHECK(changed_keys(a, b) == std::vector<std::string>{"model.norm", "train.steps"});
  CHECK_THROWS_AS(apply_overrides(b, {"train.steps=x"}), ConfigError);
}

TEST_CASE("every key is defined once and the families match the registry", "[config]") {
  const std::vector<std::string> keys = config_keys();
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  // The resolved config writes each key exactly once.
  const std::string text = dump_config(Config{});
  CHECK(std::count(text.begin(), text.end(), '#') == static_cast<long>(keys.size()) + 1);
  for (const auto& family : model_families()) {
    INFO(family.name);
    // The smallest config of each kind: translation and super-resolution need their data layouts.
    const std::string data = family.name == "pix2pix"    ? "data: {source: paired, path: x}\n"
                             : family.name == "cyclegan" ? "data: {source: unpaired, path: x}\n"
                             : family.kind == FamilyKind::kSuperResolution
                                 ? "data: {source: patches, path: x, image_size: 96}\n"
                                 : "";
    CHECK_NOTHROW(from_text("model: {family: " + family.name + "}\n" + data));
    CHECK(family.make_trainer != nullptr);
    // Every family either makes images from noise, or names the command that uses it instead.
    CHECK((family.make_image_generator != nullptr) != !family.use_with.empty());
    CHECK((family.kind == FamilyKind::kTranslation) == (family.make_translator != nullptr));
    CHECK((family.kind == FamilyKind::kGan) == (family.make_gan_generator != nullptr));
    // A family lists only real keys, each once.
    for (const std::string& key : family.keys) {
      INFO(key);
      CHECK(std::count(keys.begin(), keys.end(), key) == 1);
      CHECK(std::count(family.keys.begin(), family.keys.end(), key) == 1);
    }
  }
  CHECK(model_family_names() == std::vector<std::string>{"vanilla", "dcgan", "progan", "ddpm", "vae", "pix2pix",
                                                         "cyclegan", "srgan", "classifier"});
  CHECK_THROWS_WITH(find_model_family("dcgen"), Contains("unknown family 'dcgen' (did you mean 'dcgan'?)"));
  CHECK(families_reading("train.steps").size() == model_families().size());
  CHECK(families_reading("model.spectral_norm") == std::vector<std::string>{"vanilla", "dcgan"});
}

TEST_CASE("the shipped configs load", "[config]") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SYNTHGEN_SOURCE_DIR) + "/configs")) {
    const std::string name = entry.path().filename().string();
    const std::string path = entry.path().string();
    INFO(name);
    ++count;
    if (name == "dcgan_64.yaml" || name == "progan_folder_128.yaml" || name == "ddpm_folder_64.yaml") {
      CHECK_THROWS_WITH(load_config(path), Contains("data.path is required"));
      CHECK(load_config(path, {"data.path=/images"}).data.source == "folder");
    } else if (name.rfind("srresnet_", 0) == 0 || name.rfind("esrgan_", 0) == 0) {
      CHECK_THROWS_WITH(load_config(path), Contains("data.path is required"));
      const Config config = load_config(path, {"data.path=/images"});
      CHECK(config.data.source == "patches");
      CHECK(config.model.family == "srgan");
      CHECK((config.srgan.gan_weight > 0) == (name.rfind("esrgan_", 0) == 0));
      CHECK(config.srgan.sr_scale == (name.find("_x2") != std::string::npos ? 2 : 4));
    } else if (name.rfind("pix2pix_", 0) == 0 || name.rfind("cyclegan_", 0) == 0) {
      CHECK_THROWS_WITH(load_config(path), Contains("data.path is required"));
      const Config config = load_config(path, {"data.path=/pairs"});
      CHECK(config.data.source == (name.rfind("pix2pix_", 0) == 0 ? "paired" : "unpaired"));
      CHECK(config.train.lr_schedule == "linear");
    } else {
      CHECK(load_config(path).data.source == "fashion-mnist");
    }
  }
  CHECK(count >= 10);
}

TEST_CASE("edge cases of the reader", "[config]") {
  testing::TempDir dir;
  CHECK_THROWS_WITH(load_config(dir.str()), Contains("is a folder"));
  // A top level that is not a mapping is still reported when --set is given.
  CHECK_THROWS_WITH(from_text("- a\n", {"train.steps=3"}), Contains("expected a mapping of sections"));
  // Repeated keys are errors, so that --set cannot lose to a second copy.
  CHECK_THROWS_WITH(from_text("train:\n  steps: 5\n  steps: 6\n", {"train.steps=9"}),
                    Contains("test.yaml:3:3") && Contains("'train.steps' appears twice (first on line 2)"));
  // An empty value is located at its key.
  CHECK_THROWS_WITH(from_text("train:\n  steps:\n  lr: 1\n"),
                    Contains("test.yaml:2:3: train.steps: expected an integer"));
  // No suggestion when nothing is close, and never the key itself.
  const auto no_suggestion = [](const std::string& text) {
    try {
      from_text(text);
    } catch (const ConfigError& e) {
      return std::string(e.what()).find("did you mean") == std::string::npos;
    }
    return false;
  };
  CHECK(no_suggestion("bogus_thing: 1\n"));
  CHECK_THROWS_WITH(from_text("", {"train=5"}), Contains("'train' is a section, not a key"));
  CHECK(from_text("", {" train.steps =7"}).train.steps == 7);
  // Cross-field errors point at the key they are about.
  CHECK_THROWS_WITH(from_text("model: {}\ndata:\n  source: folder\n"),
                    Contains("test.yaml:3:3: data.path is required"));
  CHECK_THROWS_WITH(from_text("", {"data.source=folder"}), Contains("--set data.source=folder: data.path is required"));
}

TEST_CASE("hostile YAML is refused with one line per problem", "[config]") {
  // Nesting 100,000 deep: yaml-cpp stops at its depth limit; the message says so.
  const std::string deep = "train: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  CHECK_THROWS_WITH(from_text(deep), Contains("test.yaml:1:") && Contains("YAML nested deeper than"));
  // An alias cycle is never walked: only known keys are read, and each as the type it must be.
  CHECK_THROWS_WITH(from_text("x: &a [*a]\nmodel: *a\n"),
                    Contains("unknown key 'x'") && Contains("model must be a mapping"));
  CHECK_THROWS_WITH(from_text("train:\n  betas: &b [*b, 0.9]\n"), Contains("train.betas"));
  // Merge keys are not YAML 1.2 and not ours: an unknown key, not a silent merge.
  CHECK_THROWS_WITH(from_text("base: &b {steps: 10}\ntrain:\n  <<: *b\n"), Contains("unknown key 'train.<<'"));
  // An alias bomb is a handful of unknown keys, not an explosion.
  CHECK_THROWS_WITH(from_text("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"),
                    Contains("unknown key 'c'"));
  CHECK_THROWS_WITH(from_text("train:\n  lr: .nan\n"), Contains("train.lr: expected a number > 0, got '.nan'"));
  CHECK_THROWS_WITH(from_text("train:\n  steps: 1.5\n"), Contains("train.steps: expected an integer"));
}

TEST_CASE("docs/config.md's key table is the one the schema and the registry make", "[config][docs]") {
  std::ifstream in(std::string(SYNTHGEN_SOURCE_DIR) + "/docs/config.md");
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string begin = "<!-- generated: synthgen train --list-keys; do not edit by hand -->\n\n";
  const std::size_t start = text.find(begin);
  const std::size_t end = text.find("\n<!-- end generated -->");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::string documented = text.substr(start + begin.size(), end - start - begin.size());
  INFO("run scripts/update_config_docs.sh after changing a key or a family");
  CHECK(documented == config_keys_markdown());
  // Every key has a row.
  for (const std::string& key : config_keys()) CHECK_THAT(documented, Contains("| `" + key + "` |"));
}
