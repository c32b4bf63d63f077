#include "synthgen/eval/distribution_eval.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"
#include "synthgen/core/text.h"
#include "synthgen/eval/copy_grid.h"
#include "synthgen/eval/feature_extraction.h"
#include "synthgen/eval/feature_network.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/eval/label_alignment.h"
#include "synthgen/eval/per_image_report.h"
#include "synthgen/eval/report.h"
#include "synthgen/io/npy.h"
#include "synthgen/metrics/copy_check.h"
#include "synthgen/metrics/frechet.h"
#include "synthgen/metrics/inception_score.h"
#include "synthgen/metrics/kid.h"
#include "synthgen/metrics/precision_recall.h"
#include "synthgen/metrics/realism.h"

namespace synthgen {
namespace {

bool wants(const DistributionEvalRequest& request, const std::string& metric) {
  return std::find(request.metrics.begin(), request.metrics.end(), metric) != request.metrics.end();
}

// What --metrics means when it is not given: what the given sets can be scored on.
std::vector<std::string> default_metrics(const DistributionEvalRequest& request) {
  if (!request.real.empty() && !request.fake.empty()) return {"fid", "kid", "pr"};
  if (!request.fake.empty()) return {"is"};
  return {"accuracy"};
}

void check_request(const DistributionEvalRequest& request) {
  static const std::vector<std::string> known = {"fid", "kid", "is", "pr", "accuracy", "copies"};
  for (const std::string& metric : request.metrics) {
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
      throw UsageError(
          fmt::format("--metrics: unknown metric '{}'; expected fid, kid, is, pr, accuracy or copies", metric));
    }
  }
  const bool two_sets = wants(request, "fid") || wants(request, "kid") || wants(request, "pr");
  if (two_sets && (request.real.empty() || request.fake.empty())) {
    throw UsageError("fid, kid and pr compare two sets: give --real and --fake");
  }
  if (wants(request, "copies") && (request.real.empty() || request.fake.empty())) {
    throw UsageError("copies compares a generated set with its training set: give --real TRAINING --fake GENERATED");
  }
  if (!request.copies_grid.empty() && !wants(request, "copies")) {
    throw UsageError(fmt::format("--copies-grid {}: the grid shows the copy check's pairs; add copies to --metrics",
                                 request.copies_grid));
  }
  if (!request.copies_grid.empty() && (ends_with(request.real, ".npy") || ends_with(request.fake, ".npy"))) {
    throw UsageError(
        fmt::format("--copies-grid {}: .npy features have no images to draw; give image sets", request.copies_grid));
  }
  if (wants(request, "is") && request.fake.empty()) throw UsageError("is scores one set: give --fake");
  if (wants(request, "accuracy") && request.real.empty()) {
    throw UsageError("accuracy scores the classifier on a labelled set: give --real");
  }
  if (wants(request, "accuracy") && request.features.rfind("classifier:", 0) != 0) {
    throw UsageError("accuracy needs --features classifier:CHECKPOINT");
  }
  const bool needs_network = !(ends_with(request.real, ".npy") || request.real.empty()) ||
                             !(ends_with(request.fake, ".npy") || request.fake.empty());
  if (request.features.empty() && needs_network) {
    throw UsageError("--features: expected inception:FILE.pt or classifier:CHECKPOINT to turn images into features");
  }
  const std::string flag = given_sampling_flag(request.generator);
  if (!flag.empty() && !eval::names_generator(request.real) && !eval::names_generator(request.fake)) {
    throw UsageError(
        fmt::format("{} sets how a generator is sampled, and neither --real nor --fake is a "
                    "checkpoint or run folder",
                    flag));
  }
  if (request.num < 0) throw UsageError(fmt::format("--num: expected >= 0, got {}", request.num));
  if (request.batch < 1) throw UsageError(fmt::format("--batch: expected >= 1, got {}", request.batch));
}

struct EvaluatedSet {
  eval::ExtractedSet data;
  std::vector<std::string> class_names;  // of data.labels, when the source names its classes
  std::string description;
  bool from_npy = false;
  std::unique_ptr<eval::ImageSource> source;  // read out, but it still names and shows its images
};

EvaluatedSet evaluate_set(const std::string& spec, const std::string& role, bool want_features, bool want_probabilities,
                          eval::FeatureNetwork* network, const DistributionEvalRequest& request,
                          const Runtime& runtime) {
  EvaluatedSet set;
  if (ends_with(spec, ".npy")) {
    if (want_probabilities) {
      throw UsageError(fmt::format("--{} {}: a .npy file holds features; is and accuracy need images", role, spec));
    }
    torch::Tensor features = io::read_npy(spec);
    if (features.dim() != 2) {
      throw RuntimeError(
          fmt::format("'{}': expected features of shape [N, D], found {} dimensions", spec, features.dim()));
    }
    if (request.num > 0 && features.size(0) > request.num) features = features.narrow(0, 0, request.num);
    set.data.features = features.to(torch::kFloat);
    set.data.count = features.size(0);
    set.description = fmt::format("features {} ({} x {})", spec, features.size(0), features.size(1));
    set.from_npy = true;
    return set;
  }
  eval::SourceOptions options;
  options.format = network->input_format();
  options.limit = request.num;
  options.seed = request.seed;
  options.device = runtime.device;
  options.threads = runtime.threads;
  options.generator = request.generator;
  set.source = eval::open_image_source(spec, options);
  set.description = set.source->describe();
  set.class_names = set.source->class_names();
  log_info("{}: {}", role, set.description);
  set.data = eval::extract(*set.source, *network, want_features, want_probabilities, request.batch, role);
  return set;
}

void check_same_width(const EvaluatedSet& real, const EvaluatedSet& fake) {
  if (real.data.features.size(1) != fake.data.features.size(1)) {
    throw RuntimeError(fmt::format("feature sizes differ: real {} has {}, fake {} has {}", real.description,
                                   real.data.features.size(1), fake.description, fake.data.features.size(1)));
  }
}

std::string save_prefix(const std::string& path) {
  return ends_with(path, ".npy") ? path.substr(0, path.size() - 4) : path;
}

// Where the copy check's grid goes: --copies-grid, else beside --json, else nowhere.
std::string copy_grid_path(const DistributionEvalRequest& request) {
  if (!request.copies_grid.empty()) return request.copies_grid;
  if (request.json_path.empty()) return "";
  const std::string stem = ends_with(request.json_path, ".json")
                               ? request.json_path.substr(0, request.json_path.size() - 5)
                               : request.json_path;
  return stem + ".copies.png";
}

bool is_classifier(const std::string& features) { return features.rfind("classifier:", 0) == 0; }

// --per-image: the rows of `set`, with distances to `reference` when there is one.
eval::PerImageScores per_image_scores(const EvaluatedSet& set, const EvaluatedSet* reference,
                                      const metrics::NearestNeighbours* nearest, const eval::FeatureNetwork* network,
                                      int realism_k) {
  eval::PerImageScores scores;
  scores.count = set.data.count;
  if (set.source) scores.file = [source = set.source.get()](std::int64_t i) { return source->item_name(i); };
  scores.labels = set.data.labels;
  scores.class_names = set.class_names;
  if (set.data.probabilities.defined()) {
    scores.probabilities = set.data.probabilities;
    scores.predicted_names = network->class_names();
    if (set.data.labels.defined()) {
      scores.labels_as_predicted =
          set.class_names.empty() || scores.predicted_names.empty()
              ? set.data.labels
              : align_labels(set.data.labels, set.class_names, scores.predicted_names, set.description);
    }
  }
  if (reference == nullptr) return scores;
  scores.nearest =
      nearest != nullptr ? *nearest : metrics::nearest_neighbours(set.data.features, reference->data.features);
  if (reference->source) {
    scores.nearest_file = [source = reference->source.get()](std::int64_t i) { return source->item_name(i); };
  }
  if (reference->data.count > realism_k) {
    scores.realism = metrics::realism_scores(reference->data.features, set.data.features, realism_k);
  } else {
    log_warn("--per-image: no realism score: it needs more than {} real images, and {} has {}", realism_k,
             reference->description, reference->data.count);
  }
  return scores;
}

}  // namespace

int run_distribution_eval(const DistributionEvalRequest& given) {
  DistributionEvalRequest request = given;
  if (request.metrics.empty()) {
    request.metrics = default_metrics(request);
    log_info("--metrics not given: {} (the default for {})", fmt::join(request.metrics, ","),
             request.real.empty()   ? "--fake alone"
             : request.fake.empty() ? "--real alone"
                                    : "--real and --fake");
  }
  check_request(request);
  RuntimeSettings settings;
  settings.device = request.device;
  settings.threads = request.threads;
  const Runtime runtime = setup_runtime(settings);

  std::unique_ptr<eval::FeatureNetwork> network;
  if (!request.features.empty()) network = eval::open_feature_network(request.features, runtime.device);
  const bool two_sets = wants(request, "fid") || wants(request, "kid") || wants(request, "pr");
  const bool copies = wants(request, "copies");
  // --per-image scores --fake, or --real when it is alone; distances to --real need both.
  const bool per_image = !request.per_image_path.empty();
  const bool rows_of_real = per_image && request.fake.empty();
  const bool both_sets = !request.real.empty() && !request.fake.empty();
  const bool want_features = two_sets || copies || (per_image && both_sets);
  const auto predictions_for = [&](const std::string& spec) {
    return per_image && is_classifier(request.features) && !ends_with(spec, ".npy");
  };

  std::optional<EvaluatedSet> real;
  std::optional<EvaluatedSet> fake;
  if (!request.real.empty() && (want_features || wants(request, "accuracy") || rows_of_real)) {
    const bool want_probabilities = wants(request, "accuracy") || (rows_of_real && predictions_for(request.real));
    real = evaluate_set(request.real, "real", want_features, want_probabilities, network.get(), request, runtime);
    if (wants(request, "accuracy") && !real->data.labels.defined()) {
      throw UsageError(fmt::format("accuracy needs labels, and {} has none", real->description));
    }
  }
  if (!request.fake.empty() && (want_features || wants(request, "is") || per_image)) {
    const bool want_probabilities = wants(request, "is") || predictions_for(request.fake);
    fake = evaluate_set(request.fake, "fake", want_features, want_probabilities, network.get(), request, runtime);
  }
  if (want_features) check_same_width(*real, *fake);

  eval::JsonObject json;
  eval::Table table;
  if (network) {
    json.add("feature_network", network->name());
    json.add("protocol", network->protocol());
  }
  for (const auto* set : {&real, &fake}) {
    if (!set->has_value()) continue;
    eval::JsonObject part;
    part.add("source", (*set)->description).add("count", (*set)->data.count);
    json.add(set == &real ? "real" : "fake", part);
  }
  json.add("seed", static_cast<std::int64_t>(request.seed));

  eval::JsonObject figures;
  if (wants(request, "fid")) {
    const double fid = metrics::frechet_distance(metrics::feature_stats(real->data.features),
                                                 metrics::feature_stats(fake->data.features));
    figures.add("fid", fid);
    table.row("FID", fmt::format("{:.4f}", fid));
  }
  if (wants(request, "kid")) {
    const metrics::KidResult kid = metrics::kernel_inception_distance(
        real->data.features, fake->data.features, request.kid_subsets, request.kid_subset_size, request.seed);
    if (kid.subset_size < request.kid_subset_size) {
      log_warn("KID: --kid-subset-size {} is more than the smaller set holds; subsets of {} images{}",
               request.kid_subset_size, kid.subset_size,
               kid.num_subsets < request.kid_subsets ? ", and one subset: both sets whole, so no spread" : "");
    }
    figures.add("kid", eval::JsonObject()
                           .add("mean", kid.mean)
                           .add("std", kid.std)
                           .add("num_subsets", kid.num_subsets)
                           .add("subset_size", kid.subset_size)
                           .add("requested_subset_size", request.kid_subset_size));
    table.row("KID", fmt::format("{:.6f}", kid.mean),
              kid.num_subsets == 1
                  ? fmt::format("1 subset of {} (both sets whole: no spread)", kid.subset_size)
                  : fmt::format("± {:.6f} over {} subsets of {}", kid.std, kid.num_subsets, kid.subset_size));
  }
  if (wants(request, "pr")) {
    const metrics::PrecisionRecallResult pr =
        metrics::precision_recall(real->data.features, fake->data.features, request.pr_k);
    figures.add("precision", pr.precision).add("recall", pr.recall).add("pr_k", static_cast<std::int64_t>(pr.k));
    table.row("precision", fmt::format("{:.4f}", pr.precision), fmt::format("k = {}", pr.k));
    table.row("recall", fmt::format("{:.4f}", pr.recall), fmt::format("k = {}", pr.k));
  }
  if (wants(request, "is")) {
    const metrics::InceptionScoreResult score = metrics::inception_score(fake->data.probabilities, request.is_splits);
    figures.add("is", eval::JsonObject()
                          .add("mean", score.mean)
                          .add("std", score.std)
                          .add("splits", static_cast<std::int64_t>(score.splits)));
    table.row("IS", fmt::format("{:.4f}", score.mean), fmt::format("± {:.4f} over {} splits", score.std, score.splits));
  }
  if (wants(request, "accuracy")) {
    const torch::Tensor predicted = real->data.probabilities.argmax(1);
    // Class folders are numbered in name order; the classifier's own numbering may differ (a folder
    // holding only "Ankle boot" is class 0 of its set but class 9 of Fashion-MNIST).
    torch::Tensor labels = real->data.labels;
    const std::vector<std::string> network_names = network->class_names();
    if (!real->class_names.empty() && !network_names.empty()) {
      labels = align_labels(labels, real->class_names, network_names, real->description);
    }
    const double accuracy = predicted.eq(labels).to(torch::kDouble).mean().item<double>();
    figures.add("accuracy", accuracy);
    table.row("accuracy", fmt::format("{:.4f}", accuracy), fmt::format("on {} labelled images", real->data.count));
  }
  std::optional<metrics::CopyCheckResult> copy_check;
  std::string grid_path;
  if (copies) {
    copy_check = metrics::copy_check(real->data.features, fake->data.features);
    grid_path = copy_grid_path(request);
    if (!grid_path.empty() && (real->from_npy || fake->from_npy)) {
      log_info("copies: no grid of pairs: .npy features have no images to draw");
      grid_path.clear();
    }
    figures.add("copies", eval::JsonObject()
                              .add("share", copy_check->share)
                              .add("count", copy_check->copies)
                              .add("generated", copy_check->generated)
                              .add("threshold", copy_check->threshold)
                              .add("threshold_percentile", metrics::kCopyPercentile)
                              .add("training_distances", copy_check->training_distances)
                              .add("grid", grid_path));
    table.row("copies", fmt::format("{:.4f}", copy_check->share),
              fmt::format("{} of {} nearer to a training image than {:.6g} (1st percentile of training 1-NN distances)",
                          copy_check->copies, copy_check->generated, copy_check->threshold));
  }
  json.add("metrics", figures);

  if (!grid_path.empty()) eval::write_copy_grid(grid_path, *fake->source, *real->source, copy_check->nearest);
  if (per_image) {
    const EvaluatedSet& rows = rows_of_real ? *real : *fake;
    const EvaluatedSet* reference = both_sets ? &*real : nullptr;
    const metrics::NearestNeighbours* nearest = copy_check ? &copy_check->nearest : nullptr;
    eval::write_per_image_csv(request.per_image_path,
                              per_image_scores(rows, reference, nearest, network.get(), request.pr_k));
  }

  if (!request.save_features.empty()) {
    const std::string prefix = save_prefix(request.save_features);
    for (const auto* set : {&real, &fake}) {
      if (!set->has_value() || (*set)->from_npy || !(*set)->data.features.defined()) continue;
      const std::string path = prefix + (set == &real ? ".real.npy" : ".fake.npy");
      io::write_npy(path, (*set)->data.features);
      log_info("wrote {} features to {}", (*set)->data.features.size(0), path);
    }
  }
  if (network) table.row("features", "", network->name());
  eval::publish_report(table, json, request.json_path);
  return 0;
}

}  // namespace synthgen
