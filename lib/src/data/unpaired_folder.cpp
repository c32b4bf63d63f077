// data.source unpaired: CycleGAN's two independent image sets.
#include <fmt/format.h>

#include <filesystem>

#include "decode_files.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/data/translation_data.h"

namespace synthgen::data {

namespace {

namespace fs = std::filesystem;

std::vector<io::Image> load_domain(const fs::path& folder, const DataConfig& cfg, int threads, std::int64_t* skipped) {
  std::vector<std::string> files = list_image_folder(folder.string()).files;
  if (cfg.max_images > 0 && files.size() > static_cast<std::size_t>(cfg.max_images)) {
    files.resize(static_cast<std::size_t>(cfg.max_images));
  }
  DecodedFiles decoded = decode_files(files, cfg.channels, cfg.max_image_side, threads);
  std::vector<io::Image> images;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (decoded.images[i]) {
      images.push_back(std::move(*decoded.images[i]));
    } else {
      log_warn("{}; skipped", decoded.problems[i]);
      ++*skipped;
    }
  }
  if (images.empty()) throw RuntimeError(fmt::format("'{}' holds no usable image", folder.string()));
  return images;
}

}  // namespace

ImageDataset load_unpaired_folder(const DataConfig& cfg, int threads, LoadStats* stats) {
  const fs::path root(cfg.path);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw UsageError(fmt::format("data.path '{}' is not a folder", cfg.path));
  fs::path folder_a = root / "trainA";
  fs::path folder_b = root / "trainB";
  if (!fs::is_directory(folder_a, ec) || !fs::is_directory(folder_b, ec)) {
    folder_a = root / "A";
    folder_b = root / "B";
  }
  if (!fs::is_directory(folder_a, ec) || !fs::is_directory(folder_b, ec)) {
    throw UsageError(fmt::format("data.path '{}': expected sub-folders trainA/ and trainB/ (or A/ and B/)", cfg.path));
  }
  std::int64_t skipped = 0;
  std::vector<io::Image> a = load_domain(folder_a, cfg, threads, &skipped);
  std::vector<io::Image> b = load_domain(folder_b, cfg, threads, &skipped);
  log_info("  domain A: {} images in {}; domain B: {} images in {}", a.size(), folder_a.string(), b.size(),
           folder_b.string());
  const std::size_t count = std::max(a.size(), b.size());
  std::vector<std::pair<io::Image, io::Image>> pairs;
  pairs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) pairs.emplace_back(a[i % a.size()], b[i % b.size()]);
  if (stats != nullptr) {
    stats->loaded = static_cast<std::int64_t>(count);
    stats->skipped = skipped;
  }
  return join_pairs(pairs, cfg.load_size > 0 ? cfg.load_size : cfg.image_size, cfg.channels);
}

}  // namespace synthgen::data
