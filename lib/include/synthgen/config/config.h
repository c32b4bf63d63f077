// The run configuration: plain structs with documented defaults. A YAML file under configs/ sets
// them, `--set key=value` overrides them, and the resolved copy is written into every run folder.
//
// The sections below hold the keys every family reads, and the few that several families share
// (model.latent_dim, model.channel_mults, model.spectral_norm, train.loss); their schema (type,
// range, doc line) and the shared cross-field rules are in lib/src/config/schema.cpp. Each
// family's own keys live in a settings struct beside its modules (models/ddpm_settings.h, ...,
// train/gan_training_settings.h for the GAN trainer), held here by value, with the function that
// declares them and the family's own rules in the matching .cpp; lib/src/families/registry.cpp
// collects them and says which family reads which key. YAML keys keep their sections whatever
// struct holds them: `model.timesteps` is `config.ddpm.timesteps`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/models/cyclegan_settings.h"
#include "synthgen/models/ddpm_settings.h"
#include "synthgen/models/pix2pix_settings.h"
#include "synthgen/models/progan_settings.h"
#include "synthgen/models/srgan_settings.h"
#include "synthgen/models/vae_settings.h"
#include "synthgen/models/vanilla_settings.h"
#include "synthgen/train/gan_training_settings.h"

namespace synthgen {

struct ModelConfig {
  std::string family =
      "dcgan";  // model family: dcgan | vanilla | progan | srgan | ddpm | vae | pix2pix | cyclegan | classifier
  int latent_dim = 100;          // size of the generator's input noise z
  int base_channels = 64;        // feature maps at the highest resolution of G and D (ngf / ndf)
  std::string norm = "batch";    // normalisation inside G and D: batch | none | instance (pix2pix, cyclegan)
  std::int64_t num_classes = 0;  // class-conditional GAN with this many classes (0 = unconditional)
  bool spectral_norm = false;    // spectral normalisation of D's weights (dcgan, vanilla)
  std::vector<int> channel_mults = {1, 2, 2};  // ddpm/vae: feature maps per resolution level, x base_channels
};

struct DataConfig {
  // fashion-mnist | idx | folder | patches (a folder at its own resolution, cut into
  // overlapping image_size squares with stride image_size / 2: training crops for srgan) |
  // paired (A/ and B/ with matching names, or side-by-side A|B images: pix2pix) |
  // unpaired (trainA/ and trainB/, any counts: cyclegan)
  std::string source = "fashion-mnist";
  // fashion-mnist: folder holding the four gzipped IDX files ("" = the Debian package's folder);
  // idx: the images file (.gz or raw); folder: the root folder of the images.
  std::string path = "";
  std::string labels = "";      // idx only: the labels file, optional
  std::string split = "train";  // fashion-mnist only: train | test
  int image_size = 32;          // images are resized (shorter side) and centre-cropped to this
  // Black border of this many pixels on each side: images are fitted to image_size - 2 * pad and
  // padded back to image_size (28x28 Fashion-MNIST in ProGAN's 32x32 without resampling it).
  // Generators give their images back without it (sample, eval).
  int pad = 0;
  int channels = 1;          // 1 = grey, 3 = RGB; files are converted as needed
  bool random_flip = false;  // random horizontal flip of training images
  // classifier: random translation of training images by up to this many pixels in x and y, the
  // border black (torchvision's RandomCrop(size, padding)); 0 = off.
  int random_shift = 0;
  std::int64_t max_images = 0;  // use only the first N images (0 = all): for smoke tests
  // A seeded, class-balanced subset of this many labelled images (0 = all): the images that eval's
  // `fashion-mnist:train:N[:seed=S]` names (data/balanced_subset.h).
  std::int64_t subset = 0;
  std::uint64_t subset_seed = 0;  // which balanced subset; 0 is the specs' default
  int max_image_side = 16384;     // files claiming a larger width or height are rejected unread
  // paired / unpaired: images are held at this side and each step takes a random image_size crop
  // at the same place in A and B (pix2pix's jitter: 286 for 256); 0 = image_size, no jitter.
  int load_size = 0;
};

struct TrainConfig {
  std::int64_t steps = 5000;                 // optimisation steps (one D and one G update each)
  int batch_size = 64;                       // images per step
  double lr = 2e-4;                          // Adam learning rate (of G and D for GANs)
  std::string lr_schedule = "constant";      // constant | cosine | linear (both decay to 0 at train.steps)
  std::int64_t lr_constant_steps = 0;        // linear: steps at train.lr before the linear decay starts
  std::vector<double> betas = {0.5, 0.999};  // Adam (beta1, beta2)
  std::string loss = "nonsaturating";    // nonsaturating | minimax | wgan-gp | hinge | lsgan (GANs, pix2pix, cyclegan)
  double ema_decay = 0.0;                // EMA of G's weights for samples (0 = off), e.g. 0.999
  std::int64_t log_every = 50;           // steps between metrics.jsonl lines and plain log lines
  std::int64_t sample_every = 500;       // steps between sample grids (0 = only at the end)
  std::int64_t checkpoint_every = 1000;  // steps between kept checkpoints (0 = only at the end)
  int grid_size = 64;                    // images in each sample grid (fixed latents)
  int max_nonfinite_steps = 20;          // stop after this many skipped non-finite steps in a row
  int keep_last = 0;                     // keep only the newest N step checkpoints (0 = keep all)
};

struct RunConfig {
  std::uint64_t seed = 0;          // seeds weights, latents, data order and augmentation
  std::string device = "auto";     // auto | cpu | cuda | cuda:N
  int threads = 0;                 // CPU threads; 0 is written "auto" and means every core
  std::string precision = "fp32";  // fp32 | bf16 | fp16 (autocast, CUDA only)
  bool cudnn_benchmark = true;     // let cuDNN pick the fastest kernels (CUDA only)
  std::string out_root = "runs";   // where run folders go when `train --out` is not given
};

struct Config {
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  RunConfig run;
  // Each family's own settings (their keys are under model.* and train.* in YAML).
  GanTrainingSettings gan;  // the GAN trainer's: vanilla, dcgan, progan
  VanillaSettings vanilla;
  ProganSettings progan;
  DdpmSettings ddpm;
  VaeSettings vae;
  Pix2pixSettings pix2pix;
  CycleganSettings cyclegan;
  SrganSettings srgan;
};

}  // namespace synthgen
