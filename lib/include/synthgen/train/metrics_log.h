// metrics.jsonl (one JSON object per logged step) and the human progress line.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace synthgen::train {

using MetricValues = std::vector<std::pair<std::string, double>>;

// Appends lines to `path`. On resume, lines for steps after the checkpoint are dropped first, so
// the file never holds two lines for one step.
class MetricsLog {
 public:
  MetricsLog(const std::string& path, std::int64_t resume_step);
  void write(std::int64_t step, const MetricValues& values);

 private:
  std::string path_;
  std::ofstream out_;
};

// Keeps only the lines of a metrics.jsonl whose "step" is at most `last_step` (atomic rewrite).
void truncate_metrics(const std::string& path, std::int64_t last_step);

// "1h02m", "4m12s", "37s".
std::string format_duration(double seconds);

// "step 1200/5000 | loss_d 0.623 loss_g 2.13 ... | 812 img/s | ETA 4m12s"
std::string format_progress(std::int64_t step, std::int64_t total, const MetricValues& values, double images_per_second,
                            double eta_seconds);

}  // namespace synthgen::train
