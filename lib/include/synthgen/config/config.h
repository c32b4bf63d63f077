// The run configuration: plain structs with documented defaults. A YAML file under configs/ sets
// them, `--set key=value` overrides them, and the resolved copy is written into every run folder.
// The schema (key names, checks, documentation lines) lives in lib/src/config/schema.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace synthgen {

struct ModelConfig {
  std::string family =
      "dcgan";  // model family: dcgan | vanilla | progan | srgan | ddpm | vae | pix2pix | cyclegan | classifier
  int latent_dim = 100;           // size of the generator's input noise z
  int base_channels = 64;         // feature maps at the highest resolution of G and D (ngf / ndf)
  std::string norm = "batch";     // normalisation inside G and D: batch | none | instance (pix2pix, cyclegan)
  std::int64_t num_classes = 0;   // class-conditional GAN with this many classes (0 = unconditional)
  bool spectral_norm = false;     // spectral normalisation of D's weights (dcgan, vanilla)
  int hidden_dim = 512;           // vanilla: units in each hidden layer of G and D
  int max_channels = 256;         // progan: cap on the feature maps of any block
  int mapping_layers = 0;         // progan: StyleGAN mapping network z -> w depth (0 = none)
  bool style_modulation = false;  // progan: per-layer style modulation of feature maps by w
  bool noise_inputs = false;      // progan: per-pixel noise added after each convolution of G
  int sr_scale = 4;               // srgan: upscaling factor of G: 2 | 4
  std::string sr_block = "rrdb";  // srgan: G's trunk blocks: rrdb (ESRGAN) | residual (SRResNet)
  int sr_blocks = 16;             // srgan: number of blocks in G's trunk
  int sr_growth = 32;             // srgan: rrdb: channels each dense layer adds
  bool sr_bicubic_skip = false;   // srgan: G adds its output to the bicubic-enlarged input
  // ddpm: the U-Net noise predictor and its diffusion (base_channels and num_classes apply too)
  std::vector<int> channel_mults = {1, 2, 2};  // ddpm/vae: feature maps per resolution level, x base_channels
  int res_blocks = 2;                          // ddpm: residual blocks per level going down (one more going up)
  int attention_max_size = 16;                 // ddpm: self-attention at resolutions of at most this side (0 = none)
  double dropout = 0.1;                        // ddpm: dropout probability inside the residual blocks
  int timesteps = 1000;                        // ddpm: diffusion steps T
  std::string noise_schedule = "linear";       // ddpm: linear (Ho et al. 2020) | cosine (Nichol & Dhariwal 2021)
  std::string prediction = "eps";              // ddpm: the network's target: eps (the noise) | v (Salimans & Ho 2022)
  // vae: latent_dim is the size of z, base_channels and channel_mults shape the conv stacks
  std::string likelihood = "bernoulli";  // vae: p(x|z) over pixels in [0, 1]: bernoulli | gaussian
  // pix2pix / cyclegan (base_channels is G's and D's first-layer width, norm their normalisation):
  int generator_blocks = 9;  // cyclegan: residual blocks in each ResNet generator (6 or 9)
  int unet_levels = 0;       // pix2pix: U-Net halvings (0 = as many as data.image_size allows, at most 8)
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
  std::string loss = "nonsaturating";        // nonsaturating | minimax | wgan-gp | hinge | lsgan (GANs)
  int n_critic = 1;                          // D (critic) updates per G update
  double gp_weight = 10.0;                   // wgan-gp: weight of the gradient penalty
  double r1_gamma = 0.0;                     // R1 penalty gamma on real images (0 = off)
  double drift = 0.0;                        // weight of mean(D(x)^2) on real logits (ProGAN: 0.001)
  double mode_seeking = 0.0;                 // weight of the mode-seeking term in G's loss (MSGAN; 0 = off)
  double ema_decay = 0.0;                    // EMA of G's weights for samples (0 = off), e.g. 0.999
  std::string augment = "none";              // DiffAugment: none or a comma list of translation,cutout,color
  std::int64_t fade_images = 200000;         // progan: images over which a new resolution fades in
  std::int64_t stable_images = 200000;       // progan: images at each resolution after its fade-in
  // progan: batch size at each resolution from 4x4 up, one per resolution (empty = batch_size
  // throughout); small resolutions are cheap, so larger batches there keep the step count down.
  std::vector<int> batch_sizes = {};
  std::int64_t log_every = 50;           // steps between metrics.jsonl lines and plain log lines
  std::int64_t sample_every = 500;       // steps between sample grids (0 = only at the end)
  std::int64_t checkpoint_every = 1000;  // steps between kept checkpoints (0 = only at the end)
  int grid_size = 64;                    // images in each sample grid (fixed latents)
  int max_nonfinite_steps = 20;          // stop after this many skipped non-finite steps in a row
  int keep_last = 0;                     // keep only the newest N step checkpoints (0 = keep all)
  int sr_patch = 96;                     // srgan: side of the random HR training crop (HR pixels)
  double pixel_weight = 1.0;             // srgan: weight of the L1 pixel loss
  double perceptual_weight = 0.0;        // srgan: weight of the L1 loss on perceptual features
  std::string perceptual_net = "";       // srgan: TorchScript feature network file (never downloaded)
  double gan_weight = 0.0;               // srgan: weight of G's relativistic loss; 0 = PSNR stage, no D
  double sr_blur = 0.0;                  // srgan: max sigma (HR pixels) of a random blur before downsampling
  double sr_noise = 0.0;                 // srgan: max std (0-255 levels) of Gaussian noise on the LR input
  int sr_jpeg = 0;                       // srgan: lowest quality of a JPEG round trip of LR (0 = off)
  // ddpm / vae:
  double label_dropout = 0.1;   // ddpm: probability of training a label as "no label" (guidance)
  double kl_beta = 1.0;         // vae: weight of the KL term in the loss (beta-VAE)
  std::int64_t eval_every = 0;  // vae: steps between test-set ELBO lines (0 = at the end only)
  // pix2pix / cyclegan:
  double l1_weight = 100.0;      // pix2pix: weight of the L1 loss between G(A) and B
  double cycle_weight = 10.0;    // cyclegan: weight of each cycle-consistency L1 loss
  double identity_weight = 0.5;  // cyclegan: identity L1 loss weight, as a fraction of cycle_weight
  int pool_size = 50;            // cyclegan: generated images kept per domain for D (0 = none)
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
};

}  // namespace synthgen
