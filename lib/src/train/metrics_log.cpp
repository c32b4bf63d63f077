#include "synthgen/train/metrics_log.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen::train {
namespace {

// The value of "step" in one of our own JSON lines, or -1.
std::int64_t step_of_line(const std::string& line) {
  const std::string key = "\"step\":";
  const std::size_t at = line.find(key);
  if (at == std::string::npos) return -1;
  try {
    return std::stoll(line.substr(at + key.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no inf/nan
  return fmt::format("{:.6g}", value);
}

}  // namespace

void truncate_metrics(const std::string& path, std::int64_t last_step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept;
  std::string line;
  while (std::getline(in, line)) {
    const std::int64_t step = step_of_line(line);
    if (step >= 0 && step <= last_step) kept += line + "\n";
  }
  io::write_file_atomic(path, kept.data(), kept.size(), /*sync=*/false);
}

MetricsLog::MetricsLog(const std::string& path, std::int64_t resume_step) : path_(path) {
  if (resume_step >= 0) truncate_metrics(path, resume_step);
  out_.open(path, std::ios::app);
  if (!out_) throw RuntimeError(fmt::format("cannot open '{}' for writing", path));
}

void MetricsLog::write(std::int64_t step, const MetricValues& values) {
  std::string line = fmt::format("{{\"step\":{}", step);
  for (const auto& [name, value] : values) line += fmt::format(",\"{}\":{}", name, json_number(value));
  line += "}\n";
  out_ << line;
  out_.flush();
  if (!out_) throw RuntimeError(fmt::format("cannot write to '{}'", path_));
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<std::int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

std::string format_progress(std::int64_t step, std::int64_t total, const MetricValues& values, double images_per_second,
                            double eta_seconds) {
  std::string line = fmt::format("step {}/{}", step, total);
  if (!values.empty()) {
    line += " |";
    for (const auto& [name, value] : values) line += fmt::format(" {} {:.4g}", name, value);
  }
  line += fmt::format(" | {:.0f} img/s | ETA {}", images_per_second, format_duration(eta_seconds));
  return line;
}

}  // namespace synthgen::train
