// data.source paired: pix2pix's aligned A/B data.
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "decode_files.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/data/translation_data.h"

namespace synthgen::data {
namespace {

namespace fs = std::filesystem;

int held_size(const DataConfig& cfg) { return cfg.load_size > 0 ? cfg.load_size : cfg.image_size; }

// The left or right half of a side-by-side image.
io::Image half(const io::Image& image, bool right) {
  io::Image out;
  out.width = image.width / 2;
  out.height = image.height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * out.channels);
  const std::size_t row = static_cast<std::size_t>(out.width) * out.channels;
  const std::size_t offset = right ? row : 0;
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(out.pixels.data() + y * row,
                image.pixels.data() + static_cast<std::size_t>(y) * image.width * image.channels + offset, row);
  }
  return out;
}

// Without A/ and B/ every image must be two squares side by side: anything else (single images, a
// class-folder data set) would be cut into meaningless halves and trained on without a word.
void require_side_by_side(const io::Image& image, const std::string& file) {
  if (image.width == 2 * image.height) return;
  throw UsageError(
      fmt::format("'{}' is {}x{}: data.source paired expects sub-folders A/ and B/ with matching file "
                  "names, or side-by-side A|B images of width 2 x height",
                  file, image.width, image.height));
}

std::string without_extension(const fs::path& relative) { return fs::path(relative).replace_extension().string(); }

}  // namespace

ImageDataset join_pairs(const std::vector<std::pair<io::Image, io::Image>>& pairs, int size, int channels) {
  const auto count = static_cast<std::int64_t>(pairs.size());
  torch::Tensor hwc = torch::empty({count, size, size, 2 * channels}, torch::kUInt8);
  for (std::int64_t i = 0; i < count; ++i) {
    const io::Image a = io::resize_and_center_crop(pairs[static_cast<std::size_t>(i)].first, size);
    const io::Image b = io::resize_and_center_crop(pairs[static_cast<std::size_t>(i)].second, size);
    const torch::Tensor ta =
        torch::from_blob(const_cast<std::uint8_t*>(a.pixels.data()), {size, size, channels}, torch::kUInt8);
    const torch::Tensor tb =
        torch::from_blob(const_cast<std::uint8_t*>(b.pixels.data()), {size, size, channels}, torch::kUInt8);
    hwc[i].copy_(torch::cat({ta, tb}, 2));
  }
  ImageDataset dataset;
  dataset.images = hwc.permute({0, 3, 1, 2}).contiguous();
  return dataset;
}

ImageDataset load_paired_folder(const DataConfig& cfg, int threads, LoadStats* stats) {
  const fs::path root(cfg.path);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw UsageError(fmt::format("data.path '{}' is not a folder", cfg.path));
  const bool split_folders = fs::is_directory(root / "A", ec) && fs::is_directory(root / "B", ec);
  std::vector<std::pair<io::Image, io::Image>> pairs;
  std::int64_t skipped = 0;
  if (split_folders) {
    std::vector<std::string> a_files = list_image_folder((root / "A").string()).files;
    std::map<std::string, std::string> b_by_name;
    for (const std::string& file : list_image_folder((root / "B").string()).files) {
      b_by_name.emplace(without_extension(fs::relative(file, root / "B")), file);
    }
    std::vector<std::string> files;  // A0, B0, A1, B1, ...
    for (const std::string& a : a_files) {
      const auto b = b_by_name.find(without_extension(fs::relative(a, root / "A")));
      if (b == b_by_name.end()) {
        log_warn("'{}' has no partner under '{}'; skipped", a, (root / "B").string());
        ++skipped;
        continue;
      }
      files.push_back(a);
      files.push_back(b->second);
      if (cfg.max_images > 0 && static_cast<std::int64_t>(files.size() / 2) >= cfg.max_images) break;
    }
    DecodedFiles decoded = decode_files(files, cfg.channels, cfg.max_image_side, threads);
    for (std::size_t i = 0; i + 1 < files.size(); i += 2) {
      if (!decoded.images[i] || !decoded.images[i + 1]) {
        log_warn("{}; pair skipped", decoded.problems[i].empty() ? decoded.problems[i + 1] : decoded.problems[i]);
        ++skipped;
        continue;
      }
      pairs.emplace_back(std::move(*decoded.images[i]), std::move(*decoded.images[i + 1]));
    }
  } else {
    std::vector<std::string> files = list_image_folder(cfg.path).files;
    if (cfg.max_images > 0 && files.size() > static_cast<std::size_t>(cfg.max_images)) {
      files.resize(static_cast<std::size_t>(cfg.max_images));
    }
    DecodedFiles decoded = decode_files(files, cfg.channels, cfg.max_image_side, threads);
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!decoded.images[i]) {
        log_warn("{}; skipped", decoded.problems[i]);
        ++skipped;
        continue;
      }
      require_side_by_side(*decoded.images[i], files[i]);
      pairs.emplace_back(half(*decoded.images[i], false), half(*decoded.images[i], true));
    }
  }
  if (pairs.empty()) {
    throw RuntimeError(
        fmt::format("'{}' holds no usable pair: expected A/ and B/ with matching file names, or "
                    "images with A and B side by side ({} files skipped)",
                    cfg.path, skipped));
  }
  if (skipped > 0) log_warn("skipped {} pairs in {}", skipped, cfg.path);
  if (stats != nullptr) {
    stats->loaded = static_cast<std::int64_t>(pairs.size());
    stats->skipped = skipped;
  }
  return join_pairs(pairs, held_size(cfg), cfg.channels);
}

torch::Tensor translation_crop(const torch::Tensor& batch, int size) {
  const std::int64_t held = batch.size(2);
  if (held == size && batch.size(3) == size) return batch;
  const std::int64_t range_y = batch.size(2) - size + 1;
  const std::int64_t range_x = batch.size(3) - size + 1;
  std::vector<torch::Tensor> crops;
  for (std::int64_t i = 0; i < batch.size(0); ++i) {
    const std::int64_t y = torch::randint(range_y, {1}).item<std::int64_t>();
    const std::int64_t x = torch::randint(range_x, {1}).item<std::int64_t>();
    crops.push_back(batch[i].slice(1, y, y + size).slice(2, x, x + size));
  }
  return torch::stack(crops);
}

torch::Tensor domain_a(const torch::Tensor& batch) { return batch.slice(1, 0, batch.size(1) / 2); }
torch::Tensor domain_b(const torch::Tensor& batch) { return batch.slice(1, batch.size(1) / 2, batch.size(1)); }

}  // namespace synthgen::data
