#include "synthgen/eval/feature_extraction.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/log.h"
#include "synthgen/tasks/batch_progress.h"

namespace synthgen::eval {

ExtractedSet extract(ImageSource& source, FeatureNetwork& network, bool want_features, bool want_probabilities,
                     int batch, const std::string& role) {
  std::vector<torch::Tensor> features;
  std::vector<torch::Tensor> probabilities;
  std::vector<torch::Tensor> labels;
  ExtractedSet set;
  const std::int64_t total = source.size();
  // Log lines without a terminal too: a generator sampled on the CPU can take hours.
  BatchProgress progress(total, role + " images");
  for (ImageBatch part = source.next(batch); part.images.defined(); part = source.next(batch)) {
    const NetworkOutputs outputs = network.run(part.images, want_features, want_probabilities);
    if (want_features) features.push_back(outputs.features);
    if (want_probabilities) probabilities.push_back(outputs.probabilities);
    if (part.labels.defined()) labels.push_back(part.labels);
    set.count += part.images.size(0);
    progress.report(static_cast<double>(set.count), "", set.count == total);
  }
  log_status_done();
  const double elapsed = progress.elapsed();
  log_info("{}: {} images through the network in {:.1f} s ({:.0f} img/s)", role, set.count, elapsed,
           static_cast<double>(set.count) / std::max(elapsed, 1e-9));
  if (!features.empty()) set.features = torch::cat(features);
  if (!probabilities.empty()) set.probabilities = torch::cat(probabilities);
  if (!labels.empty()) set.labels = torch::cat(labels);
  return set;
}

}  // namespace synthgen::eval
