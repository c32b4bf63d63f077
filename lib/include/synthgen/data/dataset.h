// Training images decoded once into memory: the data sources and the uint8 cache they fill.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::data {

struct ImageDataset {
  torch::Tensor images;                  // uint8 [N, C, H, W], CPU, contiguous
  torch::Tensor labels;                  // int64 [N], or undefined when the data has no labels
  std::vector<std::string> class_names;  // label i's name; empty when unlabelled

  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
  int channels() const { return static_cast<int>(images.size(1)); }
  int image_size() const { return static_cast<int>(images.size(2)); }
};

struct LoadStats {
  std::int64_t loaded = 0;   // images in the data set
  std::int64_t skipped = 0;  // files that could not be used (each reported with a warning)
};

// The data of cfg.source (fashion-mnist | idx | folder), resized and centre-cropped to
// cfg.image_size, converted to cfg.channels, cut to cfg.max_images. `threads` workers decode image
// files. Throws UsageError for a missing path and RuntimeError for unusable data.
ImageDataset load_dataset(const DataConfig& cfg, int threads, LoadStats* stats = nullptr);

// Throws UsageError, as load_dataset would, when the files or folder that cfg.source reads from
// (data.path, data.labels, Fashion-MNIST's files) do not exist: a check cheap enough to run before
// anything is written.
void check_data_paths(const DataConfig& cfg);

// Fashion-MNIST's ten class names, in label order.
const std::vector<std::string>& fashion_mnist_classes();

// Where Debian's dataset-fashion-mnist package puts the files.
constexpr const char* kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

}  // namespace synthgen::data
