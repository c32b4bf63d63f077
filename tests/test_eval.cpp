#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/data/dataset.h"
#include "synthgen/eval/cas.h"
#include "synthgen/eval/distribution_eval.h"
#include "synthgen/eval/feature_extraction.h"
#include "synthgen/eval/paired_eval.h"
#include "synthgen/eval/report.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/io/npy.h"
#include "synthgen/tasks/eval_task.h"
#include "synthgen/tasks/train_task.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const std::string kFixtures = SYNTHGEN_FIXTURE_DIR;
const std::string kStandIn = "inception:" + kFixtures + "/inception_standin.pt";

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after "key": in a JSON text (the first occurrence).
double json_number(const std::string& json, const std::string& key) {
  const std::string marker = "\"" + key + "\": ";
  const std::size_t at = json.find(marker);
  if (at == std::string::npos) throw std::runtime_error("no key " + key + " in " + json);
  return std::stod(json.substr(at + marker.size()));
}

// The fixture's images as PNG files 0.png .. 5.png: the first three grey, the rest RGB.
void write_fixture_images(const fs::path& folder) {
  const torch::Tensor images = io::read_npy(kFixtures + "/inception_images.npy");  // [6, H, W, 3]
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    torch::Tensor chw = images[i].permute({2, 0, 1});
    if (i < 3) chw = chw.narrow(0, 0, 1);
    fs::create_directories(folder);
    io::write_png((folder / fmt::format("{}.png", i)).string(), io::tensor_to_image(chw.contiguous()));
  }
}

void write_png_folder(const fs::path& folder, int count, int salt) {
  for (int i = 0; i < count; ++i) {
    testing::write_test_png(folder / fmt::format("{:03d}.png", i), 24, 24, 3, static_cast<std::uint64_t>(salt + i));
  }
}

// The built-in classifier, narrow, on 28x28 grey images (Fashion-MNIST's).
Config small_classifier_config() {
  Config config;
  config.model.family = "classifier";
  config.model.base_channels = 8;
  config.data.image_size = 28;
  config.data.channels = 1;
  return config;
}

}  // namespace

TEST_CASE("the Inception stand-in is fed exactly as stylegan2-ada feeds the FID network", "[eval]") {
  testing::TempDir dir;
  write_fixture_images(dir / "images");
  const auto network = eval::open_feature_network(kStandIn, torch::kCPU);
  eval::SourceOptions options;
  options.format = network->input_format();
  const auto source = eval::open_image_source((dir / "images").string(), options);
  const eval::ExtractedSet set = eval::extract(*source, *network, true, true, 4, "test");
  REQUIRE(set.count == 6);
  const torch::Tensor expected_features = io::read_npy(kFixtures + "/inception_features.npy");
  const torch::Tensor expected_probabilities = io::read_npy(kFixtures + "/inception_probabilities.npy");
  CHECK(set.features.sizes() == expected_features.sizes());
  CHECK(torch::allclose(set.features, expected_features, 1e-5, 1e-5));
  CHECK(torch::allclose(set.probabilities, expected_probabilities, 1e-5, 1e-7));
}

TEST_CASE("a set scored against itself: FID 0, precision and recall 1, with settings in the JSON", "[eval][slow]") {
  testing::TempDir dir;
  write_png_folder(dir / "a", 12, 0);
  DistributionEvalRequest request;
  request.real = (dir / "a").string();
  request.fake = (dir / "a").string();
  request.features = kStandIn;
  request.metrics = {"fid", "kid", "pr", "is"};
  request.json_path = (dir / "scores.json").string();
  request.save_features = (dir / "features.npy").string();
  request.threads = 1;
  request.is_splits = 3;
  REQUIRE(run_distribution_eval(request) == 0);
  const std::string json = read_text(dir / "scores.json");
  CHECK(json_number(json, "fid") == Approx(0.0).margin(1e-6));
  CHECK(json_number(json, "precision") == 1.0);
  CHECK(json_number(json, "recall") == 1.0);
  CHECK(json.find("\"feature_network\": \"inception:") != std::string::npos);
  CHECK(json.find("\"protocol\": \"stylegan2-ada") != std::string::npos);
  CHECK(json_number(json, "count") == 12);
  // Features saved for other tools, and read back as a set.
  const torch::Tensor saved = io::read_npy((dir / "features.real.npy").string());
  CHECK(saved.sizes() == torch::IntArrayRef({12, 2048}));

  SECTION("saved features score the same as the images they came from") {
    DistributionEvalRequest from_npy;
    from_npy.real = (dir / "features.real.npy").string();
    from_npy.fake = (dir / "features.fake.npy").string();
    from_npy.metrics = {"fid"};
    from_npy.json_path = (dir / "npy.json").string();
    REQUIRE(run_distribution_eval(from_npy) == 0);
    CHECK(json_number(read_text(dir / "npy.json"), "fid") == Approx(0.0).margin(1e-6));
  }
}

TEST_CASE("two different sets give a positive FID and KID", "[eval][slow]") {
  testing::TempDir dir;
  write_png_folder(dir / "a", 16, 0);
  fs::create_directories(dir / "b");
  for (int i = 0; i < 16; ++i) {
    io::write_png((dir / "b" / fmt::format("{:03d}.png", i)).string(), testing::pattern_image(24, 24, 3, i));
  }
  DistributionEvalRequest request;
  request.real = (dir / "a").string();
  request.fake = (dir / "b").string();
  request.features = kStandIn;
  request.metrics = {"fid", "kid"};
  request.json_path = (dir / "scores.json").string();
  request.threads = 1;
  REQUIRE(run_distribution_eval(request) == 0);
  const std::string json = read_text(dir / "scores.json");
  CHECK(json_number(json, "fid") > 1.0);
  CHECK(json_number(json, "mean") > 0.0);  // KID
}

TEST_CASE("eval refuses mismatched features, bad networks and incomplete requests", "[eval]") {
  testing::TempDir dir;
  io::write_npy((dir / "a.npy").string(), torch::rand({20, 8}));
  io::write_npy((dir / "b.npy").string(), torch::rand({20, 6}));
  DistributionEvalRequest request;
  request.real = (dir / "a.npy").string();
  request.fake = (dir / "b.npy").string();
  request.metrics = {"fid"};
  CHECK_THROWS_WITH(run_distribution_eval(request), Contains("feature sizes differ") && Contains("8") && Contains("6"));

  request.fake = (dir / "a.npy").string();
  request.metrics = {"fid", "lpips"};
  CHECK_THROWS_WITH(run_distribution_eval(request), Contains("unknown metric 'lpips'"));

  request.metrics = {"is"};
  CHECK_THROWS_WITH(run_distribution_eval(request), Contains("a .npy file holds features"));

  DistributionEvalRequest one_set;
  one_set.real = (dir / "a.npy").string();
  one_set.metrics = {"fid"};
  CHECK_THROWS_WITH(run_distribution_eval(one_set), Contains("give --real and --fake"));

  io::write_file_atomic((dir / "not_torchscript.pt").string(), "hello", 5, false);
  CHECK_THROWS_WITH(eval::open_feature_network("inception:" + (dir / "not_torchscript.pt").string(), torch::kCPU),
                    Contains("cannot load") && Contains("not_torchscript.pt"));
  CHECK_THROWS_WITH(eval::open_feature_network("inception:/no/such/file.pt", torch::kCPU), Contains("no such file"));
  CHECK_THROWS_WITH(eval::open_feature_network("vgg:/x", torch::kCPU), Contains("expected inception:FILE.pt"));
  eval::SourceOptions options;
  CHECK_THROWS_WITH(eval::open_image_source("fashion-mnist:val", options), Contains("fashion-mnist:test"));
  CHECK_THROWS_WITH(eval::open_image_source((dir / "missing").string(), options), Contains("does not exist"));
}

TEST_CASE("PSNR and SSIM over files matched by name", "[eval]") {
  testing::TempDir dir;
  for (int i = 0; i < 3; ++i) {
    // Targets in 0..250; predictions 5 brighter everywhere: MSE 25, PSNR 10 log10(255^2 / 25).
    io::Image target = testing::pattern_image(32, 24, 3, i);
    for (auto& pixel : target.pixels) pixel = static_cast<std::uint8_t>(pixel % 251);
    io::Image pred = target;
    for (auto& pixel : pred.pixels) pixel = static_cast<std::uint8_t>(pixel + 5);
    fs::create_directories(dir / "target");
    fs::create_directories(dir / "pred");
    io::write_png((dir / "target" / fmt::format("{}.png", i)).string(), target);
    io::write_png((dir / "pred" / fmt::format("{}.png", i)).string(), pred);
  }
  PairedEvalRequest request;
  request.pred = (dir / "pred").string();
  request.target = (dir / "target").string();
  request.metrics = {"psnr", "ssim"};
  request.json_path = (dir / "paired.json").string();
  request.threads = 1;
  REQUIRE(run_paired_eval(request) == 0);
  const std::string json = read_text(dir / "paired.json");
  CHECK(json_number(json, "psnr") == Approx(10.0 * std::log10(255.0 * 255.0 / 25.0)).epsilon(1e-12));
  CHECK(json_number(json, "ssim") > 0.9);
  CHECK(json_number(json, "ssim") < 1.0);
  CHECK(json.find("\"0.png\"") != std::string::npos);

  SECTION("a prediction without a target is refused, naming it") {
    io::write_png((dir / "pred" / "extra.png").string(), testing::pattern_image(32, 24, 3));
    CHECK_THROWS_WITH(run_paired_eval(request), Contains("1 of 4") && Contains("extra.png"));
  }
  SECTION("sizes must agree") {
    io::write_png((dir / "pred" / "1.png").string(), testing::pattern_image(16, 24, 3));
    CHECK_THROWS_WITH(run_paired_eval(request), Contains("1.png") && Contains("16x24") && Contains("32x24"));
  }
}

TEST_CASE("run_eval picks set or paired metrics from the request and refuses mixtures", "[eval]") {
  EvalRequest request;
  CHECK_THROWS_WITH(run_eval(request), Contains("eval needs --real/--fake"));
  request.paired.pred = "pred";
  CHECK_THROWS_WITH(run_eval(request), Contains("need both --pred DIR and --target DIR"));
  request.distribution.generator.truncation = 0.5;
  CHECK_THROWS_WITH(run_eval(request), Contains("--truncation") && Contains("paired metrics read two folders"));
  request.distribution.real = "real";
  CHECK_THROWS_AS(run_eval(request), UsageError);
  CHECK_THROWS_WITH(run_eval(request), Contains("exclude each other"));

  SECTION("paired metrics get the shared --metrics and --json") {
    testing::TempDir dir;
    fs::create_directories(dir / "pred");
    fs::create_directories(dir / "target");
    io::write_png((dir / "pred" / "a.png").string(), testing::pattern_image(16, 16, 3));
    io::write_png((dir / "target" / "a.png").string(), testing::pattern_image(16, 16, 3));
    EvalRequest pairs;
    pairs.paired.pred = (dir / "pred").string();
    pairs.paired.target = (dir / "target").string();
    pairs.metrics = {"l1"};
    pairs.json_path = (dir / "pairs.json").string();
    pairs.threads = 1;
    REQUIRE(run_eval(pairs) == 0);
    const std::string json = read_text(dir / "pairs.json");
    CHECK(json_number(json, "l1") == 0.0);
    CHECK(json.find("\"psnr\"") == std::string::npos);
  }
}

TEST_CASE("the classification accuracy score trains on a labelled folder and tests on Fashion-MNIST", "[eval]") {
  testing::TempDir dir;
  // 400 real training images as a labelled folder with class sub-folders 0..9.
  DataConfig data;
  data.max_images = 400;
  const data::ImageDataset fashion = data::load_dataset(data, 1);
  for (std::int64_t i = 0; i < fashion.size(); ++i) {
    const fs::path folder = dir / "synthetic" / std::to_string(fashion.labels[i].item<std::int64_t>());
    fs::create_directories(folder);
    io::write_png((folder / fmt::format("{:04d}.png", i)).string(), io::tensor_to_image(fashion.images[i]));
  }
  Config config = small_classifier_config();
  config.train.steps = 80;
  config.train.batch_size = 32;
  config.train.lr = 2e-3;
  config.train.betas = {0.9, 0.999};
  config.run.seed = 1;
  CasRequest request;
  request.train = {(dir / "synthetic").string()};
  request.config = testing::write_config_file(dir, config, "classifier.yaml");
  request.baseline = {"none"};
  request.threads = 1;
  request.device = "cpu";
  request.json_path = (dir / "cas.json").string();
  REQUIRE(run_cas(request) == 0);
  // Far above chance (0.1) after 80 small steps on 400 images.
  const std::string json = read_text(dir / "cas.json");
  const double cas = json_number(json, "cas");
  CHECK(cas > 0.45);
  // The test set has 1,000 images of each class, so the overall score is the mean of the ten.
  const std::string per_class = json.substr(json.find("\"per_class\""));
  double sum = 0.0;
  for (const std::string& name : data::fashion_mnist_classes()) {
    const double accuracy = json_number(per_class.substr(per_class.find("\"" + name + "\"")), "cas");
    CHECK(accuracy >= 0.0);
    CHECK(accuracy <= 1.0);
    sum += accuracy;
  }
  CHECK(sum / 10.0 == Approx(cas).epsilon(1e-12));

  SECTION("an unlabelled set needs --label-with") {
    write_png_folder(dir / "unlabelled", 4, 0);
    request.train = {(dir / "unlabelled").string()};
    CHECK_THROWS_WITH(run_cas(request), Contains("has no labels") && Contains("--label-with"));
  }
}

TEST_CASE("eval cas trains on a conditional model's sample folder, labelled by its manifest.csv", "[eval]") {
  testing::TempDir dir;
  // A tiny class-conditional GAN on two Fashion-MNIST class names, so that CAS can test on the real set.
  for (int i = 0; i < 12; ++i) {
    testing::write_test_png(dir / "real" / (i % 2 == 0 ? "Trouser" : "Bag") / fmt::format("{}.png", i), 16, 16, 3,
                            static_cast<std::uint64_t>(i));
  }
  Config gan = testing::tiny_config((dir / "real").string());
  gan.model.num_classes = 2;
  gan.train.steps = 2;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, gan, "gan.yaml");
  train.out_dir = (dir / "run").string();
  REQUIRE(run_train(train) == 0);
  const std::string binary = testing::synthgen_binary();
  const auto sampled = testing::run_command(binary + " sample --checkpoint '" + train.out_dir +
                                            "' --num 9 --seed 4 --out '" + (dir / "synthetic").string() + "'");
  INFO(sampled.output);
  REQUIRE(sampled.exit_code == 0);

  // The labels read are the manifest's, row by row, with its class names.
  std::vector<std::int64_t> manifest_labels;
  const std::vector<std::string> rows = testing::read_lines(dir / "synthetic" / "manifest.csv");
  REQUIRE(rows.at(0) == "file,seed,label,class");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string label = rows[i].substr(rows[i].find(',', rows[i].find(',') + 1) + 1);
    manifest_labels.push_back(std::stoll(label.substr(0, label.find(','))));
  }
  eval::SourceOptions options;
  options.format = {1, 28};
  const std::unique_ptr<eval::ImageSource> source = eval::open_image_source((dir / "synthetic").string(), options);
  REQUIRE(source->has_labels());
  CHECK(source->class_names() == std::vector<std::string>{"Bag", "Trouser"});
  const eval::LoadedImages loaded = eval::read_all(*source);
  CHECK(loaded.images.size(0) == 9);
  CHECK(loaded.labels.equal(torch::tensor(manifest_labels, torch::kInt64)));
  CHECK_THAT(source->describe(), Contains("manifest.csv"));

  // eval cas takes the folder as its labelled synthetic set.
  Config classifier = small_classifier_config();
  classifier.train.steps = 3;
  classifier.train.batch_size = 8;
  const std::string classifier_path = testing::write_config_file(dir, classifier, "classifier.yaml");
  const auto cas = testing::run_command(binary + " eval cas --train '" + (dir / "synthetic").string() +
                                        "' --baseline none --threads 1 --device cpu --config '" + classifier_path +
                                        "' --json '" + (dir / "cas.json").string() + "'");
  INFO(cas.output);
  REQUIRE(cas.exit_code == 0);
  CHECK_THAT(read_text(dir / "cas.json"), Contains("manifest.csv") && Contains("\"cas\""));
}

TEST_CASE("eval without --metrics scores what the given sets allow", "[eval]") {
  testing::TempDir dir;
  torch::manual_seed(3);
  io::write_npy((dir / "real.npy").string(), torch::rand({30, 8}));
  io::write_npy((dir / "fake.npy").string(), torch::rand({20, 8}) + 0.1);
  DistributionEvalRequest request;
  request.real = (dir / "fake.npy").string();
  request.fake = (dir / "fake.npy").string();
  request.json_path = (dir / "sets.json").string();
  REQUIRE(run_distribution_eval(request) == 0);
  const std::string json = read_text(dir / "sets.json");
  CHECK(json_number(json, "fid") == Approx(0.0).margin(1e-6));
  CHECK(json_number(json, "precision") == 1.0);
  // KID: 20 images against a subset size of 1000: subsets of 20, and as both sets are whole in
  // every subset, one subset instead of 100 copies with a spread of 0.
  const std::string kid = json.substr(json.find("\"kid\""));
  CHECK(json_number(kid, "subset_size") == 20);
  CHECK(json_number(kid, "requested_subset_size") == 1000);
  CHECK(json_number(kid, "num_subsets") == 1);

  SECTION("a larger real set still gives 100 subsets, with a spread") {
    request.real = (dir / "real.npy").string();
    REQUIRE(run_distribution_eval(request) == 0);
    const std::string larger = read_text(dir / "sets.json");
    const std::string kid_part = larger.substr(larger.find("\"kid\""));
    CHECK(json_number(kid_part, "subset_size") == 20);
    CHECK(json_number(kid_part, "num_subsets") == 100);
    CHECK(json_number(kid_part, "std") > 0.0);
  }
  SECTION("pairs default to PSNR and SSIM") {
    fs::create_directories(dir / "pred");
    fs::create_directories(dir / "target");
    for (int i = 0; i < 2; ++i) {
      io::write_png((dir / "pred" / fmt::format("{}.png", i)).string(), testing::pattern_image(16, 16, 3, i));
      io::write_png((dir / "target" / fmt::format("{}.png", i)).string(), testing::pattern_image(16, 16, 3, i + 1));
    }
    PairedEvalRequest pairs;
    pairs.pred = (dir / "pred").string();
    pairs.target = (dir / "target").string();
    pairs.json_path = (dir / "pairs.json").string();
    pairs.threads = 1;
    REQUIRE(run_paired_eval(pairs) == 0);
    const std::string paired = read_text(dir / "pairs.json");
    CHECK(json_number(paired, "psnr") > 0.0);
    CHECK(json_number(paired, "ssim") < 1.0);
  }
}

TEST_CASE("eval cas has its classifier config built in, and names --config for a missing file", "[eval]") {
  const Config shipped = load_config(SYNTHGEN_SOURCE_DIR "/configs/classifier_fashion.yaml");
  CasRequest request;
  CHECK(changed_keys(cas_classifier_config(request), shipped).empty());
  request.overrides = {"train.steps=7"};
  CHECK(cas_classifier_config(request).train.steps == 7);
  request.config = "/no/such/classifier.yaml";
  CHECK_THROWS_AS(cas_classifier_config(request), UsageError);
  CHECK_THROWS_WITH(cas_classifier_config(request), Contains("--config '/no/such/classifier.yaml'"));
  request.config = SYNTHGEN_SOURCE_DIR "/configs/dcgan_fashion.yaml";
  request.overrides.clear();
  CHECK_THROWS_WITH(cas_classifier_config(request), Contains("expected classifier"));
}

TEST_CASE("JSON objects nest, escape and write non-finite numbers as null", "[eval]") {
  eval::JsonObject inner;
  inner.add("x", 1.5).add("n", std::int64_t{3});
  eval::JsonObject outer;
  outer.add("name", "a \"quoted\"\nline").add("inner", inner).add("inf", std::numeric_limits<double>::infinity());
  CHECK(outer.dump() ==
        "{\n  \"name\": \"a \\\"quoted\\\"\\nline\",\n  \"inner\": {\n    \"x\": 1.5,\n    \"n\": 3\n  },\n"
        "  \"inf\": null\n}");
}
