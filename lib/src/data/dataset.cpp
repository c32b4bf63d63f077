#include "synthgen/data/dataset.h"

#include <fmt/format.h>

#include <filesystem>
#include <thread>

#include "synthgen/core/error.h"
#include "synthgen/data/balanced_subset.h"
#include "synthgen/data/idx.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/data/sr_pairs.h"
#include "synthgen/data/translation_data.h"
#include "synthgen/io/image_codec.h"

namespace synthgen::data {
namespace {

namespace fs = std::filesystem;

// uint8 [N, 1, h, w] -> [N, 1, size, size] by the same resize + centre crop (+ border) as image files.
torch::Tensor resize_grey(const torch::Tensor& images, int size, int border, int threads) {
  const std::int64_t count = images.size(0);
  const int height = static_cast<int>(images.size(2));
  const int width = static_cast<int>(images.size(3));
  torch::Tensor out = torch::empty({count, 1, size, size}, torch::kUInt8);
  const std::size_t in_bytes = static_cast<std::size_t>(height) * width;
  const std::size_t out_bytes = static_cast<std::size_t>(size) * size;
  const std::uint8_t* source = images.data_ptr<std::uint8_t>();
  std::uint8_t* target = out.data_ptr<std::uint8_t>();
  auto work = [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      io::Image image;
      image.width = width;
      image.height = height;
      image.channels = 1;
      image.pixels.assign(source + i * in_bytes, source + (i + 1) * in_bytes);
      const io::Image resized = io::fit_with_border(image, size, border);
      std::copy(resized.pixels.begin(), resized.pixels.end(), target + i * out_bytes);
    }
  };
  std::vector<std::thread> workers;
  const std::int64_t chunk = (count + threads - 1) / threads;
  for (std::int64_t begin = 0; begin < count; begin += chunk) {
    workers.emplace_back(work, begin, std::min(count, begin + chunk));
  }
  for (std::thread& worker : workers) worker.join();
  return out;
}

// Grey IDX images [N, h, w] as a data set of cfg's size and channels.
ImageDataset from_idx(torch::Tensor images, torch::Tensor labels, const DataConfig& cfg, int threads) {
  if (cfg.max_images > 0 && images.size(0) > cfg.max_images) {
    images = images.narrow(0, 0, cfg.max_images);
    if (labels.defined()) labels = labels.narrow(0, 0, cfg.max_images);
  }
  images = images.unsqueeze(1).contiguous();
  if (images.size(2) != cfg.image_size || images.size(3) != cfg.image_size || cfg.pad > 0) {
    images = resize_grey(images, cfg.image_size, cfg.pad, std::max(1, threads));
  }
  if (cfg.channels == 3) images = images.expand({-1, 3, -1, -1});
  ImageDataset dataset;
  dataset.images = images.contiguous();
  if (labels.defined()) dataset.labels = labels.contiguous();
  return dataset;
}

void require_file(const std::string& path, const std::string& hint) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw UsageError(fmt::format("'{}' does not exist{}", path, hint));
}

struct FashionMnistFiles {
  std::string images;
  std::string labels;
};

// The split's two files, each checked to exist.
FashionMnistFiles fashion_mnist_files(const DataConfig& cfg) {
  const std::string folder = cfg.path.empty() ? kFashionMnistFolder : cfg.path;
  const std::string prefix = cfg.split == "test" ? "t10k" : "train";
  FashionMnistFiles files{(fs::path(folder) / (prefix + "-images-idx3-ubyte.gz")).string(),
                          (fs::path(folder) / (prefix + "-labels-idx1-ubyte.gz")).string()};
  const std::string hint = cfg.path.empty() ? ": install Debian's dataset-fashion-mnist package (scripts/setup.sh does)"
                                            : " (data.path should be the folder holding Fashion-MNIST's .gz files)";
  require_file(files.images, hint);
  require_file(files.labels, hint);
  return files;
}

}  // namespace

void check_data_paths(const DataConfig& cfg) {
  if (cfg.source == "fashion-mnist") {
    fashion_mnist_files(cfg);
  } else if (cfg.source == "idx") {
    require_file(cfg.path, " (data.path: the IDX images file)");
    if (!cfg.labels.empty()) require_file(cfg.labels, " (data.labels: the IDX labels file)");
  } else {
    std::error_code ec;
    if (!fs::is_directory(cfg.path, ec)) {
      throw UsageError(
          fmt::format("data.path '{}' is not a folder (data.source {} reads a folder)", cfg.path, cfg.source));
    }
  }
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

// Every image of cfg.source (up to cfg.max_images).
ImageDataset load_every_image(const DataConfig& cfg, int threads, LoadStats* stats) {
  ImageDataset dataset;
  if (cfg.source == "folder") {
    return load_image_folder(cfg, threads, stats);
  }
  if (cfg.source == "paired") return load_paired_folder(cfg, threads, stats);
  if (cfg.source == "unpaired") return load_unpaired_folder(cfg, threads, stats);
  if (cfg.source == "patches") {
    return load_patch_folder(cfg, threads, stats);
  }
  if (cfg.source == "fashion-mnist") {
    const FashionMnistFiles files = fashion_mnist_files(cfg);
    dataset = from_idx(read_idx_images(files.images), read_idx_labels(files.labels), cfg, threads);
    dataset.class_names = fashion_mnist_classes();
  } else if (cfg.source == "idx") {
    require_file(cfg.path, " (data.path: the IDX images file)");
    torch::Tensor labels;
    if (!cfg.labels.empty()) {
      require_file(cfg.labels, " (data.labels: the IDX labels file)");
      labels = read_idx_labels(cfg.labels);
    }
    torch::Tensor images = read_idx_images(cfg.path);
    if (labels.defined() && labels.size(0) != images.size(0)) {
      throw RuntimeError(fmt::format("'{}' holds {} images but '{}' holds {} labels", cfg.path, images.size(0),
                                     cfg.labels, labels.size(0)));
    }
    dataset = from_idx(images, labels, cfg, threads);
    if (labels.defined()) {
      const std::int64_t classes = labels.max().item<std::int64_t>() + 1;
      for (std::int64_t i = 0; i < classes; ++i) dataset.class_names.push_back(std::to_string(i));
    }
  } else {
    throw UsageError(fmt::format("data.source: expected fashion-mnist, idx, folder or patches, got '{}'", cfg.source));
  }
  if (stats != nullptr) {
    stats->loaded = dataset.size();
    stats->skipped = 0;
  }
  return dataset;
}

}  // namespace

ImageDataset load_dataset(const DataConfig& cfg, int threads, LoadStats* stats) {
  ImageDataset dataset = load_every_image(cfg, threads, stats);
  if (cfg.subset == 0) return dataset;
  if (!dataset.labels.defined()) {
    throw UsageError(
        fmt::format("data.subset {}: data.path '{}' has no labels (a folder needs one sub-folder per class "
                    "or a manifest.csv with a label column)",
                    cfg.subset, cfg.path));
  }
  dataset = take_balanced_subset(dataset, cfg.subset, cfg.subset_seed, fmt::format("data.subset {}", cfg.subset));
  if (stats != nullptr) stats->loaded = dataset.size();
  return dataset;
}

}  // namespace synthgen::data
