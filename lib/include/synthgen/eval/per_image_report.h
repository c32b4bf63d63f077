// `synthgen eval --per-image FILE.csv`: one row per image of a scored set, so that a person can
// sort a generated set by how real, how confident or how close to the training set each image is.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen::eval {

// What is known about each of `count` images; a part left empty/undefined leaves its columns out.
struct PerImageScores {
  std::int64_t count = 0;
  std::function<std::string(std::int64_t)> file;          // the image's file (ImageSource::item_name)
  torch::Tensor labels;                                   // int64 [N]: the set's own labels (manifest.csv's)
  std::vector<std::string> class_names;                   // names of those labels
  torch::Tensor probabilities;                            // float [N, K]: a classifier's class probabilities
  std::vector<std::string> predicted_names;               // names of the classifier's K classes
  torch::Tensor labels_as_predicted;                      // int64 [N]: `labels` in the classifier's numbering
  metrics::NearestNeighbours nearest;                     // to the reference (--real) set
  std::function<std::string(std::int64_t)> nearest_file;  // names a reference row
  torch::Tensor realism;                                  // float64 [N]: metrics::realism_scores
};

// The CSV text: a header row, then one row per image in set order. Columns, when known:
// index, file, label, class, predicted, predicted_class, predicted_probability,
// label_probability, nearest_distance, nearest_index, nearest_file, realism.
std::string per_image_csv(const PerImageScores& scores);

// Writes per_image_csv atomically: the file is complete, or absent (or as it was) on failure.
void write_per_image_csv(const std::string& path, const PerImageScores& scores);

}  // namespace synthgen::eval
