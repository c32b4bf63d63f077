#include "candidate_judge.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/eval/feature_extraction.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/eval/label_alignment.h"
#include "synthgen/metrics/copy_check.h"
#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen {
namespace {

// The classifier's number of classes, from one pass: a run trained on unnamed labels stores no
// names to count.
std::int64_t classifier_class_count(eval::FeatureNetwork& network) {
  const eval::ImageFormat format = network.input_format();
  const torch::Tensor blank = torch::zeros({1, format.channels, format.size, format.size}, torch::kUInt8);
  return network.run(blank, false, true).probabilities.size(1);
}

// For each of the generator's classes, the classifier's: by name when both name their classes
// (align_labels: "Bag" is Bag wherever each numbers it), else the same index.
torch::Tensor match_generator_classes(const ImageGenerator& generator, eval::FeatureNetwork& network,
                                      const std::string& flag) {
  const std::int64_t classes = generator.num_classes();
  const torch::Tensor own = torch::arange(classes, torch::TensorOptions().dtype(torch::kLong));
  const std::vector<std::string>& names = generator.class_names();
  const std::vector<std::string> classifier_names = network.class_names();
  if (!names.empty() && !classifier_names.empty()) {
    try {
      return align_labels(own, names, classifier_names, flag);
    } catch (const RuntimeError& e) {
      throw UsageError(fmt::format("{}; the classifier must know the generator's classes", e.what()));
    }
  }
  const std::int64_t classifier_classes = classifier_class_count(network);
  if (classifier_classes < classes) {
    throw UsageError(fmt::format("{}: the classifier knows {} classes, and the generator makes {}", flag,
                                 classifier_classes, classes));
  }
  return own;
}

}  // namespace

CandidateJudge::CandidateJudge(const SampleFilter& filter, const ImageGenerator& generator, const Runtime& runtime,
                               int batch)
    : min_confidence_(filter.min_confidence) {
  const std::string flag = "--keep-if " + filter.keep_if;
  try {
    network_ = eval::open_feature_network(filter.keep_if, runtime.device);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("{}: {}", flag, e.what()));
  }
  if (generator.num_classes() > 0) {
    classifier_class_ = match_generator_classes(generator, *network_, flag);
    label_names_ = generator.class_names();
  } else {
    label_names_ = network_->class_names();
  }
  if (filter.reject_copies_of.empty()) return;
  if (eval::names_generator(filter.reject_copies_of)) {
    throw UsageError(fmt::format(
        "--reject-copies-of {}: expected the generator's training set (fashion-mnist:train or an image folder), "
        "not a checkpoint",
        filter.reject_copies_of));
  }
  eval::SourceOptions options;
  options.format = network_->input_format();
  options.device = runtime.device;
  options.threads = runtime.threads;
  std::unique_ptr<eval::ImageSource> source = eval::open_image_source(filter.reject_copies_of, options);
  log_info("near-copies of: {}", source->describe());
  training_features_ =
      eval::extract(*source, *network_, true, false, batch, "training").features.to(torch::kFloat64).contiguous();
  if (!std::isnan(filter.copy_distance)) {
    copy_distance_ = filter.copy_distance;
    return;
  }
  const metrics::CopyThreshold threshold = metrics::copy_threshold(training_features_);
  copy_distance_ = threshold.threshold;
  log_info("near-copy distance {:.6g}: the {}st percentile of {} training images' distances to their nearest other one",
           copy_distance_, metrics::kCopyPercentile, threshold.training_distances);
}

std::vector<CandidateVerdict> CandidateJudge::judge(const torch::Tensor& images, const torch::Tensor& labels) {
  const eval::NetworkOutputs outputs =
      network_->run(eval::conform_images(images, network_->input_format()), rejects_copies(), true);
  const torch::Tensor probabilities = outputs.probabilities;
  const std::int64_t count = probabilities.size(0);
  torch::Tensor label;
  torch::Tensor confidence;
  torch::Tensor agrees;
  if (labels.defined()) {
    const torch::Tensor wanted = classifier_class_.index_select(0, labels.to(torch::kCPU));
    label = labels.to(torch::kCPU);
    confidence = probabilities.gather(1, wanted.unsqueeze(1)).squeeze(1);
    agrees = probabilities.argmax(1).eq(wanted);
  } else {
    std::tie(confidence, label) = probabilities.max(1);
    agrees = torch::ones({count}, torch::kBool);
  }
  std::vector<CandidateVerdict> verdicts(static_cast<std::size_t>(count));
  std::vector<std::int64_t> confident_rows;
  for (std::int64_t i = 0; i < count; ++i) {
    CandidateVerdict& verdict = verdicts[static_cast<std::size_t>(i)];
    verdict.label = label[i].item<std::int64_t>();
    verdict.confidence = confidence[i].item<float>();
    verdict.confident = agrees[i].item<bool>() && static_cast<double>(verdict.confidence) >= min_confidence_;
    if (verdict.confident) confident_rows.push_back(i);
  }
  // Distances only for the candidates still in the running: a large training set makes them the
  // costly part.
  if (rejects_copies() && !confident_rows.empty()) {
    const torch::Tensor rows = torch::tensor(confident_rows, torch::TensorOptions().dtype(torch::kLong));
    const metrics::NearestNeighbours nearest =
        metrics::nearest_neighbours(outputs.features.index_select(0, rows), training_features_);
    for (std::size_t j = 0; j < confident_rows.size(); ++j) {
      CandidateVerdict& verdict = verdicts[static_cast<std::size_t>(confident_rows[j])];
      verdict.distance = nearest.distance[static_cast<std::int64_t>(j)].item<double>();
      // The copy check counts distance < threshold as a copy.
      verdict.near_copy = verdict.distance < copy_distance_;
    }
  }
  return verdicts;
}

}  // namespace synthgen
