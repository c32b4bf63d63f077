// Where `synthgen eval` gets images: a Fashion-MNIST split or a balanced subset of it, an image
// folder, or a generator checkpoint sampled on the fly. Every source hands out uint8 batches one
// at a time, so that an evaluation holds one batch of images in memory, whatever the image count.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "synthgen/data/balanced_subset.h"
#include "synthgen/train/image_generator.h"

namespace synthgen::eval {

// The images a consumer wants: `channels` (1 or 3) and square `size` pixels (0 = as they come;
// folder images are then cut to the first image's shorter side).
struct ImageFormat {
  int channels = 3;
  int size = 0;
};

struct ImageBatch {
  torch::Tensor images;  // uint8 [B, C, H, W] on the CPU; undefined when the source is exhausted
  torch::Tensor labels;  // int64 [B], or undefined for unlabelled sources
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // Images it gives in all.
  virtual std::int64_t size() const = 0;
  // The next at most `max_count` images.
  virtual ImageBatch next(std::int64_t max_count) = 0;
  virtual bool has_labels() const = 0;
  virtual std::vector<std::string> class_names() const { return {}; }
  // For reports: "fashion-mnist:test (10000 images)", "folder /x (512 images)", ...
  virtual std::string describe() const = 0;
  // What names image `index` for a person: a folder's file relative to the folder ('/'-separated,
  // as manifest.csv names it), "fashion-mnist:test#17", "seed 42".
  virtual std::string item_name(std::int64_t index) const = 0;
  // The images at `indices` (each < size()), in that order, whatever next() has handed out: for
  // showing a few images after their features were scored.
  virtual ImageBatch images_at(const std::vector<std::int64_t>& indices) = 0;
};

struct SourceOptions {
  ImageFormat format;
  std::int64_t limit = 0;              // at most this many images (0 = all; generators: 10,000)
  std::uint64_t seed = 0;              // generators: image i comes from seed + i, as `synthgen sample`
  torch::Device device = torch::kCPU;  // generators run here
  GeneratorOptions generator;          // generators: how they sample (`synthgen sample`'s flags)
  int threads = 1;                     // folder decoding
};

// A source spec in its parts: "fashion-mnist:train:1000:seed=3" is base "fashion-mnist:train",
// count 1000, subset seed 3. A spec naming an existing file or folder as it stands is all base.
struct SourceSpec {
  std::string base;
  std::int64_t count = 0;  // N of SOURCE:N; 0 when not given
  std::uint64_t subset_seed = data::kDefaultSubsetSeed;
  bool seed_given = false;  // :seed=S was written
};
// Throws UsageError naming the spec for a bad count or seed.
SourceSpec parse_source_spec(const std::string& spec);

// Whether open_image_source reads `spec` as a generator: a checkpoint file (not .npy features)
// or a run folder, with or without :N.
bool names_generator(const std::string& spec);

// Opens `spec`: "fashion-mnist:train", "fashion-mnist:test", a folder of images (labelled by its
// manifest.csv or class sub-folders: data::list_image_folder), or a checkpoint file / run folder
// of a generator. Each may end in :N, which takes precedence over options.limit: for the real sets
// (Fashion-MNIST, a labelled folder) data::balanced_subset's N images, in their order in the set,
// with :seed=S choosing another subset; for a generator N images (image i from seed + i, class
// i mod K). Throws UsageError naming the spec when it is none of these.
std::unique_ptr<ImageSource> open_image_source(const std::string& spec, const SourceOptions& options);

// Converts uint8 [B, C, H, W] images to `format`: grey repeated to RGB or RGB to grey (stb's
// weights, as image files are), then resized and centre-cropped when format.size is set and
// differs.
torch::Tensor conform_images(const torch::Tensor& images, const ImageFormat& format);

// All images of a source in one uint8 tensor, with its labels (for training on a set).
struct LoadedImages {
  torch::Tensor images;
  torch::Tensor labels;
};
LoadedImages read_all(ImageSource& source, std::int64_t batch = 512);

}  // namespace synthgen::eval
