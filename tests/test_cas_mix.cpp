// Balanced real subsets, shift augmentation, and `eval cas` with several training sources and
// repeats (issue 24).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <set>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/data/balanced_subset.h"
#include "synthgen/data/batches.h"
#include "synthgen/data/dataset.h"
#include "synthgen/eval/cas.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/io/npy.h"
#include "synthgen/tasks/train_task.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const std::string kSubsetFixtures = std::string(SYNTHGEN_FIXTURE_DIR) + "/subsets";

std::vector<std::int64_t> npy_indices(const std::string& name) {
  const torch::Tensor values = io::read_npy(kSubsetFixtures + "/" + name).to(torch::kInt64).contiguous();
  return {values.data_ptr<std::int64_t>(), values.data_ptr<std::int64_t>() + values.numel()};
}

// Images of each class among `indices`, counted with the labels Python read.
std::vector<std::int64_t> class_counts(const std::vector<std::int64_t>& indices) {
  const torch::Tensor labels = io::read_npy(kSubsetFixtures + "/train_labels.npy").to(torch::kInt64);
  std::vector<std::int64_t> counts(10, 0);
  for (const std::int64_t index : indices) ++counts[static_cast<std::size_t>(labels[index].item<std::int64_t>())];
  return counts;
}

const data::ImageDataset& fashion_train() {
  static const data::ImageDataset dataset = [] {
    DataConfig cfg;
    cfg.image_size = 28;
    return data::load_dataset(cfg, 1);
  }();
  return dataset;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// The message of the UsageError (exit status 2) that `action` throws.
std::string usage_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a UsageError) ") + e.what();
  }
  return "(no error)";
}

// The built-in classifier, narrow and briefly trained: these tests check bookkeeping, not accuracy.
Config tiny_classifier(std::int64_t steps) {
  Config config;
  config.model.family = "classifier";
  config.model.base_channels = 4;
  config.data.image_size = 28;
  config.data.channels = 1;
  config.train.steps = steps;
  config.train.batch_size = 16;
  config.train.lr = 2e-3;
  config.train.betas = {0.9, 0.999};
  config.run.seed = 11;
  return config;
}

CasRequest tiny_request(const testing::TempDir& dir, std::int64_t steps) {
  CasRequest request;
  request.config = testing::write_config_file(dir, tiny_classifier(steps), "classifier.yaml");
  request.device = "cpu";
  request.threads = 1;
  request.json_path = (dir / "cas.json").string();
  return request;
}

std::vector<double> numbers(const YAML::Node& array, const std::string& key) {
  std::vector<double> values;
  for (const YAML::Node& entry : array) values.push_back(entry[key].as<double>());
  return values;
}

double sample_std(const std::vector<double>& values) {
  double mean = 0.0;
  for (const double v : values) mean += v / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

TEST_CASE("balanced subsets: N / K per class, the documented draw, and one-line refusals", "[cas]") {
  const data::ImageDataset& fashion = fashion_train();
  // synthgen's IDX reader and Python's gzip agree on the labels.
  REQUIRE(fashion.labels.equal(io::read_npy(kSubsetFixtures + "/train_labels.npy").to(torch::kInt64)));
  const auto& names = fashion.class_names;

  const std::vector<std::int64_t> thousand = data::balanced_subset(fashion.labels, names, 1000, 0, "spec");
  CHECK(thousand == npy_indices("subset_1000_seed0.npy"));
  CHECK(class_counts(thousand) == std::vector<std::int64_t>(10, 100));
  CHECK(std::set<std::int64_t>(thousand.begin(), thousand.end()).size() == 1000);
  CHECK(std::is_sorted(thousand.begin(), thousand.end()));
  CHECK(data::kDefaultSubsetSeed == DataConfig{}.subset_seed);

  // 1005: the first five classes take one more.
  const std::vector<std::int64_t> uneven = data::balanced_subset(fashion.labels, names, 1005, 3, "spec");
  CHECK(uneven == npy_indices("subset_1005_seed3.npy"));
  CHECK(class_counts(uneven) == std::vector<std::int64_t>{101, 101, 101, 101, 101, 100, 100, 100, 100, 100});
  CHECK(data::per_class_text(1005, 10) == "100 or 101 per class");

  SECTION("the same spec is the same images, another seed others, a larger N keeps a smaller one") {
    CHECK(data::balanced_subset(fashion.labels, names, 1000, 0, "spec") == thousand);
    const std::vector<std::int64_t> other = data::balanced_subset(fashion.labels, names, 1000, 1, "spec");
    std::vector<std::int64_t> shared;
    std::set_intersection(thousand.begin(), thousand.end(), other.begin(), other.end(), std::back_inserter(shared));
    CHECK(shared.size() < 100);  // 1/60 of each class expected in common: about 17
    const std::vector<std::int64_t> larger = data::balanced_subset(fashion.labels, names, 2000, 0, "spec");
    CHECK(std::includes(larger.begin(), larger.end(), thousand.begin(), thousand.end()));
  }
  SECTION("too few or too many images are refused on one line") {
    const std::string few = error_of([&] { data::balanced_subset(fashion.labels, names, 9, 0, "fashion-mnist:x:9"); });
    CHECK_THAT(few, Contains("fashion-mnist:x:9") && Contains("expected at least 10"));
    const std::string many = error_of([&] { data::balanced_subset(fashion.labels, names, 60001, 0, "key"); });
    CHECK_THAT(many, Contains("6001 of class 0 ('T-shirt/top'), which has 6000") && Contains("at most 60000"));
    CHECK(few.find('\n') == std::string::npos);
    CHECK(many.find('\n') == std::string::npos);
    CHECK(data::balanced_subset(fashion.labels, names, 60000, 0, "key").size() == 60000);
    // Class sizes 7, 5, 7: 16 fits (6, 5, 5), 17 would take 6 of class 1.
    const torch::Tensor small = torch::tensor({0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2}, torch::kInt64);
    CHECK(data::balanced_subset(small, {"a", "b", "c"}, 16, 0, "s").size() == 16);
    CHECK_THAT(error_of([&] {
                 data::balanced_subset(small, {"a", "b", "c"}, 17, 0, "s");
               }),
               Contains("6 of class 1 ('b'), which has 5") && Contains("at most 16"));
  }
}

TEST_CASE("data.subset trains on the images that fashion-mnist:train:N names", "[cas]") {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{3}}) {
    DataConfig cfg;
    cfg.image_size = 28;
    cfg.subset = 1005;
    cfg.subset_seed = seed;
    const data::ImageDataset trained = data::load_dataset(cfg, 1);
    eval::SourceOptions options;
    options.format = {1, 28};
    const std::string spec = seed == 0 ? "fashion-mnist:train:1005" : "fashion-mnist:train:1005:seed=3";
    const std::unique_ptr<eval::ImageSource> source = eval::open_image_source(spec, options);
    const eval::LoadedImages evaluated = eval::read_all(*source);
    CHECK(trained.images.equal(evaluated.images));
    CHECK(trained.labels.equal(evaluated.labels));
    // The same indices into the split, by the source's names for its images.
    const std::vector<std::int64_t> expected =
        seed == 0 ? data::balanced_subset(fashion_train().labels, fashion_train().class_names, 1005, 0, "x")
                  : npy_indices("subset_1005_seed3.npy");
    REQUIRE(source->size() == 1005);
    for (std::int64_t i = 0; i < 1005; i += 67) {
      CHECK(source->item_name(i) == fmt::format("fashion-mnist:train#{}", expected[static_cast<std::size_t>(i)]));
    }
    CHECK(trained.images.equal(fashion_train().images.index_select(0, torch::tensor(expected))));
    CHECK_THAT(source->describe(), Contains("1005 images") && Contains("100 or 101 per class"));
  }

  SECTION("it needs labels and is the only image choice") {
    CHECK_THROWS_WITH(load_config_text("data: {source: idx, path: x.gz, subset: 100}", "c.yaml"),
                      Contains("data.subset") && Contains("idx without data.labels"));
    CHECK_NOTHROW(load_config_text("data: {source: idx, path: x.gz, labels: y.gz, subset: 100}", "c.yaml"));
    CHECK_THROWS_WITH(load_config_text("data: {source: patches, path: x, subset: 100}", "c.yaml"),
                      Contains("not patches"));
    CHECK_THROWS_WITH(load_config_text("data: {subset: 100, max_images: 300}", "c.yaml"),
                      Contains("data.subset and data.max_images"));
    CHECK_THROWS_WITH(load_config_text("data: {subset_seed: 4}", "c.yaml"), Contains("data.subset_seed"));

    testing::TempDir dir;
    for (int i = 0; i < 12; ++i) testing::write_test_png(dir / "plain" / fmt::format("{}.png", i), 8, 8, 1, i);
    DataConfig folder;
    folder.source = "folder";
    folder.path = (dir / "plain").string();
    folder.image_size = 8;
    folder.subset = 4;
    CHECK_THROWS_AS(data::load_dataset(folder, 1), UsageError);
    CHECK_THROWS_WITH(data::load_dataset(folder, 1), Contains("data.subset 4") && Contains("no labels"));
  }
}

TEST_CASE("synthgen train reads data.subset, and evaluates on the other split whole", "[cas][slow]") {
  testing::TempDir dir;
  // A vae, as it evaluates on the other split.
  Config config;
  config.model.family = "vae";
  config.model.base_channels = 4;
  config.model.channel_mults = {1, 2};
  config.model.latent_dim = 4;
  config.data.image_size = 28;
  config.data.subset = 200;
  config.data.subset_seed = 3;
  config.train.steps = 1;
  config.train.batch_size = 8;
  config.train.grid_size = 4;
  config.run.device = "cpu";
  config.run.threads = 1;
  const auto trained = testing::run_command(testing::synthgen_binary() + " train --config " +
                                            testing::quoted(testing::write_config_file(dir, config)) + " --out " +
                                            testing::quoted(dir / "run"));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.output, Contains("loaded 200 images from fashion-mnist") &&
                                 Contains("data.subset 200 (20 per class, seed 3)") &&
                                 Contains("evaluating on the 10000 fashion-mnist images of the test split"));
}

TEST_CASE("random shifts are the zero-padded image cropped at the drawn offsets", "[cas]") {
  torch::manual_seed(5);
  const torch::Tensor image = torch::randint(1, 256, {3, 9, 11}, torch::kUInt8);
  for (const int pixels : {1, 2, 4}) {
    std::set<std::pair<int, int>> seen;
    const torch::Tensor padded = torch::constant_pad_nd(image, {pixels, pixels, pixels, pixels}, 0);
    for (std::uint64_t key = 0; key < 600; ++key) {
      const data::ImageShift shift = data::random_shift_of(17, key, pixels);
      REQUIRE(std::abs(shift.dy) <= pixels);
      REQUIRE(std::abs(shift.dx) <= pixels);
      seen.insert({shift.dy, shift.dx});
      // torchvision's RandomCrop(padding=p): the window at (p - dy, p - dx) of the padded image.
      const torch::Tensor window = padded.narrow(1, pixels - shift.dy, 9).narrow(2, pixels - shift.dx, 11);
      REQUIRE(data::shift_image(image, shift).equal(window));
      CHECK(data::random_shift_of(17, key, pixels).dy == shift.dy);
    }
    // Every offset of the (2p + 1)^2 square is drawn.
    CHECK(seen.size() == static_cast<std::size_t>((2 * pixels + 1) * (2 * pixels + 1)));
  }
  // A shift by the whole side leaves nothing.
  CHECK(data::shift_image(image, {9, 0}).sum().item<std::int64_t>() == 0);

  SECTION("gather_batch shifts each image by its place in the stream, after the flip") {
    data::ImageDataset dataset;
    dataset.images = torch::randint(1, 256, {5, 1, 8, 8}, torch::kUInt8);
    const std::vector<std::int64_t> indices = {4, 0, 2, 2, 1, 3, 0, 4};
    const torch::Tensor shifted = data::gather_batch(dataset, indices, {false, 2}, 9, 40);
    CHECK(shifted.equal(data::gather_batch(dataset, indices, {false, 2}, 9, 40)));
    int mirrored = 0;
    const torch::Tensor both = data::gather_batch(dataset, indices, {true, 2}, 9, 40);
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const torch::Tensor original = dataset.images[indices[b]];
      const data::ImageShift shift = data::random_shift_of(9, 40 + b, 2);
      const torch::Tensor padded = torch::constant_pad_nd(original, {2, 2, 2, 2}, 0);
      const torch::Tensor expected = padded.narrow(1, 2 - shift.dy, 8).narrow(2, 2 - shift.dx, 8);
      CHECK(shifted[static_cast<std::int64_t>(b)].equal(expected.to(torch::kFloat).div(127.5).sub(1.0)));
      const torch::Tensor flipped = torch::constant_pad_nd(original.flip({2}), {2, 2, 2, 2}, 0)
                                        .narrow(1, 2 - shift.dy, 8)
                                        .narrow(2, 2 - shift.dx, 8);
      const torch::Tensor got = both[static_cast<std::int64_t>(b)];
      const bool plain = got.equal(expected.to(torch::kFloat).div(127.5).sub(1.0));
      const bool mirror = got.equal(flipped.to(torch::kFloat).div(127.5).sub(1.0));
      CHECK((plain || mirror));
      mirrored += mirror ? 1 : 0;
    }
    CHECK(mirrored > 0);
    CHECK(mirrored < 8);
  }
  SECTION("data.random_shift is the classifier's: other families refuse it") {
    CHECK(load_config_text("model: {family: classifier}\ndata: {random_shift: 2}", "c.yaml").data.random_shift == 2);
    CHECK_THROWS_WITH(load_config_text("model: {family: dcgan}\ndata: {random_shift: 2}", "c.yaml"),
                      Contains("data.random_shift is only used by classifier, not dcgan"));
    CHECK_THROWS_WITH(load_config_text("model: {family: ddpm}\ndata: {random_shift: 1}", "c.yaml"),
                      Contains("not ddpm"));
    CHECK_THROWS_WITH(load_config_text("model: {family: classifier}\ndata: {random_shift: 65}", "c.yaml"),
                      Contains("data.random_shift"));
  }
}

TEST_CASE("eval cas trains on a folder, a real subset and a generator together, and counts each", "[cas]") {
  testing::TempDir dir;
  // 12 real images in class folders numbered as the test set's classes.
  const data::ImageDataset& fashion = fashion_train();
  for (std::int64_t i = 0; i < 12; ++i) {
    const fs::path folder = dir / "folder" / std::to_string(fashion.labels[i].item<std::int64_t>());
    fs::create_directories(folder);
    io::write_png((folder / fmt::format("{}.png", i)).string(), io::tensor_to_image(fashion.images[i]));
  }
  // A tiny conditional GAN on two Fashion-MNIST classes.
  for (int i = 0; i < 8; ++i) {
    testing::write_test_png(dir / "gan_data" / (i % 2 == 0 ? "Trouser" : "Bag") / fmt::format("{}.png", i), 16, 16, 3,
                            static_cast<std::uint64_t>(i));
  }
  Config gan = testing::tiny_config((dir / "gan_data").string());
  gan.model.num_classes = 2;
  gan.train.steps = 1;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, gan, "gan.yaml");
  train.out_dir = (dir / "gan").string();
  REQUIRE(run_train(train) == 0);

  CasRequest request = tiny_request(dir, 2);
  request.test = "fashion-mnist:test:500";
  request.train = {(dir / "folder").string(), "fashion-mnist:train:30", (dir / "gan").string() + ":7"};
  request.num = 5;  // the folder's limit; the two others give their own counts
  REQUIRE(run_cas(request) == 0);
  const YAML::Node json = YAML::LoadFile(request.json_path);
  REQUIRE(json["train"].size() == 3);
  CHECK(numbers(json["train"], "images") == std::vector<double>{5, 30, 7});
  CHECK(json["train_images"].as<std::int64_t>() == 42);
  CHECK_THAT(json["train"][1]["source"].as<std::string>(), Contains("3 per class"));
  // The default baseline is the real part of the mix: its Fashion-MNIST subset.
  REQUIRE(json["baseline"].size() == 1);
  CHECK(json["baseline"][0]["spec"].as<std::string>() == "fashion-mnist:train:30");
  CHECK(json["baseline_images"].as<std::int64_t>() == 30);

  SECTION("--num limits every source without its own count; an explicit --baseline is taken whole") {
    request.train = {(dir / "folder").string(), (dir / "gan").string()};
    request.baseline = {"fashion-mnist:train:20:seed=2"};
    request.num = 6;
    REQUIRE(run_cas(request) == 0);
    const YAML::Node limited = YAML::LoadFile(request.json_path);
    CHECK(numbers(limited["train"], "images") == std::vector<double>{6, 6});
    CHECK(limited["baseline_images"].as<std::int64_t>() == 20);
  }
  SECTION("an all-synthetic --train keeps fashion-mnist:train as its baseline") {
    request.train = {(dir / "gan").string() + ":4"};
    request.baseline.clear();
    request.config = testing::write_config_file(dir, tiny_classifier(1), "one_step.yaml");
    REQUIRE(run_cas(request) == 0);
    const YAML::Node synthetic = YAML::LoadFile(request.json_path);
    CHECK(synthetic["baseline"][0]["spec"].as<std::string>() == "fashion-mnist:train");
    CHECK(synthetic["baseline_images"].as<std::int64_t>() == 60000);
  }
}

TEST_CASE("eval cas --repeats trains seed-paired classifiers and reports mean and sample std", "[cas]") {
  testing::TempDir dir;
  CasRequest request = tiny_request(dir, 4);
  request.test = "fashion-mnist:test:1000";  // 100 of each class
  request.repeats = 3;

  SECTION("a mix equal to its baseline gives the baseline's accuracy in every repeat") {
    request.train = {"fashion-mnist:train:40"};
    REQUIRE(run_cas(request) == 0);
    const YAML::Node json = YAML::LoadFile(request.json_path);
    const YAML::Node repeats = json["per_repeat"];
    REQUIRE(repeats.size() == 3);
    CHECK(numbers(repeats, "classifier_seed") == std::vector<double>{11, 12, 13});
    CHECK(numbers(repeats, "cas") == numbers(repeats, "real_accuracy"));
    CHECK(numbers(repeats, "gain") == std::vector<double>{0, 0, 0});
    // Each seed gives another classifier.
    const std::vector<double> cas = numbers(repeats, "cas");
    CHECK(std::set<double>(cas.begin(), cas.end()).size() > 1);
    CHECK(json["metrics"]["gain_std"].as<double>() == 0.0);
  }
  SECTION("mean and std of each accuracy and of the paired gain follow from the repeats") {
    request.train = {"fashion-mnist:train:40", "fashion-mnist:train:20:seed=9"};
    request.baseline = {"fashion-mnist:train:40"};
    REQUIRE(run_cas(request) == 0);
    const YAML::Node json = YAML::LoadFile(request.json_path);
    const YAML::Node repeats = json["per_repeat"];
    REQUIRE(repeats.size() == 3);
    const std::vector<double> cas = numbers(repeats, "cas");
    const std::vector<double> real = numbers(repeats, "real_accuracy");
    std::vector<double> gain;
    for (std::size_t r = 0; r < 3; ++r) {
      gain.push_back(cas[r] - real[r]);
      CHECK(repeats[r]["gain"].as<double>() == Approx(gain.back()).margin(1e-15));
    }
    const YAML::Node metrics = json["metrics"];
    CHECK(metrics["cas"].as<double>() == Approx(mean_of(cas)).epsilon(1e-12));
    CHECK(metrics["cas_std"].as<double>() == Approx(sample_std(cas)).epsilon(1e-9));
    CHECK(metrics["real_accuracy"].as<double>() == Approx(mean_of(real)).epsilon(1e-12));
    CHECK(metrics["real_accuracy_std"].as<double>() == Approx(sample_std(real)).epsilon(1e-9));
    CHECK(metrics["gain"].as<double>() == Approx(mean_of(gain)).margin(1e-12));
    CHECK(metrics["gain_std"].as<double>() == Approx(sample_std(gain)).epsilon(1e-9));
    CHECK(json["repeats"].as<int>() == 3);
    // Per-class figures are the means over repeats; with as many test images in each class their
    // mean is the overall accuracy.
    double per_class_sum = 0.0;
    for (const auto& entry : json["per_class"]) per_class_sum += entry.second["cas"].as<double>();
    CHECK(per_class_sum / 10.0 == Approx(metrics["cas"].as<double>()).epsilon(1e-9));
  }
  SECTION("one repeat has no spread") {
    request.repeats = 1;
    request.train = {"fashion-mnist:train:20"};
    request.baseline = {"none"};
    REQUIRE(run_cas(request) == 0);
    const YAML::Node json = YAML::LoadFile(request.json_path);
    CHECK(json["metrics"]["cas_std"].IsNull());
    CHECK(!json["baseline"]);
    CHECK(!json["metrics"]["gain"]);
  }
}

TEST_CASE("eval cas refuses bad sources and settings on one line", "[cas]") {
  testing::TempDir dir;
  for (int i = 0; i < 4; ++i) {
    testing::write_test_png(dir / "plain" / fmt::format("{}.png", i), 8, 8, 1, i);
    testing::write_test_png(dir / "test" / std::to_string(i % 2) / fmt::format("{}.png", i), 8, 8, 1, i);
  }
  const std::string plain = (dir / "plain").string();
  struct Refusal {
    std::vector<std::string> train;
    std::vector<std::string> baseline;
    std::vector<std::string> extra;  // "repeats=0", "baseline-set", "set-subset", "steps"
    std::string message;
  };
  const std::vector<Refusal> refusals = {
      {{"fashion-mnist:train:0"}, {}, {}, "the image count 0 is out of range"},
      {{"fashion-mnist:train:5"}, {}, {}, "expected at least 10"},
      {{"fashion-mnist:train:60001"}, {}, {}, "expected at most 60000"},
      {{"fashion-mnist:train:abc"}, {}, {}, "expected fashion-mnist:train or fashion-mnist:test"},
      {{"fashion-mnist:train:100:seed=x"}, {}, {}, "seed=S takes a non-negative integer"},
      {{"fashion-mnist:train:seed=3"}, {}, {}, "seed=S picks a subset of a count N"},
      {{plain + ":2"}, {}, {}, "a balanced subset needs labels"},
      {{"fashion-mnist:train:100"}, {"none", "fashion-mnist:train:10"}, {}, "--baseline none"},
      {{"fashion-mnist:train:100"}, {"none"}, {"baseline-set"}, "--baseline-set"},
      {{"fashion-mnist:train:100"}, {}, {"repeats=0"}, "--repeats 0: expected at least 1"},
      {{"fashion-mnist:train:100"}, {}, {"set-subset"}, "does not read data.subset"},
      {{"fashion-mnist:train:100"}, {}, {"steps"}, "no --train or --baseline source is a checkpoint"},
  };
  for (const Refusal& refusal : refusals) {
    CasRequest request;
    request.train = refusal.train;
    request.baseline = refusal.baseline;
    request.test = (dir / "test").string();  // small: every refusal comes before the test set matters
    request.device = "cpu";
    request.threads = 1;
    for (const std::string& extra : refusal.extra) {
      if (extra == "repeats=0") request.repeats = 0;
      if (extra == "baseline-set") request.baseline_overrides = {"data.random_shift=2"};
      if (extra == "set-subset") request.overrides = {"data.subset=100"};
      if (extra == "steps") request.generator.steps = 5;
    }
    const std::string error = usage_error_of([&] { run_cas(request); });
    INFO(fmt::format("--train {} --baseline {}", fmt::join(refusal.train, " "), fmt::join(refusal.baseline, " ")));
    CHECK_THAT(error, Contains(refusal.message));
    CHECK(error.find('\n') == std::string::npos);
  }

  SECTION("the command exits with 2 and one error line") {
    const auto result = testing::run_command(testing::synthgen_binary() + " eval cas --device cpu --test " +
                                             testing::quoted(dir / "test") + " --train fashion-mnist:test:7");
    CHECK(result.exit_code == 2);
    CHECK_THAT(testing::final_error_line(result.output),
               Contains("'fashion-mnist:test:7': a balanced subset of 7 images") && Contains("expected at least 10"));
  }
}
