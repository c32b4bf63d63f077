#include "synthgen/eval/image_source.h"

#include <fmt/format.h>

#include <ATen/Parallel.h>

#include <filesystem>
#include <mutex>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/text.h"
#include "synthgen/data/balanced_subset.h"
#include "synthgen/data/dataset.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/train/image_generator.h"

namespace synthgen::eval {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDefaultGeneratorImages = 10000;

std::int64_t limited(std::int64_t available, std::int64_t limit) {
  return limit > 0 ? std::min(available, limit) : available;
}

// " (N images)" or, for a balanced subset, " (N images, 100 per class, subset seed S)".
std::string subset_detail(std::int64_t size, const SourceSpec& parts, std::int64_t classes) {
  if (parts.count == 0) return fmt::format("{} images", size);
  return fmt::format("{} images, {}, subset seed {}", size, data::per_class_text(parts.count, classes),
                     parts.subset_seed);
}

class FashionMnistSource : public ImageSource {
 public:
  FashionMnistSource(const std::string& spec, const SourceSpec& parts, const SourceOptions& options)
      : spec_(spec), parts_(parts), split_(parts.base.substr(parts.base.find(':') + 1)) {
    DataConfig cfg;
    cfg.source = "fashion-mnist";
    cfg.split = split_;
    cfg.image_size = options.format.size > 0 ? options.format.size : 28;
    cfg.channels = options.format.channels;
    data_ = data::load_dataset(cfg, options.threads);
    if (parts.count > 0) {
      original_index_ = data::balanced_subset(data_.labels, data_.class_names, parts.count, parts.subset_seed,
                                              fmt::format("'{}'", spec));
      const torch::Tensor picked = torch::tensor(original_index_, torch::kInt64);
      data_.images = data_.images.index_select(0, picked).contiguous();
      data_.labels = data_.labels.index_select(0, picked).contiguous();
      size_ = data_.size();
    } else {
      size_ = limited(data_.size(), options.limit);
    }
  }
  std::int64_t size() const override { return size_; }
  ImageBatch next(std::int64_t max_count) override {
    const std::int64_t count = std::min(max_count, size_ - position_);
    if (count <= 0) return {};
    ImageBatch batch{data_.images.narrow(0, position_, count), data_.labels.narrow(0, position_, count)};
    position_ += count;
    return batch;
  }
  bool has_labels() const override { return true; }
  std::vector<std::string> class_names() const override { return data_.class_names; }
  std::string describe() const override {
    return fmt::format("{} ({})", spec_,
                       subset_detail(size_, parts_, static_cast<std::int64_t>(data_.class_names.size())));
  }
  // The image's index in the whole split, also for a subset.
  std::string item_name(std::int64_t index) const override {
    return fmt::format("fashion-mnist:{}#{}", split_,
                       original_index_.empty() ? index : original_index_[static_cast<std::size_t>(index)]);
  }
  ImageBatch images_at(const std::vector<std::int64_t>& indices) override {
    const torch::Tensor picked = torch::tensor(indices, torch::kInt64);
    return {data_.images.index_select(0, picked), data_.labels.index_select(0, picked)};
  }

 private:
  std::string spec_;
  SourceSpec parts_;
  std::string split_;
  data::ImageDataset data_;
  std::vector<std::int64_t> original_index_;  // a subset's images in the split; empty for the whole split
  std::int64_t size_ = 0;
  std::int64_t position_ = 0;
};

class FolderSource : public ImageSource {
 public:
  FolderSource(const std::string& spec, const SourceSpec& parts, const SourceOptions& options)
      : root_(parts.base), parts_(parts), channels_(options.format.channels), size_px_(options.format.size) {
    listing_ = data::list_image_folder(root_);
    if (listing_.files.empty()) {
      throw UsageError(fmt::format("'{}' holds no image files (.png .jpg .bmp .tga)", root_));
    }
    if (parts.count > 0) {
      if (listing_.labels.empty()) {
        throw UsageError(
            fmt::format("'{}': a balanced subset needs labels, and folder {} has none (expected one "
                        "sub-folder per class or a manifest.csv with a label column)",
                        spec, root_));
      }
      keep_balanced_subset(spec);
      size_ = static_cast<std::int64_t>(listing_.files.size());
    } else {
      size_ = limited(static_cast<std::int64_t>(listing_.files.size()), options.limit);
    }
    if (size_px_ == 0) {
      const io::Image first = io::read_image(listing_.files.front(), channels_);
      size_px_ = std::min(first.width, first.height);
    }
  }
  std::int64_t size() const override { return size_; }
  ImageBatch next(std::int64_t max_count) override {
    const std::int64_t count = std::min(max_count, size_ - position_);
    if (count <= 0) return {};
    std::vector<std::int64_t> indices(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) indices[static_cast<std::size_t>(i)] = position_ + i;
    position_ += count;
    return images_at(indices);
  }
  ImageBatch images_at(const std::vector<std::int64_t>& indices) override {
    const auto count = static_cast<std::int64_t>(indices.size());
    torch::Tensor images = torch::empty({count, channels_, size_px_, size_px_}, torch::kUInt8);
    std::mutex failure_mutex;
    std::string failure;
    at::parallel_for(0, count, 1, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        try {
          const io::Image image =
              io::resize_and_center_crop(io::read_image(listing_.files[indices[i]], channels_), size_px_);
          images[i].copy_(io::image_to_tensor(image));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (failure.empty()) failure = e.what();
        }
      }
    });
    if (!failure.empty()) throw RuntimeError(failure);
    ImageBatch batch{images, {}};
    if (has_labels()) {
      std::vector<std::int64_t> labels;
      for (const std::int64_t index : indices) labels.push_back(listing_.labels[index]);
      batch.labels = torch::tensor(labels, torch::kInt64);
    }
    return batch;
  }
  std::string item_name(std::int64_t index) const override {
    return fs::path(listing_.files[index]).lexically_relative(root_).generic_string();
  }
  bool has_labels() const override { return !listing_.labels.empty(); }
  std::vector<std::string> class_names() const override { return listing_.class_names; }
  std::string describe() const override {
    const auto classes = static_cast<std::int64_t>(listing_.class_names.size());
    return fmt::format(
        "folder {} ({}{})", root_, subset_detail(size_, parts_, classes),
        has_labels() ? fmt::format(", {} classes{}", classes, listing_.label_file.empty() ? "" : " from manifest.csv")
                     : "");
  }

 private:
  // Cuts the listing to its balanced subset, before any file is decoded.
  void keep_balanced_subset(const std::string& spec) {
    const std::vector<std::int64_t> chosen =
        data::balanced_subset(torch::tensor(listing_.labels, torch::kInt64), listing_.class_names, parts_.count,
                              parts_.subset_seed, fmt::format("'{}'", spec));
    data::FolderListing subset = listing_;
    subset.files.clear();
    subset.labels.clear();
    for (const std::int64_t index : chosen) {
      subset.files.push_back(listing_.files[static_cast<std::size_t>(index)]);
      subset.labels.push_back(listing_.labels[static_cast<std::size_t>(index)]);
    }
    listing_ = std::move(subset);
  }

  std::string root_;
  SourceSpec parts_;
  int channels_;
  int size_px_;
  data::FolderListing listing_;
  std::int64_t size_ = 0;
  std::int64_t position_ = 0;
};

class GeneratorSource : public ImageSource {
 public:
  GeneratorSource(const std::string& spec, const SourceOptions& options)
      : format_(options.format), seed_(options.seed), device_(options.device) {
    path_ = io::resolve_checkpoint_path(spec);
    io::LoadedCheckpoint checkpoint = io::load_checkpoint(path_, device_);
    require_image_family(checkpoint.meta.family, path_);
    const Config config = load_config_text(checkpoint.meta.config_yaml, path_);
    torch::serialize::InputArchive trainer_part;
    checkpoint.archive.read("trainer", trainer_part);
    // Unset options leave each family its default (ddpm: DDIM with min(T, 50) steps).
    generator_ = load_image_generator(config, trainer_part, device_, options.generator);
    size_ = options.limit > 0 ? options.limit : kDefaultGeneratorImages;
    // Said before the work starts: ddpm's many network passes per image take hours on a CPU.
    const std::int64_t passes = generator_->passes_per_image();
    if (passes > 1 && device_.is_cpu()) {
      log_warn("sampling {} images from {} with {} network passes each on the CPU: slow (hours for thousands){}", size_,
               path_, passes,
               options.limit > 0
                   ? ""
                   : fmt::format(" ({} is the default for a generator; --num N makes fewer)", kDefaultGeneratorImages));
    }
  }
  std::int64_t size() const override { return size_; }
  ImageBatch next(std::int64_t max_count) override {
    const std::int64_t count = std::min(max_count, size_ - position_);
    if (count <= 0) return {};
    torch::InferenceMode inference;
    // Class-conditional generators give balanced classes: image i has class i mod K.
    const std::int64_t classes = generator_->num_classes();
    ImageBatch batch;
    if (classes > 0) {
      batch.labels = models::balanced_labels(position_, count, classes);
    }
    const std::uint64_t first_seed = seed_ + static_cast<std::uint64_t>(position_);
    position_ += count;
    batch.images = conform_images(io::to_uint8_images(generator_->generate(first_seed, count, batch.labels)), format_);
    return batch;
  }
  ImageBatch images_at(const std::vector<std::int64_t>& indices) override {
    torch::InferenceMode inference;
    std::vector<torch::Tensor> images;
    std::vector<torch::Tensor> labels;
    for (const std::int64_t index : indices) {
      // The seed and label image `index` had in next(): the same image again.
      torch::Tensor label;
      if (generator_->num_classes() > 0) label = models::balanced_labels(index, 1, generator_->num_classes());
      images.push_back(io::to_uint8_images(generator_->generate(seed_ + static_cast<std::uint64_t>(index), 1, label)));
      if (label.defined()) labels.push_back(label);
    }
    ImageBatch batch;
    if (images.empty()) return batch;
    batch.images = conform_images(torch::cat(images), format_);
    if (!labels.empty()) batch.labels = torch::cat(labels);
    return batch;
  }
  std::string item_name(std::int64_t index) const override {
    return fmt::format("seed {}", seed_ + static_cast<std::uint64_t>(index));
  }
  bool has_labels() const override { return generator_->num_classes() > 0; }
  std::vector<std::string> class_names() const override { return generator_->class_names(); }
  std::string describe() const override {
    const std::string settings = generator_->settings();
    return fmt::format("generator {} ({} images, seeds {}..{}{}{})", path_, size_, seed_,
                       seed_ + static_cast<std::uint64_t>(size_) - 1, has_labels() ? ", classes balanced" : "",
                       settings.empty() ? "" : ", " + settings);
  }

 private:
  ImageFormat format_;
  std::uint64_t seed_;
  torch::Device device_;
  std::string path_;
  std::unique_ptr<ImageGenerator> generator_;
  std::int64_t size_ = 0;
  std::int64_t position_ = 0;
};

}  // namespace

torch::Tensor conform_images(const torch::Tensor& images, const ImageFormat& format) {
  torch::Tensor out = images;
  if (out.size(1) == 1 && format.channels == 3) {
    out = out.repeat({1, 3, 1, 1});
  } else if (out.size(1) == 3 && format.channels == 1) {
    // stb's grey weights, as decoding an RGB file to grey gives.
    const torch::Tensor wide = out.to(torch::kInt32);
    out = (wide.select(1, 0) * 77 + wide.select(1, 1) * 150 + wide.select(1, 2) * 29)
              .div(256, "floor")
              .unsqueeze(1)
              .to(torch::kUInt8);
  }
  if (format.size > 0 && (out.size(2) != format.size || out.size(3) != format.size)) {
    torch::Tensor resized = torch::empty({out.size(0), out.size(1), format.size, format.size}, torch::kUInt8);
    for (std::int64_t i = 0; i < out.size(0); ++i) {
      const io::Image image = io::resize_and_center_crop(io::tensor_to_image(out[i]), format.size);
      resized[i].copy_(io::image_to_tensor(image));
    }
    out = resized;
  }
  return out.contiguous();
}

SourceSpec parse_source_spec(const std::string& spec) {
  SourceSpec parts;
  parts.base = spec;
  std::error_code ec;
  if (fs::exists(fs::path(spec), ec)) return parts;  // a file or folder whose name holds ':N'
  const std::string usage = "expected SOURCE, SOURCE:N or SOURCE:N:seed=S (N images; S picks a real set's subset)";
  std::size_t colon = parts.base.rfind(':');
  if (colon != std::string::npos && parts.base.compare(colon + 1, 5, "seed=") == 0) {
    const std::string seed = parts.base.substr(colon + 6);
    if (seed.empty() || seed.size() > 19 || seed.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(fmt::format("'{}': seed=S takes a non-negative integer, got '{}'; {}", spec, seed, usage));
    }
    parts.subset_seed = std::stoull(seed);
    parts.seed_given = true;
    parts.base.erase(colon);
    colon = parts.base.rfind(':');
  }
  const bool has_count = colon != std::string::npos && colon + 1 < parts.base.size() &&
                         parts.base.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  if (has_count) {
    const std::string count = parts.base.substr(colon + 1);
    if (count.size() > 15 || std::stoll(count) < 1) {
      throw UsageError(fmt::format("'{}': the image count {} is out of range; {}", spec, count, usage));
    }
    parts.count = std::stoll(count);
    parts.base.erase(colon);
  } else if (parts.seed_given) {
    throw UsageError(fmt::format("'{}': seed=S picks a subset of a count N; {}", spec, usage));
  }
  return parts;
}

bool names_generator(const std::string& spec) {
  std::error_code ec;
  const std::string base = parse_source_spec(spec).base;
  const fs::path path(base);
  if (base.rfind("fashion-mnist", 0) == 0 || ends_with(base, ".npy")) return false;
  return fs::is_regular_file(path, ec) || fs::is_regular_file(path / "checkpoints" / "latest.ckpt", ec);
}

std::unique_ptr<ImageSource> open_image_source(const std::string& spec, const SourceOptions& options) {
  const SourceSpec parts = parse_source_spec(spec);
  const std::string& base = parts.base;
  if (base == "fashion-mnist:train" || base == "fashion-mnist:test") {
    return std::make_unique<FashionMnistSource>(spec, parts, options);
  }
  if (base.rfind("fashion-mnist", 0) == 0) {
    throw UsageError(
        fmt::format("'{}': expected fashion-mnist:train or fashion-mnist:test, optionally with :N (a "
                    "balanced subset of N images) and :seed=S",
                    spec));
  }
  if (names_generator(base)) {
    if (parts.seed_given) {
      throw UsageError(
          fmt::format("'{}': seed=S picks a subset of a real set; a generator's images come from seeds "
                      "--seed, --seed + 1, ...",
                      spec));
    }
    SourceOptions sampled = options;
    if (parts.count > 0) sampled.limit = parts.count;
    return std::make_unique<GeneratorSource>(base, sampled);
  }
  std::error_code ec;
  if (ends_with(base, ".npy") && fs::is_regular_file(fs::path(base), ec)) {
    throw UsageError(fmt::format("'{}': a .npy file holds features, and images are needed here", spec));
  }
  if (fs::is_directory(fs::path(base), ec)) return std::make_unique<FolderSource>(spec, parts, options);
  throw UsageError(
      fmt::format("'{}' does not exist; expected an image folder, a checkpoint or run folder, a .npy feature file, "
                  "fashion-mnist:train or fashion-mnist:test (each optionally with :N images)",
                  spec));
}

LoadedImages read_all(ImageSource& source, std::int64_t batch) {
  std::vector<torch::Tensor> images;
  std::vector<torch::Tensor> labels;
  for (ImageBatch part = source.next(batch); part.images.defined(); part = source.next(batch)) {
    images.push_back(part.images);
    if (part.labels.defined()) labels.push_back(part.labels);
  }
  LoadedImages all;
  if (images.empty()) throw RuntimeError(fmt::format("{} gave no images", source.describe()));
  all.images = torch::cat(images).contiguous();
  if (!labels.empty()) all.labels = torch::cat(labels).contiguous();
  return all;
}

}  // namespace synthgen::eval
