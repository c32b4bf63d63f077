#include "synthgen/data/image_folder.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include "manifest_labels.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/io/image_codec.h"

namespace synthgen::data {
namespace {

namespace fs = std::filesystem;

bool is_image_file(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp" ||
         extension == ".tga";
}

std::vector<std::string> images_under(const fs::path& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  const auto options = fs::directory_options::follow_directory_symlink;
  fs::recursive_directory_iterator it(folder, options, ec);
  for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && is_image_file(it->path())) files.push_back(it->path().string());
  }
  // A folder that cannot be listed would silently shrink the data set: stop instead.
  if (ec) throw RuntimeError(fmt::format("cannot list the images under '{}': {}", folder.string(), ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

// A folder labelled by its manifest.csv: every image needs a row; rows of images removed since (a
// curated set) are ignored.
FolderListing list_by_manifest(const fs::path& root, const ManifestLabels& manifest) {
  FolderListing listing;
  listing.files = images_under(root);
  listing.class_names = manifest.class_names;
  listing.label_file = manifest.path;
  for (const std::string& file : listing.files) {
    const auto found = manifest.label_by_file.find(fs::path(file).lexically_relative(root).generic_string());
    if (found == manifest.label_by_file.end()) {
      throw UsageError(
          fmt::format("'{}' has no row in '{}': a folder labelled by its manifest.csv needs a label "
                      "for every image",
                      file, manifest.path));
    }
    listing.labels.push_back(found->second);
  }
  const std::size_t unused = manifest.label_by_file.size() - listing.files.size();
  if (unused > 0)
    log_warn("'{}' lists {} files that are not in the folder; their rows are ignored", manifest.path, unused);
  return listing;
}

}  // namespace

FolderListing list_image_folder(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw UsageError(fmt::format("data.path '{}' is not a folder", root));
  }
  if (const std::optional<ManifestLabels> manifest = read_manifest_labels(root)) {
    return list_by_manifest(root, *manifest);
  }
  FolderListing listing;
  bool images_at_top = false;
  std::vector<std::string> subfolders;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory(ec)) {
      subfolders.push_back(entry.path().filename().string());
    } else if (entry.is_regular_file(ec) && is_image_file(entry.path())) {
      images_at_top = true;
    }
  }
  std::sort(subfolders.begin(), subfolders.end());
  if (!images_at_top) {
    for (const std::string& name : subfolders) {
      std::vector<std::string> files = images_under(fs::path(root) / name);
      if (files.empty()) continue;
      const auto label = static_cast<std::int64_t>(listing.class_names.size());
      listing.class_names.push_back(name);
      listing.files.insert(listing.files.end(), files.begin(), files.end());
      listing.labels.insert(listing.labels.end(), files.size(), label);
    }
  }
  if (listing.files.empty()) {
    listing.class_names.clear();
    listing.labels.clear();
    listing.files = images_under(root);
  }
  return listing;
}

ImageDataset load_image_folder(const DataConfig& cfg, int threads, LoadStats* stats) {
  FolderListing listing = list_image_folder(cfg.path);
  if (listing.files.empty()) {
    throw RuntimeError(fmt::format("folder '{}' holds no image files (.png .jpg .jpeg .bmp .tga)", cfg.path));
  }
  if (cfg.max_images > 0 && listing.files.size() > static_cast<std::size_t>(cfg.max_images)) {
    listing.files.resize(static_cast<std::size_t>(cfg.max_images));
    if (!listing.labels.empty()) listing.labels.resize(listing.files.size());
  }
  const int size = cfg.image_size;
  const int channels = cfg.channels;
  const std::size_t image_bytes = static_cast<std::size_t>(size) * size * channels;
  const std::size_t count = listing.files.size();
  std::vector<std::optional<io::Image>> decoded(count);
  std::vector<std::string> problems(count);  // reported in file order once all workers are done
  io::DecodeLimits limits;
  limits.max_side = cfg.max_image_side;

  // Workers take files from a shared counter; each result goes to its own slot, so the order of
  // the data set is the sorted file order whatever the timing.
  std::atomic<std::size_t> next{0};
  auto decode_next = [&]() -> bool {
    const std::size_t i = next++;
    if (i >= count) return false;
    try {
      decoded[i] = io::fit_with_border(io::read_image(listing.files[i], channels, limits), size, cfg.pad);
    } catch (const RuntimeError& e) {
      problems[i] = e.what();
    }
    return true;
  };
  // The calling thread decodes too, and reports progress on a terminal between its files.
  std::vector<std::thread> workers;
  const int worker_count = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  for (int t = 1; t < worker_count; ++t) {
    workers.emplace_back([&] {
      while (decode_next()) {
      }
    });
  }
  auto last_report = std::chrono::steady_clock::now();
  while (decode_next()) {
    if (std::chrono::steady_clock::now() - last_report > std::chrono::milliseconds(250)) {
      last_report = std::chrono::steady_clock::now();
      log_status(fmt::format("decoding {}: {}/{} files", cfg.path, std::min(next.load(), count), count));
    }
  }
  for (std::thread& worker : workers) worker.join();
  log_status_done();

  std::int64_t usable = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (decoded[i]) {
      ++usable;
    } else {
      log_warn("{}; skipped", problems[i]);
    }
  }
  const std::int64_t skipped = static_cast<std::int64_t>(count) - usable;
  if (usable == 0) {
    throw RuntimeError(fmt::format("folder '{}' has no usable image: all {} files were skipped", cfg.path, count));
  }
  if (skipped > 0) log_warn("skipped {} of {} files in {}", skipped, count, cfg.path);

  ImageDataset dataset;
  torch::Tensor hwc = torch::empty({usable, size, size, channels}, torch::kUInt8);
  std::vector<std::int64_t> labels;
  std::int64_t row = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!decoded[i]) continue;
    std::memcpy(hwc[row].data_ptr<std::uint8_t>(), decoded[i]->pixels.data(), image_bytes);
    if (!listing.labels.empty()) labels.push_back(listing.labels[i]);
    ++row;
  }
  dataset.images = hwc.permute({0, 3, 1, 2}).contiguous();
  if (!listing.labels.empty()) {
    dataset.labels = torch::tensor(labels, torch::kInt64);
    dataset.class_names = listing.class_names;
  }
  if (stats != nullptr) {
    stats->loaded = usable;
    stats->skipped = skipped;
  }
  return dataset;
}

}  // namespace synthgen::data
