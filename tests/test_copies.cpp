// The copy check and per-image scores of `synthgen eval`: nearest neighbours, the training
// threshold, realism, the grid and the per-image CSV, against brute-force references.
#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/data/dataset.h"
#include "synthgen/eval/distribution_eval.h"
#include "synthgen/eval/feature_network.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/io/npy.h"
#include "synthgen/metrics/copy_check.h"
#include "synthgen/metrics/nearest_neighbours.h"
#include "synthgen/metrics/realism.h"
#include "synthgen/tasks/train_task.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const std::string kCopyFixtures = std::string(SYNTHGEN_FIXTURE_DIR) + "/copies/";
const std::string kCopyStandIn = "inception:" + std::string(SYNTHGEN_FIXTURE_DIR) + "/inception_standin.pt";

torch::Tensor copy_fixture(const std::string& name) { return io::read_npy(kCopyFixtures + name + ".npy"); }

// A value of tests/fixtures/make_copy_fixtures.py's expected.txt.
double copy_expected(const std::string& name) {
  std::ifstream in(kCopyFixtures + "expected.txt");
  std::string key, value;
  while (in >> key >> value) {
    if (key == name) return std::stod(value);
  }
  FAIL("no reference value '" << name << "' in copies/expected.txt");
  return 0;
}

std::string whole_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after "key": in the text of the JSON object "object" (its first occurrence).
double number_in(const std::string& json, const std::string& object, const std::string& key) {
  const std::string part = json.substr(json.find("\"" + object + "\""));
  const std::string marker = "\"" + key + "\": ";
  return std::stod(part.substr(part.find(marker) + marker.size()));
}

// Euclidean distances by explicit differences, not the |a|² + |b|² - 2 a·b form under test.
torch::Tensor brute_distances(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor a64 = a.to(torch::kFloat64);
  const torch::Tensor b64 = b.to(torch::kFloat64);
  return (a64.unsqueeze(1) - b64.unsqueeze(0)).pow(2).sum(2).sqrt();
}

// The per-image CSV as rows of fields keyed by the header.

}  // namespace

TEST_CASE("percentile interpolates as numpy.percentile does", "[copies]") {
  const torch::Tensor values = torch::tensor({4.0, 1.0, 3.0, 1.0, 2.0, 4.0});
  // Sorted 1 1 2 3 4 4: position q/100 * 5.
  CHECK(metrics::percentile(values, 50) == Approx(2.5));
  CHECK(metrics::percentile(values, 0) == 1.0);
  CHECK(metrics::percentile(values, 100) == 4.0);
  CHECK(metrics::percentile(values, 70) == Approx(3.5));
  CHECK(metrics::percentile(torch::arange(1, 102, torch::kFloat64), 1) == Approx(2.0));
  CHECK_THROWS_AS(metrics::percentile(torch::empty({0}), 1), RuntimeError);
  CHECK_THROWS_AS(metrics::percentile(values, 101), RuntimeError);
}

TEST_CASE("nearest distinct neighbours skip the row itself and its exact duplicates", "[copies]") {
  // Points on a line; 10 twice. By hand: 0->1, 1->0, 3->1, 6->3, 10->6, 10->6.
  const torch::Tensor line = torch::tensor({0.0, 1.0, 3.0, 6.0, 10.0, 10.0}).unsqueeze(1);
  for (const std::int64_t row_batch : {1, 4, 2048}) {
    const metrics::NearestNeighbours nearest = metrics::nearest_distinct_neighbours(line, row_batch);
    CHECK(nearest.distance.allclose(torch::tensor({1.0, 1.0, 2.0, 3.0, 4.0, 4.0}, torch::kFloat64)));
    CHECK(nearest.index.equal(torch::tensor({1, 0, 1, 2, 3, 3}, torch::kInt64)));
  }
  SECTION("so duplicates in the training set do not drive the threshold to 0") {
    // Distances 1 1 2 3 4 4: the 1st percentile is 1; counting 10's twin (0) it would be 0.
    const metrics::CopyCheckResult result = metrics::copy_check(line, torch::tensor({{10.0}, {5.0}, {2.0}, {0.5}}));
    CHECK(result.threshold == Approx(1.0));
    CHECK(result.training_distances == 6);
    // 10 lies on a training point and 0.5 is 0.5 from one; 5 and 2 are 1 away: not nearer than 1.
    CHECK(result.copies == 2);
    CHECK(result.share == 0.5);
    CHECK(result.nearest.distance.equal(torch::tensor({0.0, 1.0, 1.0, 0.5}, torch::kFloat64)));
    CHECK(result.nearest.index[0].item<std::int64_t>() >= 4);
    CHECK(result.nearest.index[3].item<std::int64_t>() <= 1);
  }
  SECTION("a set with no two different images has no threshold") {
    const torch::Tensor same = torch::ones({4, 3});
    CHECK(metrics::nearest_distinct_neighbours(same).index.eq(-1).all().item<bool>());
    CHECK_THROWS_WITH(metrics::copy_check(same, same), Contains("all the same image"));
  }
}

TEST_CASE("the copy check matches a numpy brute force: copies near 1, held-out images near 0.01", "[copies]") {
  const torch::Tensor train = copy_fixture("train");
  for (const std::int64_t row_batch : {97, 2048}) {
    const metrics::CopyCheckResult copies = metrics::copy_check(train, copy_fixture("copies"), row_batch);
    CHECK(copies.threshold == Approx(copy_expected("threshold")).epsilon(1e-9));
    CHECK(copies.training_distances == static_cast<std::int64_t>(copy_expected("train_distances")));
    CHECK(copies.share == copy_expected("share_copies"));
    CHECK(copies.share >= 0.95);
    CHECK(copies.nearest.distance.allclose(copy_fixture("copies_nearest_distance"), 0, 1e-6));

    const torch::Tensor heldout = copy_fixture("heldout");
    const metrics::CopyCheckResult fresh = metrics::copy_check(train, heldout, row_batch);
    CHECK(fresh.share == copy_expected("share_heldout"));
    CHECK(fresh.share <= 0.05);
    CHECK(fresh.generated == heldout.size(0));
    CHECK(fresh.nearest.distance.allclose(copy_fixture("heldout_nearest_distance"), 1e-9, 1e-9));
    // Each index points at a training row at that distance (duplicates make ties).
    const torch::Tensor at_index =
        (heldout.to(torch::kFloat64) - train.to(torch::kFloat64).index_select(0, fresh.nearest.index))
            .pow(2)
            .sum(1)
            .sqrt();
    CHECK(at_index.allclose(copy_fixture("heldout_nearest_distance"), 1e-9, 1e-9));
  }
}

TEST_CASE("realism scores match Kynkaanniemi et al.'s definition by brute force", "[copies]") {
  const torch::Tensor train = copy_fixture("train");
  for (const std::string set : {"copies", "heldout"}) {
    const torch::Tensor scores = metrics::realism_scores(train, copy_fixture(set), 3, 301);
    CHECK(scores.allclose(copy_fixture(set + "_realism"), 1e-7, 0));
  }
  CHECK_THROWS_WITH(metrics::realism_scores(train.narrow(0, 0, 3), train), Contains("more than 3 rows"));
}

TEST_CASE("eval --metrics copies on .npy features reports share, threshold and count", "[copies]") {
  testing::TempDir dir;
  DistributionEvalRequest request;
  request.real = kCopyFixtures + "train.npy";
  request.fake = kCopyFixtures + "heldout.npy";
  request.metrics = {"copies"};
  request.json_path = (dir / "scores.json").string();
  REQUIRE(run_distribution_eval(request) == 0);
  const std::string json = whole_text(dir / "scores.json");
  CHECK(number_in(json, "copies", "share") == copy_expected("share_heldout"));
  CHECK(number_in(json, "copies", "threshold") == Approx(copy_expected("threshold")).epsilon(1e-9));
  CHECK(number_in(json, "copies", "count") == Approx(copy_expected("share_heldout") * 3000));
  CHECK(number_in(json, "copies", "generated") == 3000);
  // .npy features have no images: no grid beside the JSON.
  CHECK_THAT(json, Contains("\"grid\": \"\""));
  CHECK_FALSE(fs::exists(dir / "scores.copies.png"));

  SECTION("the grid needs images, and copies needs both sets") {
    request.copies_grid = (dir / "grid.png").string();
    CHECK_THROWS_WITH(run_distribution_eval(request), Contains("--copies-grid") && Contains(".npy"));
    DistributionEvalRequest alone;
    alone.fake = request.fake;
    alone.metrics = {"copies"};
    CHECK_THROWS_AS(run_distribution_eval(alone), UsageError);
    alone.real = request.real;
    alone.metrics = {"fid"};
    alone.copies_grid = (dir / "grid.png").string();
    CHECK_THROWS_WITH(run_distribution_eval(alone), Contains("add copies to --metrics"));
  }
}

TEST_CASE("eval copies and --per-image on image folders: files, manifest labels, nearest images", "[copies]") {
  testing::TempDir dir;
  for (int i = 0; i < 20; ++i) {
    testing::write_test_png(dir / "train" / fmt::format("{:03d}.png", i), 24, 24, 3, static_cast<std::uint64_t>(i));
  }
  // Generated: copies of training images 7, 2, 19, ... under other names, labelled by a manifest.
  const std::vector<int> copied = {7, 2, 19, 11, 0, 5};
  std::string manifest = "file,seed,label,class\n";
  fs::create_directories(dir / "generated");
  for (std::size_t i = 0; i < copied.size(); ++i) {
    const std::string name = fmt::format("gen_{}.png", i);
    fs::copy_file(dir / "train" / fmt::format("{:03d}.png", copied[i]), dir / "generated" / name);
    manifest += fmt::format("{},{},{},{}\n", name, i, i % 2, i % 2 == 0 ? "even" : "odd");
  }
  std::ofstream(dir / "generated" / "manifest.csv") << manifest;

  DistributionEvalRequest request;
  request.real = (dir / "train").string();
  request.fake = (dir / "generated").string();
  request.features = kCopyStandIn;
  request.metrics = {"copies"};
  request.json_path = (dir / "scores.json").string();
  request.per_image_path = (dir / "per_image.csv").string();
  request.save_features = (dir / "features").string();
  request.batch = 4;
  request.threads = 1;
  REQUIRE(run_distribution_eval(request) == 0);

  const std::string json = whole_text(dir / "scores.json");
  CHECK(number_in(json, "copies", "share") >= 0.95);
  CHECK(number_in(json, "copies", "generated") == 6);
  // The grid beside the JSON: 6 pairs (fewer than 16 images), four pairs a row of 24 px tiles.
  CHECK_THAT(json, Contains("scores.copies.png"));
  const io::Image grid = io::read_image((dir / "scores.copies.png").string(), 3);
  CHECK(grid.width == 8 * 24 + 9 * 2);
  CHECK(grid.height == 2 * 24 + 3 * 2);

  const auto records = testing::csv_records(dir / "per_image.csv");
  REQUIRE(records.size() == copied.size());
  const torch::Tensor real = io::read_npy((dir / "features.real.npy").string());
  const torch::Tensor fake = io::read_npy((dir / "features.fake.npy").string());
  const torch::Tensor reference = brute_distances(fake, real);
  for (std::size_t i = 0; i < copied.size(); ++i) {
    INFO("row " << i);
    const auto& record = records[i];
    CHECK(record.at("index") == std::to_string(i));
    CHECK(record.at("file") == fmt::format("gen_{}.png", i));
    CHECK(record.at("label") == std::to_string(i % 2));
    CHECK(record.at("class") == (i % 2 == 0 ? "even" : "odd"));
    CHECK(record.at("nearest_file") == fmt::format("{:03d}.png", copied[i]));
    const auto [distance, index] = reference[static_cast<std::int64_t>(i)].min(0);
    CHECK(std::stoll(record.at("nearest_index")) == index.item<std::int64_t>());
    CHECK(std::stod(record.at("nearest_distance")) == Approx(distance.item<double>()).margin(1e-3));
    // A copy of a real image lies inside every ball around it: realism far above 1.
    CHECK(std::stod(record.at("realism")) > 1.0);
    CHECK(record.count("predicted") == 0);  // Inception features: no classifier columns
  }

  SECTION("held-out images are not copies") {
    for (int i = 0; i < 6; ++i) {
      testing::write_test_png(dir / "heldout" / fmt::format("{:03d}.png", i), 24, 24, 3,
                              static_cast<std::uint64_t>(100 + i));
    }
    request.fake = (dir / "heldout").string();
    request.per_image_path.clear();
    REQUIRE(run_distribution_eval(request) == 0);
    CHECK(number_in(whole_text(dir / "scores.json"), "copies", "share") <= 0.2);
  }
  SECTION("the CSV is complete or absent: a failure midway writes none") {
    testing::write_bytes((dir / "generated" / "gen_9.png").string(), {1, 2, 3});
    std::ofstream(dir / "generated" / "manifest.csv", std::ios::app) << "gen_9.png,9,1,odd\n";
    request.per_image_path = (dir / "failed.csv").string();
    CHECK_THROWS(run_distribution_eval(request));
    CHECK_FALSE(fs::exists(dir / "failed.csv"));
    request.per_image_path = (dir / "no_such_folder" / "rows.csv").string();
    fs::remove(dir / "generated" / "gen_9.png");
    CHECK_THROWS_WITH(run_distribution_eval(request), Contains("rows.csv"));
    CHECK_FALSE(fs::exists(dir / "no_such_folder"));
  }
}

TEST_CASE("per-image rows with a classifier: its prediction and the probability of each image's own label",
          "[copies]") {
  testing::TempDir dir;
  Config config;
  config.model.family = "classifier";
  config.model.base_channels = 8;
  config.data.image_size = 28;
  config.data.channels = 1;
  config.data.max_images = 64;
  config.train.steps = 2;
  config.train.batch_size = 8;
  config.run.device = "cpu";
  config.run.threads = 1;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, config, "classifier.yaml");
  train.out_dir = (dir / "classifier").string();
  REQUIRE(run_train(train) == 0);

  // Folder classes in name order (Bag 0, Trouser 1); the classifier's are Fashion-MNIST's (Trouser 1, Bag 8).
  DataConfig data;
  data.split = "test";
  data.max_images = 40;
  data.image_size = 28;
  data.channels = 1;
  const data::ImageDataset fashion = data::load_dataset(data, 1);
  int written = 0;
  for (std::int64_t i = 0; i < fashion.size() && written < 6; ++i) {
    const std::int64_t label = fashion.labels[i].item<std::int64_t>();
    if (label != 1 && label != 8) continue;
    const std::string name = label == 1 ? "Trouser" : "Bag";
    fs::create_directories(dir / "set" / name);
    io::write_png((dir / "set" / name / fmt::format("{:02d}.png", i)).string(), io::tensor_to_image(fashion.images[i]));
    ++written;
  }
  DistributionEvalRequest request;
  request.fake = (dir / "set").string();
  request.features = "classifier:" + train.out_dir;
  request.metrics = {"is"};
  request.is_splits = 1;
  request.per_image_path = (dir / "rows.csv").string();
  request.threads = 1;
  REQUIRE(run_distribution_eval(request) == 0);

  // The reference: the network run on the files the rows name, in one batch as eval runs them.
  const auto network = eval::open_feature_network(request.features, torch::kCPU);
  const auto records = testing::csv_records(dir / "rows.csv");
  REQUIRE_FALSE(records.empty());
  std::vector<torch::Tensor> all;
  for (const auto& record : records) {
    all.push_back(io::image_to_tensor(io::read_image((dir / "set" / record.at("file")).string(), 1)));
  }
  const torch::Tensor reference = network->run(torch::stack(all), false, true).probabilities;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& record = records[i];
    INFO(record.at("file"));
    const std::string class_name = record.at("file").substr(0, record.at("file").find('/'));
    CHECK(record.at("class") == class_name);
    CHECK(record.at("label") == (class_name == "Bag" ? "0" : "1"));
    const torch::Tensor probabilities = reference[static_cast<std::int64_t>(i)];
    const auto [best, predicted] = probabilities.max(0);
    CHECK(std::stoll(record.at("predicted")) == predicted.item<std::int64_t>());
    CHECK(record.at("predicted_class") == data::fashion_mnist_classes()[predicted.item<std::int64_t>()]);
    CHECK(std::stod(record.at("predicted_probability")) == Approx(best.item<double>()).epsilon(1e-5));
    const std::int64_t own = class_name == "Bag" ? 8 : 1;
    CHECK(std::stod(record.at("label_probability")) == Approx(probabilities[own].item<double>()).epsilon(1e-5));
    CHECK(record.count("nearest_distance") == 0);  // no --real: no distances
  }
}
