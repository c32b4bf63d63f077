// "An image generator from a checkpoint": what `synthgen sample` and `synthgen eval` need from
// any image-making family (the GANs, ddpm, vae), so that seeds, labels, files and progress are
// handled once.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen {

// Family-specific sampling options; "not given" values let each family pick its default and
// refuse, with UsageError naming the flag, what does not apply to it.
struct GeneratorOptions {
  bool use_ema = true;      // EMA weights when the run kept them
  double truncation = 1.0;  // GANs: the truncation psi (progan)
  std::string sampler;      // ddpm: ddpm | ddim ("" = ddim)
  std::int64_t steps = 0;   // ddpm: denoising steps (0 = T for the ddpm sampler, min(T, 50) for ddim)
  double eta = std::numeric_limits<double>::quiet_NaN();       // ddpm, ddim sampler: (NaN = 0)
  double guidance = std::numeric_limits<double>::quiet_NaN();  // ddpm, conditional: w (NaN = 1)
};

class ImageGenerator {
 public:
  virtual ~ImageGenerator() = default;
  virtual std::int64_t num_classes() const = 0;
  // Images in [-1, 1], [count, C, H, W] on the device; image i from seed first_seed + i alone.
  // labels: int64 [count] on the CPU for a conditional model, else undefined. Models trained with
  // data.pad give their images without the border.
  torch::Tensor generate(std::uint64_t first_seed, std::int64_t count, const torch::Tensor& labels);
  // The same for any seeds (image i from seeds[i] alone): filtered sampling draws the seeds of
  // the classes that still need images.
  torch::Tensor generate(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels);
  // What each image of a batch costs in network passes for the progress line (ddpm: steps).
  virtual std::int64_t passes_per_image() const { return 1; }
  // The sampling settings in force, for reports ("ddim, 50 steps, eta 0, guidance 3"); "" when
  // the family's only setting is the default.
  virtual std::string settings() const { return ""; }

  const std::vector<std::string>& class_names() const { return class_names_; }
  // Called during long batches with (passes done, passes per image): ddpm reports every step.
  void set_progress(std::function<void(std::int64_t, std::int64_t)> progress) { progress_ = std::move(progress); }
  // Pixels cut from each side of every generated image: the run's data.pad.
  void set_border(int border) { border_ = border; }

 protected:
  // The model's own output, border included.
  virtual torch::Tensor make_images(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels) = 0;

  std::vector<std::string> class_names_;
  std::function<void(std::int64_t, std::int64_t)> progress_;
  int border_ = 0;
};

// The flag of the first option that differs from "not given" ("--guidance", ...), or "" when none
// does: a command given one with nothing to sample refuses it by name.
std::string given_sampling_flag(const GeneratorOptions& options);

// Throws UsageError naming `path` unless `family` makes images (not a classifier, srgan or a
// translation family), saying which command uses such a checkpoint instead.
void require_image_family(const std::string& family, const std::string& path);

// The image generators of the families that make images from noise (their registry factories).
std::unique_ptr<ImageGenerator> make_gan_image_generator(const Config& config, torch::serialize::InputArchive& archive,
                                                         const torch::Device& device, const GeneratorOptions& options);
std::unique_ptr<ImageGenerator> make_diffusion_image_generator(const Config& config,
                                                               torch::serialize::InputArchive& archive,
                                                               const torch::Device& device,
                                                               const GeneratorOptions& options);
std::unique_ptr<ImageGenerator> make_vae_image_generator(const Config& config, torch::serialize::InputArchive& archive,
                                                         const torch::Device& device, const GeneratorOptions& options);

// The generator of a checkpoint's "trainer" part, for config.model.family, on `device`, in
// eval mode. Throws UsageError when an option does not apply to the family or is out of range.
std::unique_ptr<ImageGenerator> load_image_generator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                                     const torch::Device& device, const GeneratorOptions& options);

}  // namespace synthgen
