#include "synthgen/eval/cas.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "synthgen/config/load.h"
#include "synthgen/config/run_settings.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/rng_state.h"
#include "synthgen/core/runtime.h"
#include "synthgen/data/batches.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/eval/label_alignment.h"
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

struct LabelledSet {
  data::ImageDataset data;  // labels in the test set's numbering
  std::string description;
};

LabelledSet load_labelled(const std::string& spec, const CasRequest& request, const eval::ImageFormat& format,
                          const std::vector<std::string>& test_names, const Runtime& runtime, std::int64_t limit) {
  eval::SourceOptions options;
  options.format = format;
  options.limit = limit;
  options.seed = request.seed;
  options.device = runtime.device;
  options.threads = runtime.threads;
  options.generator = request.generator;
  const std::unique_ptr<eval::ImageSource> source = eval::open_image_source(spec, options);
  LabelledSet set;
  set.description = source->describe();
  const std::vector<std::string> names = source->class_names();
  eval::LoadedImages images = eval::read_all(*source);
  set.data.images = images.images;
  set.data.class_names = test_names;
  if (images.labels.defined()) {
    set.data.labels = align_labels(images.labels, names, test_names, spec);
  } else if (!request.label_with.empty()) {
    train::LoadedClassifier labeller = train::load_classifier(request.label_with, runtime.device);
    const eval::ImageFormat labeller_format{labeller.config.data.channels, labeller.config.data.image_size};
    std::vector<torch::Tensor> predicted;
    torch::InferenceMode inference;
    for (std::int64_t start = 0; start < set.data.size(); start += 500) {
      const torch::Tensor part = eval::conform_images(
          set.data.images.narrow(0, start, std::min<std::int64_t>(500, set.data.size() - start)), labeller_format);
      predicted.push_back(labeller.network->forward(io::to_model_input(part, runtime.device)).argmax(1).cpu());
    }
    set.data.labels = align_labels(torch::cat(predicted), labeller.class_names, test_names, request.label_with);
    set.description += fmt::format(", labelled by the classifier {}", labeller.path);
  } else {
    throw UsageError(
        fmt::format("--train {}: {} has no labels; give a folder with one sub-folder per class or a "
                    "manifest.csv with a label column (sample of a conditional model), or "
                    "--label-with CLASSIFIER to label it",
                    spec, set.description));
  }
  return set;
}

models::ImageClassifier fit_classifier(const LabelledSet& set, const Config& config, const Runtime& runtime,
                                       const std::string& role) {
  seed_everything(config.run.seed);
  train::DataInfo info;
  info.num_classes = static_cast<std::int64_t>(set.data.class_names.size());
  info.class_names = set.data.class_names;
  train::ClassifierTrainer trainer(config, runtime.device, info);
  data::IndexStream stream(set.data.size(), config.run.seed);
  const TrainConfig& train = config.train;
  const Clock::time_point start = Clock::now();
  double last_report = 0.0;
  for (std::int64_t step = 0; step < train.steps; ++step) {
    const data::IndexStream::State position = stream.state();
    const std::vector<std::int64_t> indices = stream.next(train.batch_size);
    train::Batch batch;
    batch.images = data::gather_batch(set.data, indices, config.data.random_flip, config.run.seed,
                                      position.epoch * set.data.size() + position.position)
                       .to(runtime.device);
    batch.labels = data::gather_labels(set.data, indices).to(runtime.device);
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
  log_info("trained on {} images of the {} set: {} steps in {:.0f} s", set.data.size(), role, train.steps,
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

// One row and one JSON entry per test class: the synthetic-trained accuracy, and the real-trained
// one beside it when there is a baseline.
eval::JsonObject per_class_rows(const std::vector<std::string>& names, const Accuracy& synthetic, const Accuracy* real,
                                eval::Table& table) {
  eval::JsonObject per_class;
  for (std::size_t k = 0; k < names.size(); ++k) {
    eval::JsonObject entry;
    entry.add("cas", synthetic.per_class[k]);
    std::string detail;
    if (real != nullptr) {
      entry.add("real_accuracy", real->per_class[k]);
      detail = fmt::format("trained on real: {:.4f}", real->per_class[k]);
    }
    per_class.add(names[k], entry);
    table.row(fmt::format("  class {} ({})", k, names[k]), fmt::format("{:.4f}", synthetic.per_class[k]), detail);
  }
  return per_class;
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
  if (config.model.family != "classifier") {
    throw ConfigError(fmt::format("--config {}: model.family is {}, expected classifier",
                                  request.config.empty() ? kBuiltinClassifierName : request.config,
                                  config.model.family));
  }
  return config;
}

int run_cas(const CasRequest& request) {
  if (request.train.empty()) throw UsageError("eval cas needs --train (the labelled synthetic set)");
  const std::string flag = given_sampling_flag(request.generator);
  if (!flag.empty() && !eval::names_generator(request.train)) {
    throw UsageError(fmt::format("{} sets how a generator is sampled, and --train {} is not a checkpoint or run folder",
                                 flag, request.train));
  }
  const Config config = cas_classifier_config(request);
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

  const LabelledSet synthetic = load_labelled(request.train, request, format, test_names, runtime, request.num);
  log_info("synthetic: {}", synthetic.description);
  models::ImageClassifier synthetic_net = fit_classifier(synthetic, config, runtime, "synthetic");
  const Accuracy synthetic_accuracy = accuracy_on(synthetic_net, test, runtime);

  eval::Table table;
  eval::JsonObject figures;
  figures.add("cas", synthetic_accuracy.overall);
  table.row("CAS (trained on synthetic)", fmt::format("{:.4f}", synthetic_accuracy.overall),
            fmt::format("{} images: {}", synthetic.data.size(), synthetic.description));
  eval::JsonObject json;
  json.add("test", test_source->describe()).add("synthetic", synthetic.description);
  Accuracy real_accuracy;
  const bool has_baseline = request.baseline != "none";
  if (has_baseline) {
    CasRequest real_request = request;
    real_request.label_with.clear();
    const LabelledSet real = load_labelled(request.baseline, real_request, format, test_names, runtime, 0);
    models::ImageClassifier real_net = fit_classifier(real, config, runtime, "real");
    real_accuracy = accuracy_on(real_net, test, runtime);
    const double ratio = synthetic_accuracy.overall / real_accuracy.overall;
    figures.add("real_accuracy", real_accuracy.overall).add("cas_over_real", ratio);
    table.row("trained on real", fmt::format("{:.4f}", real_accuracy.overall),
              fmt::format("{} images: {}", real.data.size(), real.description));
    table.row("CAS / real", fmt::format("{:.4f}", ratio));
    json.add("baseline", real.description);
  }
  table.row("CAS per test class", "");
  const eval::JsonObject per_class =
      per_class_rows(test_names, synthetic_accuracy, has_baseline ? &real_accuracy : nullptr, table);
  json.add("classifier_config", request.config.empty() ? std::string(kBuiltinClassifierName) : request.config)
      .add("classifier_steps", config.train.steps)
      .add("classifier_batch", static_cast<std::int64_t>(config.train.batch_size))
      .add("seed", static_cast<std::int64_t>(request.seed))
      .add("metrics", figures)
      .add("per_class", per_class);
  eval::publish_report(table, json, request.json_path);
  return 0;
}

}  // namespace synthgen
