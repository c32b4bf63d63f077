#include "synthgen/eval/feature_extraction.h"

#include <fmt/format.h>

#include <chrono>

#include "synthgen/core/log.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen::eval {

ExtractedSet extract(ImageSource& source, FeatureNetwork& network, bool want_features, bool want_probabilities,
                     int batch, const std::string& role) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::vector<torch::Tensor> features;
  std::vector<torch::Tensor> probabilities;
  std::vector<torch::Tensor> labels;
  ExtractedSet set;
  const std::int64_t total = source.size();
  double last_report = 0.0;
  for (ImageBatch part = source.next(batch); part.images.defined(); part = source.next(batch)) {
    const NetworkOutputs outputs = network.run(part.images, want_features, want_probabilities);
    if (want_features) features.push_back(outputs.features);
    if (want_probabilities) probabilities.push_back(outputs.probabilities);
    if (part.labels.defined()) labels.push_back(part.labels);
    set.count += part.images.size(0);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed - last_report > 0.5 || set.count == total) {
      last_report = elapsed;
      const double rate = static_cast<double>(set.count) / std::max(elapsed, 1e-9);
      const std::string line = fmt::format("{}: {}/{} images | {:.0f} img/s | ETA {}", role, set.count, total, rate,
                                           train::format_duration(static_cast<double>(total - set.count) / rate));
      if (stderr_is_terminal()) log_status(line);
    }
  }
  log_status_done();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  log_info("{}: {} images through the network in {:.1f} s ({:.0f} img/s)", role, set.count, elapsed,
           static_cast<double>(set.count) / std::max(elapsed, 1e-9));
  if (!features.empty()) set.features = torch::cat(features);
  if (!probabilities.empty()) set.probabilities = torch::cat(probabilities);
  if (!labels.empty()) set.labels = torch::cat(labels);
  return set;
}

}  // namespace synthgen::eval
