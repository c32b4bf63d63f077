#include "synthgen/eval/per_image_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "synthgen/core/csv.h"
#include "synthgen/core/log.h"
#include "synthgen/io/file_io.h"

namespace synthgen::eval {
namespace {

std::string name_or_number(const std::vector<std::string>& names, std::int64_t index) {
  if (index >= 0 && index < static_cast<std::int64_t>(names.size())) return names[static_cast<std::size_t>(index)];
  return std::to_string(index);
}

}  // namespace

std::string per_image_csv(const PerImageScores& scores) {
  const bool has_file = static_cast<bool>(scores.file);
  const bool has_labels = scores.labels.defined();
  const bool has_predictions = scores.probabilities.defined();
  const bool has_label_probability = has_predictions && scores.labels_as_predicted.defined();
  const bool has_nearest = scores.nearest.distance.defined();
  const bool has_nearest_file = has_nearest && static_cast<bool>(scores.nearest_file);
  const bool has_realism = scores.realism.defined();

  std::vector<std::string> header = {"index"};
  if (has_file) header.push_back("file");
  if (has_labels) header.insert(header.end(), {"label", "class"});
  if (has_predictions) header.insert(header.end(), {"predicted", "predicted_class", "predicted_probability"});
  if (has_label_probability) header.push_back("label_probability");
  if (has_nearest) header.insert(header.end(), {"nearest_distance", "nearest_index"});
  if (has_nearest_file) header.push_back("nearest_file");
  if (has_realism) header.push_back("realism");
  std::string text = fmt::format("{}\n", fmt::join(header, ","));

  // Whole columns on the CPU first: one item() per row and column would be slow.
  torch::Tensor best_probability;
  torch::Tensor predicted;
  torch::Tensor label_probability;
  if (has_predictions) {
    const torch::Tensor probabilities = scores.probabilities.to(torch::kCPU, torch::kDouble);
    std::tie(best_probability, predicted) = probabilities.max(1);
    if (has_label_probability) {
      label_probability = probabilities.gather(1, scores.labels_as_predicted.to(torch::kCPU).unsqueeze(1)).squeeze(1);
    }
  }
  const auto column = [](const torch::Tensor& tensor, auto type) {
    using T = decltype(type);
    const torch::Tensor flat = tensor.to(torch::kCPU, c10::CppTypeToScalarType<T>::value).contiguous();
    return std::vector<T>(flat.data_ptr<T>(), flat.data_ptr<T>() + flat.numel());
  };
  std::vector<std::int64_t> labels, predicted_at, nearest_index;
  std::vector<double> best_at, label_probability_at, nearest_distance, realism;
  if (has_labels) labels = column(scores.labels, std::int64_t{});
  if (has_predictions) {
    predicted_at = column(predicted, std::int64_t{});
    best_at = column(best_probability, double{});
  }
  if (has_label_probability) label_probability_at = column(label_probability, double{});
  if (has_nearest) {
    nearest_distance = column(scores.nearest.distance, double{});
    nearest_index = column(scores.nearest.index, std::int64_t{});
  }
  if (has_realism) realism = column(scores.realism, double{});

  for (std::int64_t i = 0; i < scores.count; ++i) {
    const auto at = static_cast<std::size_t>(i);
    std::string row = std::to_string(i);
    if (has_file) row += "," + csv_field(scores.file(i));
    if (has_labels) row += fmt::format(",{},{}", labels[at], csv_field(name_or_number(scores.class_names, labels[at])));
    if (has_predictions) {
      row += fmt::format(",{},{},{:.9g}", predicted_at[at],
                         csv_field(name_or_number(scores.predicted_names, predicted_at[at])), best_at[at]);
    }
    if (has_label_probability) row += fmt::format(",{:.9g}", label_probability_at[at]);
    if (has_nearest) row += fmt::format(",{:.9g},{}", nearest_distance[at], nearest_index[at]);
    if (has_nearest_file) row += "," + csv_field(scores.nearest_file(nearest_index[at]));
    if (has_realism) row += fmt::format(",{:.9g}", realism[at]);
    text += row + "\n";
  }
  return text;
}

void write_per_image_csv(const std::string& path, const PerImageScores& scores) {
  const std::string text = per_image_csv(scores);
  io::write_file_atomic(path, text.data(), text.size(), /*sync=*/true);
  log_info("wrote {} per-image rows to {}", scores.count, path);
}

}  // namespace synthgen::eval
