// Filtered sampling, `synthgen sample --keep-if classifier:CKPT --min-confidence P`: the kept set
// against a sequential reference (attempt by attempt, no batches), and the files against a plain
// sample scored here by the classifier: which seeds are kept, their labels and scores, near-copy
// rejection, determinism, batch-size independence, the attempt cap and the flags' errors.
#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <tuple>

#include "synthgen/config/load.h"
#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/eval/feature_network.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/tasks/kept_set.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/tasks/train_task.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

// What a filtered sample keeps, found the slow way: candidate a after candidate a, each of a class
// that still needs images counted as an attempt; plain balanced counts per class.
struct SequentialKeep {
  std::map<std::int64_t, std::int64_t> attempt_of_image;  // output image -> its attempt
  std::int64_t attempts = 0;
  bool complete = false;
};

SequentialKeep keep_sequentially(std::int64_t num, std::int64_t classes, std::int64_t max_attempts,
                                 const std::function<bool(std::int64_t)>& passes) {
  std::vector<std::int64_t> quota(static_cast<std::size_t>(classes), 0);
  for (std::int64_t i = 0; i < num; ++i) ++quota[static_cast<std::size_t>(i % classes)];
  std::vector<std::int64_t> kept(static_cast<std::size_t>(classes), 0);
  SequentialKeep result;
  std::int64_t total = 0;
  for (std::int64_t attempt = 0; total < num && result.attempts < max_attempts; ++attempt) {
    const auto c = static_cast<std::size_t>(attempt % classes);
    if (kept[c] == quota[c]) continue;
    ++result.attempts;
    if (!passes(attempt)) continue;
    result.attempt_of_image[kept[c] * classes + static_cast<std::int64_t>(c)] = attempt;
    ++kept[c];
    ++total;
  }
  result.complete = total == num;
  return result;
}

// Drives a KeptSet with batches of `batch` candidates.
SequentialKeep keep_in_batches(std::int64_t num, std::int64_t classes, std::int64_t max_attempts,
                               const std::function<bool(std::int64_t)>& passes, std::int64_t batch) {
  KeptSet kept(num, classes, max_attempts);
  SequentialKeep result;
  while (!kept.complete() && !kept.exhausted()) {
    const std::vector<Candidate> drawn = kept.next(batch);
    REQUIRE_FALSE(drawn.empty());
    std::vector<bool> verdicts;
    for (const Candidate& candidate : drawn) {
      CHECK(candidate.pool == candidate.attempt % classes);
      // A class that is full is not drawn again.
      CHECK(kept.pool_kept(candidate.pool) < kept.quota(candidate.pool));
      verdicts.push_back(passes(candidate.attempt));
    }
    const std::vector<Placement> placements = kept.record(drawn, verdicts);
    for (std::size_t i = 0; i < drawn.size(); ++i) {
      if (placements[i].image >= 0) result.attempt_of_image[placements[i].image] = drawn[i].attempt;
      CHECK((placements[i].image < 0 || placements[i].judged));
    }
  }
  result.attempts = kept.attempts();
  result.complete = kept.complete();
  return result;
}

// A fixed pseudo-random verdict per attempt, passing about `share` of them; class 2 passes rarely.
std::function<bool(std::int64_t)> made_up_verdicts(double share, std::int64_t classes) {
  return [share, classes](std::int64_t attempt) {
    const std::uint64_t mixed = static_cast<std::uint64_t>(attempt) * 0x9E3779B97F4A7C15ull >> 40;
    const double u = static_cast<double>(mixed % 10000) / 10000.0;
    return attempt % classes == 2 ? u < share / 4 : u < share;
  };
}

// The tiny models the end-to-end tests share, trained once per process: two DCGANs (conditional,
// classes "blobs" and "circles", and unconditional) on a 16-image folder, and a classifier trained
// on the conditional one's samples, so that it agrees with its labels often but not always.
struct FilterModels {
  testing::TempDir dir;
  std::string data;
  std::string conditional;
  std::string unconditional;
  std::string classifier;
};

void train_filter_models(FilterModels& made) {
  made.data = (made.dir / "data").string();
  for (int i = 0; i < 16; ++i) {
    testing::write_test_png(made.dir / "data" / (i % 2 ? "circles" : "blobs") / fmt::format("{:03d}.png", i), 16, 16, 3,
                            static_cast<std::uint64_t>(i));
  }
  Config gan = testing::tiny_config(made.data);
  gan.train.sample_every = 0;
  gan.model.num_classes = 2;
  TrainRequest train;
  train.config_path = testing::write_config_file(made.dir, gan, "conditional.yaml");
  train.out_dir = made.conditional = (made.dir / "conditional").string();
  REQUIRE(run_train(train) == 0);
  gan.model.num_classes = 0;
  train.config_path = testing::write_config_file(made.dir, gan, "unconditional.yaml");
  train.out_dir = made.unconditional = (made.dir / "unconditional").string();
  REQUIRE(run_train(train) == 0);

  SampleRequest sample;
  sample.checkpoint = made.conditional;
  sample.num = 256;
  sample.threads = 1;
  sample.seed = 1000;  // other seeds than the tests draw
  sample.out_dir = (made.dir / "labelled").string();
  REQUIRE(run_sample(sample) == 0);
  Config classifier;
  classifier.model.family = "classifier";
  classifier.model.base_channels = 8;
  classifier.data.source = "folder";
  classifier.data.path = sample.out_dir;
  classifier.data.image_size = 16;
  classifier.data.channels = 3;
  classifier.train.steps = 150;
  classifier.train.batch_size = 32;
  classifier.train.lr = 2e-3;
  classifier.train.sample_every = 0;
  classifier.run.device = "cpu";
  classifier.run.threads = 1;
  classifier.run.seed = 5;
  train.config_path = testing::write_config_file(made.dir, classifier, "classifier.yaml");
  train.out_dir = made.classifier = (made.dir / "classifier").string();
  REQUIRE(run_train(train) == 0);
}

FilterModels& filter_models() {
  static FilterModels models;
  static const bool trained = (train_filter_models(models), true);
  (void)trained;
  return models;
}

// The manifest as rows of fields keyed by the header.

std::string manifest_header(const fs::path& folder) { return testing::read_lines(folder / "manifest.csv").at(0); }

std::vector<std::uint8_t> bytes_of(const fs::path& path) { return io::read_file_bytes(path.string()); }

// Every file of two folders (the hidden output record included) has the same bytes.
void check_same_folders(const fs::path& a, const fs::path& b) {
  std::vector<std::string> names_a;
  std::vector<std::string> names_b;
  for (const auto& entry : fs::directory_iterator(a)) names_a.push_back(entry.path().filename().string());
  for (const auto& entry : fs::directory_iterator(b)) names_b.push_back(entry.path().filename().string());
  std::sort(names_a.begin(), names_a.end());
  std::sort(names_b.begin(), names_b.end());
  REQUIRE(names_a == names_b);
  for (const std::string& name : names_a) {
    INFO(name);
    CHECK(bytes_of(a / name) == bytes_of(b / name));
  }
}

// The classifier run again on image files, in one batch: probabilities [N, K] and features [N, D].
eval::NetworkOutputs scores_of_files(const std::vector<fs::path>& files) {
  const auto network = eval::open_feature_network("classifier:" + filter_models().classifier, torch::kCPU);
  std::vector<torch::Tensor> images;
  for (const fs::path& file : files) images.push_back(io::image_to_tensor(io::read_image(file.string(), 3)));
  return network->run(torch::stack(images), true, true);
}

// A plain sample of `num` images from `checkpoint` (seeds 0.., balanced classes) and the
// classifier's outputs on its files.
struct PlainSample {
  fs::path folder;
  eval::NetworkOutputs scores;
};

PlainSample plain_sample(const fs::path& folder, const std::string& checkpoint, std::int64_t num,
                         const std::string& classes = "balanced") {
  SampleRequest request;
  request.checkpoint = checkpoint;
  request.num = num;
  request.threads = 1;
  request.classes = classes;
  request.out_dir = folder.string();
  REQUIRE(run_sample(request) == 0);
  std::vector<fs::path> files;
  for (std::int64_t i = 0; i < num; ++i) files.push_back(folder / fmt::format("{:06d}.png", i));
  return {folder, scores_of_files(files)};
}

// The q-th quantile of a 1-D tensor (the element at that rank, no interpolation).
float quantile_of(const torch::Tensor& values, double q) {
  const torch::Tensor sorted = std::get<0>(values.sort());
  return sorted[static_cast<std::int64_t>(q * static_cast<double>(values.numel() - 1))].item<float>();
}

SampleRequest filtered_request(const std::string& checkpoint, const fs::path& out, std::int64_t num, double p) {
  SampleRequest request;
  request.checkpoint = checkpoint;
  request.num = num;
  request.threads = 1;
  request.out_dir = out.string();
  request.filter.keep_if = "classifier:" + filter_models().classifier;
  request.filter.min_confidence = p;
  return request;
}

}  // namespace

TEST_CASE("the kept set fills each class with its first passing candidates, whatever the batches", "[sample_filter]") {
  SECTION("quotas are plain balanced sampling's class counts") {
    const KeptSet kept(10, 3, 100);
    CHECK(kept.quota(0) == 4);  // images 0, 3, 6, 9
    CHECK(kept.quota(1) == 3);
    CHECK(kept.quota(2) == 3);
    const KeptSet few(2, 3, 100);  // fewer images than classes: class 2 gets none and is never drawn
    CHECK(few.quota(2) == 0);
    for (const Candidate& candidate : few.next(10)) CHECK(candidate.pool != 2);
  }
  for (const std::int64_t classes : {1, 3}) {
    for (const double share : {0.3, 0.9}) {
      DYNAMIC_SECTION(classes << " classes, pass rate " << share) {
        const auto passes = made_up_verdicts(share, classes);
        const SequentialKeep reference = keep_sequentially(40, classes, 100000, passes);
        REQUIRE(reference.complete);
        REQUIRE(reference.attempt_of_image.size() == 40);
        for (const std::int64_t batch : {1, 3, 7, 64, 1000}) {
          INFO("batch " << batch);
          const SequentialKeep batched = keep_in_batches(40, classes, 100000, passes, batch);
          CHECK(batched.complete);
          CHECK(batched.attempt_of_image == reference.attempt_of_image);
          CHECK(batched.attempts == reference.attempts);
        }
        // Image i holds class i mod K, as in plain balanced sampling.
        for (const auto& [image, attempt] : reference.attempt_of_image) CHECK(image % classes == attempt % classes);
      }
    }
  }
  SECTION("the attempt cap counts attempts in order, whatever the batches") {
    const auto passes = made_up_verdicts(0.5, 3);
    const SequentialKeep reference = keep_sequentially(40, 3, 60, passes);
    REQUIRE_FALSE(reference.complete);
    CHECK(reference.attempts == 60);
    for (const std::int64_t batch : {1, 5, 64}) {
      INFO("batch " << batch);
      const SequentialKeep batched = keep_in_batches(40, 3, 60, passes, batch);
      CHECK_FALSE(batched.complete);
      CHECK(batched.attempts == 60);
      CHECK(batched.attempt_of_image == reference.attempt_of_image);
    }
  }
  SECTION("a candidate of a class filled earlier in the same batch is dropped, not judged") {
    KeptSet kept(2, 2, 100);
    const std::vector<Candidate> drawn = kept.next(4);  // attempts 0, 1, 2, 3
    REQUIRE(drawn.size() == 4);
    const std::vector<Placement> placements = kept.record(drawn, {true, false, true, true});
    CHECK(placements[0].image == 0);
    CHECK((placements[1].judged && placements[1].image == -1));
    CHECK_FALSE(placements[2].judged);  // class 0 is full
    CHECK(placements[3].image == 1);
    CHECK(kept.attempts() == 3);
    CHECK(kept.complete());
    CHECK(kept.next(4).empty());
  }
}

TEST_CASE("filtered sampling's flags are refused on one line before any work", "[sample_filter]") {
  testing::TempDir dir;
  SampleRequest request;
  request.checkpoint = (dir / "no_such_run").string();
  request.num = 10;
  request.out_dir = (dir / "out").string();
  request.filter.keep_if = "classifier:runs/classifier";
  request.filter.min_confidence = 0.9;
  SECTION("--min-confidence outside [0, 1]") {
    request.filter.min_confidence = 1.5;
    CHECK_THROWS_WITH(run_sample(request), Contains("--min-confidence: expected a probability in [0, 1], got 1.5"));
    request.filter.min_confidence = -0.1;
    CHECK_THROWS_AS(run_sample(request), UsageError);
  }
  SECTION("--keep-if without classifier:") {
    request.filter.keep_if = "runs/classifier";
    CHECK_THROWS_WITH(run_sample(request), Contains("--keep-if 'runs/classifier': expected classifier:CHECKPOINT"));
    request.filter.keep_if = "inception:net.pt";
    CHECK_THROWS_AS(run_sample(request), UsageError);
  }
  SECTION("--keep-if without --min-confidence, and filter flags without --keep-if") {
    request.filter.min_confidence = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(run_sample(request), Contains("--keep-if needs --min-confidence"));
    request.filter = SampleFilter{};
    request.filter.max_attempts = 50;
    CHECK_THROWS_WITH(run_sample(request), Contains("--max-attempts belongs to filtered sampling"));
    request.filter = SampleFilter{};
    request.filter.reject_copies_of = "fashion-mnist:train";
    CHECK_THROWS_WITH(run_sample(request), Contains("--reject-copies-of belongs to filtered sampling"));
  }
  SECTION("a cap below --num, --copy-distance alone, a grid") {
    request.filter.max_attempts = 9;
    CHECK_THROWS_WITH(run_sample(request), Contains("--max-attempts 9: expected at least --num (10)"));
    request.filter.max_attempts = 0;
    request.filter.copy_distance = 2.0;
    CHECK_THROWS_WITH(run_sample(request), Contains("--copy-distance needs --reject-copies-of"));
    request.filter.copy_distance = std::numeric_limits<double>::quiet_NaN();
    request.out_dir.clear();
    request.grid_path = (dir / "grid.png").string();
    CHECK_THROWS_WITH(run_sample(request), Contains("give --out DIR, not --grid"));
  }
  CHECK_FALSE(fs::exists(dir / "out"));

  SECTION("from the command line: exit code 2 and one line") {
    const std::string base = testing::synthgen_binary() + " sample --checkpoint " +
                             testing::quoted(dir / "no_such_run") + " --num 10 --out " + testing::quoted(dir / "out");
    for (const auto& [flags, expected] : std::vector<std::pair<std::string, std::string>>{
             {"--keep-if classifier:x --min-confidence 2", "--min-confidence: expected a probability in [0, 1]"},
             {"--keep-if x --min-confidence 0.5", "expected classifier:CHECKPOINT"},
             {"--min-confidence 0.5", "give --keep-if classifier:CHECKPOINT"}}) {
      INFO(flags);
      const testing::CommandResult result = testing::run_command(base + " " + flags);
      CHECK(result.exit_code == 2);
      CHECK_THAT(testing::final_error_line(result.output), Contains(expected));
    }
  }
}

TEST_CASE("a filtered sample refuses a checkpoint that is not a classifier, and one that does not know the classes",
          "[sample_filter][slow]") {
  const FilterModels& models = filter_models();
  testing::TempDir dir;
  SampleRequest request = filtered_request(models.conditional, dir / "out", 4, 0.5);
  request.filter.keep_if = "classifier:" + models.unconditional;
  CHECK_THROWS_WITH(run_sample(request),
                    Contains("--keep-if classifier:") && Contains("holds a dcgan model, expected a classifier"));

  // A classifier of other classes: Fashion-MNIST's ten, none of them "blobs".
  Config fashion;
  fashion.model.family = "classifier";
  fashion.model.base_channels = 8;
  fashion.data.max_images = 64;
  fashion.train.steps = 1;
  fashion.train.batch_size = 8;
  fashion.run.device = "cpu";
  fashion.run.threads = 1;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, fashion, "fashion.yaml");
  train.out_dir = (dir / "fashion").string();
  REQUIRE(run_train(train) == 0);
  request.filter.keep_if = "classifier:" + train.out_dir;
  CHECK_THROWS_AS(run_sample(request), UsageError);
  CHECK_THROWS_WITH(run_sample(request), Contains("class 'blobs' is not a class of the test set") &&
                                             Contains("the classifier must know the generator's classes"));
  CHECK_FALSE(fs::exists(dir / "out" / "manifest.csv"));
}

TEST_CASE("an unconditional model keeps the first candidates the classifier is sure of, labelled by it",
          "[sample_filter][slow]") {
  const FilterModels& models = filter_models();
  testing::TempDir dir;
  const std::int64_t candidates = 96;
  const PlainSample plain = plain_sample(dir / "plain", models.unconditional, candidates);
  torch::Tensor best;
  torch::Tensor predicted;
  std::tie(best, predicted) = plain.scores.probabilities.max(1);
  const float p = quantile_of(best, 0.5);
  INFO("P = " << p << ", most confident " << best.max().item<float>());
  REQUIRE(p < best.max().item<float>());  // some candidates fail and some pass
  const std::int64_t num = 12;
  const SequentialKeep reference =
      keep_sequentially(num, 1, 1000, [&](std::int64_t a) { return best[a].item<float>() >= p; });
  REQUIRE(reference.complete);
  REQUIRE(reference.attempt_of_image.rbegin()->second < candidates);

  SampleRequest request = filtered_request(models.unconditional, dir / "kept", num, p);
  request.batch = 5;
  REQUIRE(run_sample(request) == 0);
  CHECK(manifest_header(dir / "kept") == "file,seed,label,class,confidence");
  const auto rows = testing::csv_records(dir / "kept" / "manifest.csv");
  REQUIRE(rows.size() == static_cast<std::size_t>(num));
  const std::vector<std::string> class_names = {"blobs", "circles"};
  std::vector<fs::path> kept_files;
  for (std::int64_t i = 0; i < num; ++i) {
    const std::int64_t attempt = reference.attempt_of_image.at(i);
    INFO("image " << i << ", attempt " << attempt);
    const auto& row = rows[static_cast<std::size_t>(i)];
    CHECK(row.at("file") == fmt::format("{:06d}.png", i));
    CHECK(row.at("seed") == std::to_string(attempt));
    // The label is the classifier's most probable class, with its name from the classifier.
    CHECK(row.at("label") == std::to_string(predicted[attempt].item<std::int64_t>()));
    CHECK(row.at("class") == class_names.at(std::stoul(row.at("label"))));
    CHECK(std::stod(row.at("confidence")) == Approx(best[attempt].item<float>()).epsilon(1e-5));
    // The same image as plain sampling makes from that seed.
    CHECK(bytes_of(dir / "kept" / row.at("file")) == bytes_of(plain.folder / fmt::format("{:06d}.png", attempt)));
    kept_files.push_back(dir / "kept" / row.at("file"));
  }
  // Re-scored from the files written: every kept image passes.
  const torch::Tensor rescored = std::get<0>(scores_of_files(kept_files).probabilities.max(1));
  CHECK(rescored.ge(p - 1e-6).all().item<bool>());

  SECTION("the same request gives the same files; another batch size too") {
    SampleRequest again = request;
    again.out_dir = (dir / "again").string();
    REQUIRE(run_sample(again) == 0);
    check_same_folders(dir / "kept", dir / "again");
    again.out_dir = (dir / "batch64").string();
    again.batch = 64;
    REQUIRE(run_sample(again) == 0);
    check_same_folders(dir / "kept", dir / "batch64");
  }
  SECTION("P = 0 keeps exactly what plain sampling writes") {
    SampleRequest all = request;
    all.out_dir = (dir / "all").string();
    all.filter.min_confidence = 0.0;
    REQUIRE(run_sample(all) == 0);
    const auto all_rows = testing::csv_records(dir / "all" / "manifest.csv");
    REQUIRE(all_rows.size() == static_cast<std::size_t>(num));
    for (std::int64_t i = 0; i < num; ++i) {
      CHECK(all_rows[static_cast<std::size_t>(i)].at("seed") == std::to_string(i));
      const std::string file = fmt::format("{:06d}.png", i);
      CHECK(bytes_of(dir / "all" / file) == bytes_of(plain.folder / file));
    }
  }
}

TEST_CASE("balanced filtered sampling fills every class with candidates the classifier agrees with",
          "[sample_filter][slow]") {
  const FilterModels& models = filter_models();
  testing::TempDir dir;
  const std::int64_t candidates = 96;
  const PlainSample plain = plain_sample(dir / "plain", models.conditional, candidates);
  // Plain image a has class a mod 2, as candidate a has.
  const torch::Tensor classes = torch::arange(candidates, torch::kLong).remainder(2);
  const torch::Tensor own = plain.scores.probabilities.gather(1, classes.unsqueeze(1)).squeeze(1);
  const torch::Tensor agrees = plain.scores.probabilities.argmax(1).eq(classes);
  INFO("the classifier agrees with " << agrees.sum().item<std::int64_t>() << " of " << candidates);
  const float p = quantile_of(own.masked_select(agrees), 0.3);
  const auto passes = [&](std::int64_t a) { return agrees[a].item<bool>() && own[a].item<float>() >= p; };
  const std::int64_t num = 10;
  const SequentialKeep reference = keep_sequentially(num, 2, 1000, passes);
  REQUIRE(reference.complete);
  REQUIRE(reference.attempt_of_image.rbegin()->second < candidates);

  SampleRequest request = filtered_request(models.conditional, dir / "kept", num, p);
  request.batch = 3;
  REQUIRE(run_sample(request) == 0);
  const auto rows = testing::csv_records(dir / "kept" / "manifest.csv");
  REQUIRE(rows.size() == static_cast<std::size_t>(num));
  std::map<std::string, int> per_class;
  for (std::int64_t i = 0; i < num; ++i) {
    const std::int64_t attempt = reference.attempt_of_image.at(i);
    INFO("image " << i << ", attempt " << attempt);
    const auto& row = rows[static_cast<std::size_t>(i)];
    CHECK(row.at("seed") == std::to_string(attempt));
    CHECK(row.at("label") == std::to_string(i % 2));  // image i has class i mod K, as in plain sampling
    CHECK(row.at("class") == (i % 2 == 0 ? "blobs" : "circles"));
    CHECK(std::stod(row.at("confidence")) == Approx(own[attempt].item<float>()).epsilon(1e-5));
    CHECK(std::stod(row.at("confidence")) >= p);
    CHECK(bytes_of(dir / "kept" / row.at("file")) == bytes_of(plain.folder / fmt::format("{:06d}.png", attempt)));
    ++per_class[row.at("class")];
  }
  CHECK(per_class == std::map<std::string, int>{{"blobs", 5}, {"circles", 5}});

  SECTION("another batch size gives the same files") {
    SampleRequest again = request;
    again.out_dir = (dir / "batch64").string();
    again.batch = 64;
    REQUIRE(run_sample(again) == 0);
    check_same_folders(dir / "kept", dir / "batch64");
  }
  SECTION("the classifier's classes are matched by name, not by index") {
    // A classifier of the same images numbered the other way round: its class 0 is "circles".
    const FilterModels& trained = filter_models();
    fs::create_directories(dir / "swapped");
    std::string manifest = "file,label,class\n";
    for (const auto& row : testing::csv_records(trained.dir / "labelled" / "manifest.csv")) {
      fs::copy_file(trained.dir / "labelled" / row.at("file"), dir / "swapped" / row.at("file"));
      manifest += fmt::format("{},{},{}\n", row.at("file"), row.at("label") == "0" ? 1 : 0, row.at("class"));
    }
    testing::write_bytes((dir / "swapped" / "manifest.csv").string(),
                         std::vector<std::uint8_t>(manifest.begin(), manifest.end()));
    Config config = load_config((trained.dir / "classifier.yaml").string());
    config.data.path = (dir / "swapped").string();
    TrainRequest train;
    train.config_path = testing::write_config_file(dir, config, "swapped.yaml");
    train.out_dir = (dir / "swapped_classifier").string();
    REQUIRE(run_train(train) == 0);
    const auto swapped = eval::open_feature_network("classifier:" + train.out_dir, torch::kCPU);
    REQUIRE(swapped->class_names() == std::vector<std::string>{"circles", "blobs"});

    SampleRequest by_name = request;
    by_name.out_dir = (dir / "by_name").string();
    by_name.filter.keep_if = "classifier:" + train.out_dir;
    by_name.filter.min_confidence = 0.5;
    REQUIRE(run_sample(by_name) == 0);
    std::vector<torch::Tensor> images;
    std::vector<std::int64_t> labels;
    for (const auto& row : testing::csv_records(dir / "by_name" / "manifest.csv")) {
      images.push_back(io::image_to_tensor(io::read_image((dir / "by_name" / row.at("file")).string(), 3)));
      labels.push_back(std::stoll(row.at("label")));
    }
    // Generator class 0 (blobs) is the swapped classifier's class 1, and the other way round.
    const torch::Tensor predicted = swapped->run(torch::stack(images), false, true).probabilities.argmax(1);
    CHECK(predicted.equal(1 - torch::tensor(labels)));
  }
  SECTION("one class") {
    // Every candidate has class 1 now: the reference is a plain sample of that class.
    const PlainSample circles = plain_sample(dir / "plain_circles", models.conditional, candidates, "circles");
    const torch::Tensor probability = circles.scores.probabilities.select(1, 1);
    const torch::Tensor agreeing = circles.scores.probabilities.argmax(1).eq(1);
    const SequentialKeep one_reference = keep_sequentially(
        4, 1, 1000, [&](std::int64_t a) { return agreeing[a].item<bool>() && probability[a].item<float>() >= p; });
    REQUIRE(one_reference.complete);
    SampleRequest one = request;
    one.out_dir = (dir / "circles").string();
    one.classes = "circles";
    one.num = 4;
    REQUIRE(run_sample(one) == 0);
    const auto one_rows = testing::csv_records(dir / "circles" / "manifest.csv");
    REQUIRE(one_rows.size() == 4);
    for (std::int64_t i = 0; i < 4; ++i) {
      const std::int64_t attempt = one_reference.attempt_of_image.at(i);
      CHECK(one_rows[static_cast<std::size_t>(i)].at("seed") == std::to_string(attempt));
      CHECK(one_rows[static_cast<std::size_t>(i)].at("label") == "1");
      CHECK(bytes_of(dir / "circles" / fmt::format("{:06d}.png", i)) ==
            bytes_of(circles.folder / fmt::format("{:06d}.png", attempt)));
    }
  }
  SECTION("the attempt cap ends the run with one line and no manifest") {
    const SequentialKeep capped = keep_sequentially(num, 2, num, passes);
    REQUIRE_FALSE(capped.complete);
    SampleRequest few = request;
    few.out_dir = (dir / "capped").string();
    few.filter.max_attempts = num;
    CHECK_THROWS_AS(run_sample(few), RuntimeError);
    few.overwrite = true;  // the failed run's images are recorded as its own
    CHECK_THROWS_WITH(run_sample(few), Contains(fmt::format("--max-attempts {} reached with {} of {} images kept", num,
                                                            capped.attempt_of_image.size(), num)) &&
                                           Contains("accepted per class: blobs ") && Contains("circles ") &&
                                           Contains("and no manifest.csv"));
    CHECK_FALSE(fs::exists(dir / "capped" / "manifest.csv"));
    for (const auto& [image, attempt] : capped.attempt_of_image) {
      CHECK(bytes_of(dir / "capped" / fmt::format("{:06d}.png", image)) ==
            bytes_of(plain.folder / fmt::format("{:06d}.png", attempt)));
    }
    // From the command line: exit code 1 and the same one line.
    const testing::CommandResult result = testing::run_command(
        testing::synthgen_binary() + " sample --checkpoint " + testing::quoted(models.conditional) +
        " --num 10 --threads 1 --max-attempts 10 --out " + testing::quoted(dir / "capped_cli") +
        " --keep-if classifier:" + testing::quoted(models.classifier) + fmt::format(" --min-confidence {}", p));
    CHECK(result.exit_code == 1);
    CHECK_THAT(testing::final_error_line(result.output), Contains("--max-attempts 10 reached"));
  }
}

TEST_CASE("copy rejection drops candidates nearer to a training image than the copy distance",
          "[sample_filter][slow]") {
  const FilterModels& models = filter_models();
  testing::TempDir dir;
  const std::int64_t candidates = 48;
  const PlainSample plain = plain_sample(dir / "plain", models.unconditional, candidates);
  // The training set: the generators' 16 images and copies of candidates 1, 4 and 6.
  fs::copy(models.data, dir / "training", fs::copy_options::recursive);
  for (const int copied : {1, 4, 6}) {
    fs::copy_file(plain.folder / fmt::format("{:06d}.png", copied),
                  dir / "training" / fmt::format("copy{}.png", copied));
  }
  std::vector<fs::path> training_files;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "training")) {
    if (entry.is_regular_file()) training_files.push_back(entry.path());
  }
  const torch::Tensor training = scores_of_files(training_files).features.to(torch::kFloat64);
  const torch::Tensor generated = plain.scores.features.to(torch::kFloat64);
  // Brute force: distances by explicit differences.
  const auto distances = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(2).sqrt();
  };
  const torch::Tensor nearest = std::get<0>(distances(generated, training).min(1));
  // The copy check's threshold, numpy.percentile(q=1) of each training image's nearest other one.
  torch::Tensor among = distances(training, training);
  among.masked_fill_(among.le(1e-6), std::numeric_limits<double>::infinity());
  const torch::Tensor own_nearest = std::get<0>(std::get<0>(among.min(1)).sort());
  const double position = 0.01 * static_cast<double>(own_nearest.numel() - 1);
  const auto below = static_cast<std::int64_t>(position);
  const double threshold = own_nearest[below].item<double>() +
                           (position - static_cast<double>(below)) *
                               (own_nearest[below + 1].item<double>() - own_nearest[below].item<double>());
  for (const int copied : {1, 4, 6}) REQUIRE(nearest[copied].item<double>() < threshold);

  const std::int64_t num = 8;
  SampleRequest request = filtered_request(models.unconditional, dir / "kept", num, 0.0);
  request.filter.reject_copies_of = (dir / "training").string();
  SECTION("at the copy check's threshold") {
    const SequentialKeep reference =
        keep_sequentially(num, 1, 1000, [&](std::int64_t a) { return nearest[a].item<double>() >= threshold; });
    REQUIRE(reference.complete);
    REQUIRE(reference.attempt_of_image.rbegin()->second < candidates);
    REQUIRE(run_sample(request) == 0);
    CHECK(manifest_header(dir / "kept") == "file,seed,label,class,confidence,nearest_distance");
    const auto rows = testing::csv_records(dir / "kept" / "manifest.csv");
    REQUIRE(rows.size() == static_cast<std::size_t>(num));
    for (std::int64_t i = 0; i < num; ++i) {
      const std::int64_t attempt = reference.attempt_of_image.at(i);
      const auto& row = rows[static_cast<std::size_t>(i)];
      CHECK(row.at("seed") == std::to_string(attempt));
      CHECK(std::stod(row.at("nearest_distance")) == Approx(nearest[attempt].item<double>()).epsilon(1e-4));
    }
  }
  SECTION("at a distance set by hand") {
    const double by_hand = quantile_of(nearest.to(torch::kFloat), 0.5);
    request.filter.copy_distance = by_hand;
    const SequentialKeep reference =
        keep_sequentially(num, 1, 1000, [&](std::int64_t a) { return nearest[a].item<double>() >= by_hand; });
    REQUIRE(reference.complete);
    REQUIRE(reference.attempt_of_image.rbegin()->second < candidates);
    REQUIRE(run_sample(request) == 0);
    const auto rows = testing::csv_records(dir / "kept" / "manifest.csv");
    for (std::int64_t i = 0; i < num; ++i) {
      CHECK(rows[static_cast<std::size_t>(i)].at("seed") == std::to_string(reference.attempt_of_image.at(i)));
      CHECK(std::stod(rows[static_cast<std::size_t>(i)].at("nearest_distance")) >= by_hand);
    }
  }
}
