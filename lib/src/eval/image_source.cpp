#include "synthgen/eval/image_source.h"

#include <fmt/format.h>

#include <ATen/Parallel.h>

#include <filesystem>
#include <mutex>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/text.h"
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

class FashionMnistSource : public ImageSource {
 public:
  FashionMnistSource(const std::string& split, const SourceOptions& options) : split_(split) {
    DataConfig cfg;
    cfg.source = "fashion-mnist";
    cfg.split = split;
    cfg.image_size = options.format.size > 0 ? options.format.size : 28;
    cfg.channels = options.format.channels;
    data_ = data::load_dataset(cfg, options.threads);
    size_ = limited(data_.size(), options.limit);
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
  std::string describe() const override { return fmt::format("fashion-mnist:{} ({} images)", split_, size_); }
  std::string item_name(std::int64_t index) const override { return fmt::format("fashion-mnist:{}#{}", split_, index); }
  ImageBatch images_at(const std::vector<std::int64_t>& indices) override {
    const torch::Tensor picked = torch::tensor(indices, torch::kInt64);
    return {data_.images.index_select(0, picked), data_.labels.index_select(0, picked)};
  }

 private:
  std::string split_;
  data::ImageDataset data_;
  std::int64_t size_ = 0;
  std::int64_t position_ = 0;
};

class FolderSource : public ImageSource {
 public:
  FolderSource(const std::string& root, const SourceOptions& options)
      : root_(root), channels_(options.format.channels), size_px_(options.format.size) {
    listing_ = data::list_image_folder(root);
    if (listing_.files.empty()) throw UsageError(fmt::format("'{}' holds no image files (.png .jpg .bmp .tga)", root));
    size_ = limited(static_cast<std::int64_t>(listing_.files.size()), options.limit);
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
    return fmt::format("folder {} ({} images{})", root_, size_,
                       has_labels() ? fmt::format(", {} classes{}", listing_.class_names.size(),
                                                  listing_.label_file.empty() ? "" : " from manifest.csv")
                                    : "");
  }

 private:
  std::string root_;
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

bool names_generator(const std::string& spec) {
  std::error_code ec;
  const fs::path path(spec);
  if (spec.rfind("fashion-mnist", 0) == 0 || ends_with(spec, ".npy")) return false;
  return fs::is_regular_file(path, ec) || fs::is_regular_file(path / "checkpoints" / "latest.ckpt", ec);
}

std::unique_ptr<ImageSource> open_image_source(const std::string& spec, const SourceOptions& options) {
  if (spec == "fashion-mnist:train" || spec == "fashion-mnist:test") {
    return std::make_unique<FashionMnistSource>(spec.substr(spec.find(':') + 1), options);
  }
  if (spec.rfind("fashion-mnist", 0) == 0) {
    throw UsageError(fmt::format("'{}': expected fashion-mnist:train or fashion-mnist:test", spec));
  }
  if (names_generator(spec)) return std::make_unique<GeneratorSource>(spec, options);
  std::error_code ec;
  if (ends_with(spec, ".npy") && fs::is_regular_file(fs::path(spec), ec)) {
    throw UsageError(fmt::format("'{}': a .npy file holds features, and images are needed here", spec));
  }
  if (fs::is_directory(fs::path(spec), ec)) return std::make_unique<FolderSource>(spec, options);
  throw UsageError(
      fmt::format("'{}' does not exist; expected an image folder, a checkpoint or run folder, a .npy feature file, "
                  "fashion-mnist:train or fashion-mnist:test",
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
