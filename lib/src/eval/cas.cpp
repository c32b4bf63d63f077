#include "synthgen/eval/cas.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "cas_sources.h"
#include "synthgen/config/load.h"
#include "synthgen/config/run_settings.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/rng_state.h"
#include "synthgen/core/runtime.h"
#include "synthgen/data/batches.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/eval/report.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/train/classifier_trainer.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen {
namespace {

using Clock = std::chrono::steady_clock;

// configs/classifier_fashion.yaml without its comments, built in so that `eval cas` needs no file
// relative to the current folder; a test keeps the two equal.
constexpr const char* kBuiltinClassifierConfig = R"(model:
  family: classifier
  base_channels: 32
data:
  source: fashion-mnist
  split: train
  image_size: 28
  channels: 1
  random_flip: true
train:
  steps: 3750
  batch_size: 128
  lr: 0.001
  lr_schedule: cosine
  betas: [0.9, 0.999]
  log_every: 100
  sample_every: 0
  checkpoint_every: 0
run:
  seed: 1
  device: auto
  threads: auto
)";
constexpr const char* kBuiltinClassifierName = "built-in classifier config (configs/classifier_fashion.yaml)";

models::ImageClassifier fit_classifier(const data::ImageDataset& set, const Config& config, const Runtime& runtime,
                                       const std::string& role) {
  seed_everything(config.run.seed);
  train::DataInfo info;
  info.num_classes = static_cast<std::int64_t>(set.class_names.size());
  info.class_names = set.class_names;
  train::ClassifierTrainer trainer(config, runtime.device, info);
  data::IndexStream stream(set.size(), config.run.seed);
  const TrainConfig& train = config.train;
  const Clock::time_point start = Clock::now();
  double last_report = 0.0;
  for (std::int64_t step = 0; step < train.steps; ++step) {
    const data::IndexStream::State position = stream.state();
    const std::vector<std::int64_t> indices = stream.next(train.batch_size);
    train::Batch batch;
    batch.images = data::gather_batch(set, indices, data::batch_augmentation(config.data), config.run.seed,
                                      position.epoch * set.size() + position.position)
                       .to(runtime.device);
    batch.labels = data::gather_labels(set, indices).to(runtime.device);
    trainer.set_learning_rate(train::scheduled_learning_rate(train, step));
    trainer.step(batch);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed - last_report > 0.5 && stderr_is_terminal()) {
      last_report = elapsed;
      const double rate = static_cast<double>((step + 1) * train.batch_size) / elapsed;
      log_status(
          fmt::format("training on {}: step {}/{} | {:.0f} img/s | ETA {}", role, step + 1, train.steps, rate,
                      train::format_duration(static_cast<double>((train.steps - step - 1) * train.batch_size) / rate)));
    }
  }
  log_status_done();
  log_info("trained on the {} images of {}: {} steps in {:.0f} s", set.size(), role, train.steps,
           std::chrono::duration<double>(Clock::now() - start).count());
  trainer.network()->eval();
  return trainer.network();
}

// Test accuracy overall and for each class of the test set: a generator that fails one class
// shows there, where the overall figure hides it.
struct Accuracy {
  double overall = 0.0;
  std::vector<double> per_class;
};

Accuracy accuracy_on(models::ImageClassifier& network, const data::ImageDataset& test, const Runtime& runtime) {
  torch::InferenceMode inference;
  const auto num_classes = static_cast<std::int64_t>(test.class_names.size());
  torch::Tensor correct = torch::zeros({num_classes}, torch::kLong);
  for (std::int64_t start = 0; start < test.size(); start += 500) {
    const std::int64_t count = std::min<std::int64_t>(500, test.size() - start);
    const torch::Tensor images = io::to_model_input(test.images.narrow(0, start, count), runtime.device);
    const torch::Tensor predicted = network->forward(images).argmax(1).cpu();
    const torch::Tensor labels = test.labels.narrow(0, start, count);
    correct += torch::bincount(labels.masked_select(predicted.eq(labels)), {}, num_classes);
  }
  const torch::Tensor totals = torch::bincount(test.labels, {}, num_classes);
  Accuracy accuracy;
  accuracy.overall = static_cast<double>(correct.sum().item<std::int64_t>()) / static_cast<double>(test.size());
  for (std::int64_t k = 0; k < num_classes; ++k) {
    const auto total = totals[k].item<std::int64_t>();
    accuracy.per_class.push_back(total == 0 ? std::numeric_limits<double>::quiet_NaN()
                                            : static_cast<double>(correct[k].item<std::int64_t>()) /
                                                  static_cast<double>(total));
  }
  return accuracy;
}

// Mean and sample standard deviation (n - 1; NaN, written null, for a single value).
struct MeanAndSpread {
  double mean = 0.0;
  double std = std::numeric_limits<double>::quiet_NaN();
};

MeanAndSpread mean_and_spread(const std::vector<double>& values) {
  MeanAndSpread summary;
  double sum = 0.0;
  for (const double value : values) sum += value;
  const auto count = static_cast<double>(values.size());
  summary.mean = sum / count;
  if (values.size() < 2) return summary;
  double squares = 0.0;
  for (const double value : values) squares += (value - summary.mean) * (value - summary.mean);
  summary.std = std::sqrt(squares / (count - 1.0));
  return summary;
}

// "0.8123" for one repeat, "0.8123 ± 0.0040" for more.
std::string with_spread(const MeanAndSpread& summary) {
  return std::isfinite(summary.std) ? fmt::format("{:.4f} ± {:.4f}", summary.mean, summary.std)
                                    : fmt::format("{:.4f}", summary.mean);
}

// One repeat: the classifier trained on --train and, with the same seed, the one trained on the
// baseline.
struct RepeatResult {
  std::uint64_t seed = 0;
  Accuracy mix;
  Accuracy baseline;  // empty per_class when there is no baseline
};

// Each repeat's figure picked out by `pick`.
template <class Pick>
std::vector<double> across_repeats(const std::vector<RepeatResult>& repeats, Pick pick) {
  std::vector<double> values;
  for (const RepeatResult& repeat : repeats) values.push_back(pick(repeat));
  return values;
}

// The sources of a training set as table rows and JSON entries.
std::vector<eval::JsonObject> source_rows(const std::string& flag, const CasTrainingSet& set, eval::Table& table) {
  std::vector<eval::JsonObject> entries;
  for (const CasSourcePart& part : set.parts) {
    table.row(fmt::format("{} {}", flag, part.spec), std::to_string(part.images), part.description);
    eval::JsonObject entry;
    entry.add("spec", part.spec).add("source", part.description).add("images", part.images);
    entries.push_back(entry);
  }
  if (set.parts.size() > 1) table.row(fmt::format("{} total", flag), std::to_string(set.data.size()), "images");
  return entries;
}

// One row and one JSON entry per test class: the mean over repeats of the --train classifier's
// accuracy, and the baseline's beside it.
eval::JsonObject per_class_rows(const std::vector<std::string>& names, const std::vector<RepeatResult>& repeats,
                                bool has_baseline, eval::Table& table) {
  eval::JsonObject per_class;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const double mix =
        mean_and_spread(across_repeats(repeats, [k](const RepeatResult& r) { return r.mix.per_class[k]; })).mean;
    eval::JsonObject entry;
    entry.add("cas", mix);
    std::string detail;
    if (has_baseline) {
      const double real =
          mean_and_spread(across_repeats(repeats, [k](const RepeatResult& r) { return r.baseline.per_class[k]; })).mean;
      entry.add("real_accuracy", real).add("gain", mix - real);
      detail = fmt::format("baseline: {:.4f}", real);
    }
    per_class.add(names[k], entry);
    table.row(fmt::format("  class {} ({})", k, names[k]), fmt::format("{:.4f}", mix), detail);
  }
  return per_class;
}

// The baseline's sources and the limit of those without their own :N.
struct BaselinePlan {
  std::vector<std::string> specs;  // empty: no baseline
  std::int64_t limit = 0;
};

// --baseline as given (none: no baseline), taken whole; or the real part of --train, with the
// limit its sources had there (the same images); or, when --train has none, fashion-mnist:train.
BaselinePlan baseline_plan(const CasRequest& request) {
  if (request.baseline.empty()) {
    const std::vector<std::string> real = real_part_of_cas_training(request.train);
    if (real.empty()) return {{"fashion-mnist:train"}, 0};
    return {real, request.num};
  }
  if (request.baseline.size() == 1 && request.baseline.front() == "none") return {};
  if (std::find(request.baseline.begin(), request.baseline.end(), "none") != request.baseline.end()) {
    throw UsageError("--baseline none skips the baseline and cannot be given beside other --baseline sources");
  }
  return {request.baseline, 0};
}

// The run.seed of repeat r's classifiers (both of them).
Config config_of_repeat(const Config& config, int repeat) {
  Config seeded = config;
  seeded.run.seed = config.run.seed + static_cast<std::uint64_t>(repeat);
  return seeded;
}

}  // namespace

Config cas_classifier_config(const CasRequest& request) {
  std::error_code ec;
  if (!request.config.empty() && !std::filesystem::is_regular_file(request.config, ec)) {
    throw UsageError(
        fmt::format("--config '{}': no such file (leave --config out for the built-in classifier "
                    "config, configs/classifier_fashion.yaml)",
                    request.config));
  }
  const Config config = request.config.empty()
                            ? load_config_text(kBuiltinClassifierConfig, kBuiltinClassifierName, request.overrides)
                            : load_config(request.config, request.overrides);
  const std::string name = request.config.empty() ? kBuiltinClassifierName : request.config;
  if (config.model.family != "classifier") {
    throw ConfigError(fmt::format("--config {}: model.family is {}, expected classifier", name, config.model.family));
  }
  if (config.data.subset != 0 || config.data.subset_seed != 0) {
    throw UsageError(
        fmt::format("{}: eval cas does not read data.subset or data.subset_seed; a source takes its "
                    "subset itself, e.g. --train fashion-mnist:train:1000:seed=3",
                    name));
  }
  return config;
}

int run_cas(const CasRequest& request) {
  if (request.train.empty()) throw UsageError("eval cas needs --train (the labelled training set)");
  if (request.repeats < 1) throw UsageError(fmt::format("--repeats {}: expected at least 1", request.repeats));
  // A misspelt count or seed is refused before anything is loaded.
  for (const std::string& spec : request.train) eval::parse_source_spec(spec);
  for (const std::string& spec : request.baseline) eval::parse_source_spec(spec);
  const BaselinePlan plan = baseline_plan(request);
  const std::vector<std::string>& baseline = plan.specs;
  if (baseline.empty() && !request.baseline_overrides.empty()) {
    throw UsageError("--baseline-set changes the baseline's classifier, and --baseline is none");
  }
  const std::string flag = given_sampling_flag(request.generator);
  const bool has_generator = std::any_of(request.train.begin(), request.train.end(),
                                         [](const std::string& spec) { return eval::names_generator(spec); }) ||
                             std::any_of(baseline.begin(), baseline.end(),
                                         [](const std::string& spec) { return eval::names_generator(spec); });
  if (!flag.empty() && !has_generator) {
    throw UsageError(
        fmt::format("{} sets how a generator is sampled, and no --train or --baseline source is a "
                    "checkpoint or run folder",
                    flag));
  }
  const Config config = cas_classifier_config(request);
  CasRequest baseline_request = request;
  baseline_request.overrides.insert(baseline_request.overrides.end(), request.baseline_overrides.begin(),
                                    request.baseline_overrides.end());
  const Config baseline_config = cas_classifier_config(baseline_request);
  RuntimeSettings settings = runtime_settings(config.run);
  settings.device = request.device;
  settings.threads = request.threads;
  const Runtime runtime = setup_runtime(settings);
  const eval::ImageFormat format{config.data.channels, config.data.image_size};

  eval::SourceOptions test_options;
  test_options.format = format;
  test_options.threads = runtime.threads;
  const std::unique_ptr<eval::ImageSource> test_source = eval::open_image_source(request.test, test_options);
  if (!test_source->has_labels()) throw UsageError(fmt::format("--test {}: expected a labelled set", request.test));
  const std::vector<std::string> test_names = test_source->class_names();
  data::ImageDataset test;
  {
    eval::LoadedImages loaded = eval::read_all(*test_source);
    test.images = loaded.images;
    test.labels = loaded.labels;
    test.class_names = test_names;
  }
  log_info("test: {}", test_source->describe());

  const CasTrainingSet mix = load_cas_training_set(request.train, {"--train", request.label_with, request.num}, request,
                                                   format, test_names, runtime);
  for (const CasSourcePart& part : mix.parts) log_info("--train: {}", part.description);
  CasTrainingSet real;
  const bool has_baseline = !baseline.empty();
  if (has_baseline) {
    real = load_cas_training_set(baseline, {"--baseline", "", plan.limit}, request, format, test_names, runtime);
    for (const CasSourcePart& part : real.parts) log_info("--baseline: {}", part.description);
  }

  std::vector<RepeatResult> repeats;
  for (int r = 0; r < request.repeats; ++r) {
    RepeatResult result;
    const Config seeded = config_of_repeat(config, r);
    result.seed = seeded.run.seed;
    const std::string suffix = request.repeats > 1 ? fmt::format(" (repeat {}/{})", r + 1, request.repeats) : "";
    models::ImageClassifier mix_net = fit_classifier(mix.data, seeded, runtime, "--train" + suffix);
    result.mix = accuracy_on(mix_net, test, runtime);
    if (has_baseline) {
      models::ImageClassifier real_net =
          fit_classifier(real.data, config_of_repeat(baseline_config, r), runtime, "--baseline" + suffix);
      result.baseline = accuracy_on(real_net, test, runtime);
    }
    repeats.push_back(result);
  }

  eval::Table table;
  eval::JsonObject json;
  json.add("test", test_source->describe());
  json.add("train", source_rows("--train", mix, table)).add("train_images", mix.data.size());
  if (has_baseline) {
    json.add("baseline", source_rows("--baseline", real, table)).add("baseline_images", real.data.size());
  }
  const MeanAndSpread mix_accuracy =
      mean_and_spread(across_repeats(repeats, [](const RepeatResult& r) { return r.mix.overall; }));
  eval::JsonObject figures;
  figures.add("cas", mix_accuracy.mean).add("cas_std", mix_accuracy.std);
  const std::string seeds = request.repeats > 1 ? fmt::format("{} repeats, classifier seeds {}..{}", request.repeats,
                                                              repeats.front().seed, repeats.back().seed)
                                                : fmt::format("classifier seed {}", repeats.front().seed);
  table.row("accuracy, trained on --train", with_spread(mix_accuracy), seeds);
  if (has_baseline) {
    const MeanAndSpread real_accuracy =
        mean_and_spread(across_repeats(repeats, [](const RepeatResult& r) { return r.baseline.overall; }));
    const MeanAndSpread gain = mean_and_spread(
        across_repeats(repeats, [](const RepeatResult& r) { return r.mix.overall - r.baseline.overall; }));
    const double ratio = mix_accuracy.mean / real_accuracy.mean;
    figures.add("real_accuracy", real_accuracy.mean)
        .add("real_accuracy_std", real_accuracy.std)
        .add("gain", gain.mean)
        .add("gain_std", gain.std)
        .add("cas_over_real", ratio);
    table.row("accuracy, trained on --baseline", with_spread(real_accuracy),
              request.baseline_overrides.empty() ? "the same classifier seeds"
                                                 : fmt::format("the same classifier seeds, with --baseline-set {}",
                                                               fmt::join(request.baseline_overrides, " ")));
    table.row("gain (--train - --baseline)", with_spread(gain),
              request.repeats > 1 ? "paired by seed: mean and sample std of the per-repeat differences" : "");
    table.row("CAS / real", fmt::format("{:.4f}", ratio));
  }
  std::vector<eval::JsonObject> per_repeat;
  for (const RepeatResult& result : repeats) {
    eval::JsonObject entry;
    entry.add("classifier_seed", static_cast<std::int64_t>(result.seed)).add("cas", result.mix.overall);
    if (has_baseline) {
      entry.add("real_accuracy", result.baseline.overall).add("gain", result.mix.overall - result.baseline.overall);
    }
    per_repeat.push_back(entry);
  }
  table.row(request.repeats > 1 ? "per test class (means over repeats)" : "per test class", "");
  const eval::JsonObject per_class = per_class_rows(test_names, repeats, has_baseline, table);
  json.add("classifier_config", request.config.empty() ? std::string(kBuiltinClassifierName) : request.config)
      .add("classifier_steps", config.train.steps)
      .add("classifier_batch", static_cast<std::int64_t>(config.train.batch_size))
      .add("seed", static_cast<std::int64_t>(request.seed))
      .add("repeats", static_cast<std::int64_t>(request.repeats))
      .add("metrics", figures)
      .add("per_repeat", per_repeat)
      .add("per_class", per_class);
  if (!request.baseline_overrides.empty()) {
    json.add("baseline_set", fmt::format("{}", fmt::join(request.baseline_overrides, " ")));
  }
  eval::publish_report(table, json, request.json_path);
  return 0;
}

}  // namespace synthgen
