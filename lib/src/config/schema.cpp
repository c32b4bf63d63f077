// The schema: every config key with its documentation line and its check.
#include <fmt/format.h>

#include <fmt/ranges.h>

#include "fields.h"
#include "synthgen/config/config_schema.h"
#include "synthgen/families/registry.h"

namespace synthgen::config_detail {
namespace {

// The families whose checkpoints `sample` turns into images.
std::vector<std::string> image_generator_families() {
  std::vector<std::string> names;
  for (const ModelFamily& family : model_families()) {
    if (family.make_image_generator) names.push_back(family.name);
  }
  return names;
}

// Whether a family translates images (pix2pix, cyclegan): they take paired or unpaired data.
bool is_translation_family(const std::string& family) {
  return find_model_family(family).kind == FamilyKind::kTranslation;
}

// The cross-field checks of the translation families and of their data sources.
void translation_errors(const Config& c, std::vector<std::pair<std::string, std::string>>& errors) {
  const bool translation = is_translation_family(c.model.family);
  const bool pair_source = c.data.source == "paired" || c.data.source == "unpaired";
  if (c.train.lr_schedule != "linear" && c.train.lr_constant_steps > 0) {
    errors.emplace_back(
        "train.lr_constant_steps",
        fmt::format("train.lr_constant_steps is only used with train.lr_schedule linear, not {}", c.train.lr_schedule));
  }
  if (pair_source && !translation) {
    errors.emplace_back("data.source", fmt::format("data.source {} is for pix2pix and cyclegan, not {}", c.data.source,
                                                   c.model.family));
  }
  if (c.data.load_size != 0 && !pair_source) {
    errors.emplace_back("data.load_size", fmt::format("data.load_size is only used with data.source paired or "
                                                      "unpaired, not {}",
                                                      c.data.source));
  }
  if (c.model.norm == "instance" && !translation) {
    errors.emplace_back("model.norm",
                        fmt::format("model.norm instance is for pix2pix and cyclegan, not {}", c.model.family));
  }
  if (!translation) return;
  if (c.model.family == "pix2pix" && c.data.source != "paired") {
    errors.emplace_back("data.source",
                        fmt::format("pix2pix learns from pairs: expected data.source paired, got {}", c.data.source));
  }
  if (c.model.family == "cyclegan" && !pair_source) {
    errors.emplace_back("data.source", fmt::format("cyclegan needs two domains: expected data.source unpaired "
                                                   "(or paired), got {}",
                                                   c.data.source));
  }
  if (c.data.load_size != 0 && c.data.load_size < c.data.image_size) {
    errors.emplace_back("data.load_size", fmt::format("data.load_size {} is smaller than data.image_size {} "
                                                      "(the random crop)",
                                                      c.data.load_size, c.data.image_size));
  }
  if (c.model.num_classes > 0) {
    errors.emplace_back("model.num_classes",
                        fmt::format("{} is not class-conditional: model.num_classes must be 0", c.model.family));
  }
  if (c.train.ema_decay > 0.0) {
    errors.emplace_back("train.ema_decay",
                        fmt::format("{} keeps no EMA of its weights: train.ema_decay must be 0", c.model.family));
  }
  if (c.train.loss != "nonsaturating" && c.train.loss != "lsgan" && c.train.loss != "hinge") {
    errors.emplace_back("train.loss", fmt::format("{} trains with nonsaturating, lsgan or hinge, not {}",
                                                  c.model.family, c.train.loss));
  }
  if (c.data.image_size < 24) {
    // The PatchGAN's three halvings and two 4x4 stride-1 convolutions need 3 x 3 left after the halvings.
    errors.emplace_back("data.image_size", fmt::format("data.image_size {} is too small for the PatchGAN "
                                                       "discriminator: expected at least 24",
                                                       c.data.image_size));
  }
  if (c.model.family == "pix2pix") {
    // Every U-Net level halves the side: the training crop must divide evenly down to 1 x 1 or more.
    const int levels = c.model.unet_levels;
    if (levels > 0 && (c.data.image_size % (1 << levels) != 0)) {
      errors.emplace_back("model.unet_levels",
                          fmt::format("model.unet_levels {} halves the side {} times: data.image_size {} is not a "
                                      "multiple of {}",
                                      levels, levels, c.data.image_size, 1 << levels));
    }
    if (levels == 0 && c.data.image_size % 2 != 0) {
      errors.emplace_back(
          "data.image_size",
          fmt::format("pix2pix's U-Net halves the side: data.image_size {} must be even", c.data.image_size));
    }
  }
  if (c.model.family == "cyclegan" && c.data.image_size % 4 != 0) {
    errors.emplace_back("data.image_size", fmt::format("cyclegan's generator halves the side twice: "
                                                       "data.image_size {} must be a multiple of 4",
                                                       c.data.image_size));
  }
}

}  // namespace

std::vector<Field> config_fields(Config& c) {
  std::vector<Field> fields;
  ConfigSchema s(fields);

  s.choice("model.family", c.model.family, model_family_names(),
           fmt::format("model family: {}", fmt::join(model_family_names(), " | ")));
  s.integer("model.latent_dim", c.model.latent_dim, {1, 4096}, "size of the generator's input noise z");
  s.integer("model.base_channels", c.model.base_channels, {1, 4096},
            "feature maps at the highest resolution (DCGAN's ngf/ndf; the classifier's first block)");
  s.choice("model.norm", c.model.norm, {"batch", "none", "instance"},
           "normalisation inside G and D: batch | none | instance (pix2pix, cyclegan)");
  s.integer("model.num_classes", c.model.num_classes, {0, 100000},
            "class-conditional GAN with this many classes (0 = unconditional)");
  s.flag("model.spectral_norm", c.model.spectral_norm, "spectral normalisation of D's weights (dcgan, vanilla)");
  s.integer("model.hidden_dim", c.model.hidden_dim, {1, 65536}, "vanilla: units in each hidden layer");
  s.integer("model.max_channels", c.model.max_channels, {1, 4096}, "progan: cap on any block's feature maps");
  s.integer("model.mapping_layers", c.model.mapping_layers, {0, 16},
            "progan: StyleGAN mapping network depth z -> w (0 = none)");
  s.flag("model.style_modulation", c.model.style_modulation, "progan: per-layer style modulation by w");
  s.flag("model.noise_inputs", c.model.noise_inputs, "progan: per-pixel noise inputs in G");
  s.integer_choice("model.sr_scale", c.model.sr_scale, {2, 4}, "srgan: upscaling factor: 2 | 4");
  s.choice("model.sr_block", c.model.sr_block, {"rrdb", "residual"},
           "srgan: G's trunk blocks: rrdb (ESRGAN) | residual (SRResNet)");
  s.integer("model.sr_blocks", c.model.sr_blocks, {1, 256}, "srgan: number of blocks in G's trunk");
  s.integer("model.sr_growth", c.model.sr_growth, {1, 1024}, "srgan: rrdb: channels each dense layer adds");
  s.flag("model.sr_bicubic_skip", c.model.sr_bicubic_skip,
         "srgan: G adds its output to the bicubic-enlarged input (learns the residual)");
  // ddpm / vae:
  s.ints("model.channel_mults", c.model.channel_mults, 1, 8, {1, 64},
         "ddpm/vae: feature maps of each resolution level as multiples of base_channels, e.g. [1, 2, 2]");
  s.integer("model.res_blocks", c.model.res_blocks, {1, 16}, "ddpm: residual blocks per U-Net level going down");
  s.integer("model.attention_max_size", c.model.attention_max_size, {0, 4096},
            "ddpm: self-attention at resolutions whose side is at most this (0 = none)");
  s.real("model.dropout", c.model.dropout, kUnitInterval, "ddpm: dropout inside residual blocks");
  s.integer("model.timesteps", c.model.timesteps, {2, 100000}, "ddpm: diffusion steps T");
  s.choice("model.noise_schedule", c.model.noise_schedule, {"linear", "cosine"},
           "ddpm: beta schedule: linear (Ho et al. 2020) | cosine (Nichol & Dhariwal 2021)");
  s.choice("model.prediction", c.model.prediction, {"eps", "v"}, "ddpm: network target: eps (noise) | v");
  s.choice("model.likelihood", c.model.likelihood, {"bernoulli", "gaussian"},
           "vae: p(x|z) over pixels scaled to [0, 1]: bernoulli | gaussian (learned global sigma)");
  // pix2pix / cyclegan:
  s.integer("model.generator_blocks", c.model.generator_blocks, {1, 64},
            "cyclegan: residual blocks in each ResNet generator (6 for 128 px, 9 for 256 px)");
  s.integer("model.unet_levels", c.model.unet_levels, {0, 12},
            "pix2pix: U-Net halvings (0 = as many as data.image_size allows, at most 8)");

  s.choice("data.source", c.data.source, {"fashion-mnist", "idx", "folder", "patches", "paired", "unpaired"},
           "fashion-mnist | idx | folder | patches (folder at its own resolution cut into squares) | "
           "paired (A/ and B/, or side-by-side A|B images of width 2 x height) | "
           "unpaired (trainA/ and trainB/)");
  s.text("data.path", c.data.path,
         "fashion-mnist: folder of the .gz files (empty = Debian's); idx: images file; folder: root");
  s.text("data.labels", c.data.labels, "idx only: labels file (optional)");
  s.choice("data.split", c.data.split, {"train", "test"}, "fashion-mnist only: train | test");
  s.integer("data.image_size", c.data.image_size, {4, 4096},
            "images are resized (shorter side) and centre-cropped to this many pixels");
  s.integer("data.pad", c.data.pad, {0, 2047},
            "black border on each side: images are fitted to image_size - 2 * pad, then padded; "
            "generated images come out without it (image generators only)");
  s.integer_choice("data.channels", c.data.channels, {1, 3}, "1 = grey, 3 = RGB (files are converted)");
  s.flag("data.random_flip", c.data.random_flip, "random horizontal flips of training images");
  s.integer("data.max_images", c.data.max_images, {0, std::numeric_limits<std::int64_t>::max()},
            "use only the first N images (0 = all)");
  s.integer("data.max_image_side", c.data.max_image_side, {1, 1 << 20},
            "files claiming a larger width or height are rejected before decoding");
  s.integer("data.load_size", c.data.load_size, {0, 4096},
            "paired/unpaired: images are held at this side and randomly cropped to data.image_size, "
            "at the same place in A and B (0 = no jitter)");

  s.integer("train.steps", c.train.steps, {1, kMaxSteps}, "optimisation steps (one D and one G update each)");
  s.integer("train.batch_size", c.train.batch_size, {1, 65536}, "images per step");
  s.real("train.lr", c.train.lr, kPositive, "Adam learning rate (of G and D for GANs)");
  s.choice("train.lr_schedule", c.train.lr_schedule, {"constant", "cosine", "linear"},
           "constant | cosine | linear (train.lr for train.lr_constant_steps, then linearly to 0 at train.steps)");
  s.integer("train.lr_constant_steps", c.train.lr_constant_steps, {0, kMaxSteps},
            "linear: steps at train.lr before the linear decay to 0 starts");
  s.reals("train.betas", c.train.betas, 2, kUnitInterval, "Adam [beta1, beta2], each in [0, 1)");
  s.choice("train.loss", c.train.loss, {"nonsaturating", "minimax", "wgan-gp", "hinge", "lsgan"},
           "GAN loss: nonsaturating | minimax | wgan-gp | hinge | lsgan");
  s.integer("train.n_critic", c.train.n_critic, {1, 100}, "D (critic) updates per G update");
  s.real("train.gp_weight", c.train.gp_weight, kNonNegative, "wgan-gp: weight of the gradient penalty");
  s.real("train.r1_gamma", c.train.r1_gamma, kNonNegative, "R1 penalty gamma on real images (0 = off)");
  s.real("train.drift", c.train.drift, kNonNegative, "weight of mean(D(x)^2) on real logits (ProGAN 0.001)");
  s.real("train.mode_seeking", c.train.mode_seeking, kNonNegative,
         "GANs: weight of the mode-seeking term in G's loss (MSGAN, e.g. 1; 0 = off)");
  s.real("train.ema_decay", c.train.ema_decay, kUnitInterval, "EMA decay of G's weights, used for samples (0 = off)");
  s.word_list("train.augment", c.train.augment, "none", {"translation", "cutout", "color"},
              "DiffAugment: none or a comma list of translation, cutout, color");
  s.integer("train.fade_images", c.train.fade_images, {1, kMaxSteps},
            "progan: images over which a resolution fades in");
  s.integer("train.stable_images", c.train.stable_images, {1, kMaxSteps},
            "progan: images at each resolution after its fade-in");
  s.ints("train.batch_sizes", c.train.batch_sizes, 0, 16, {1, 65536},
         "progan: batch size at each resolution from 4x4 up, e.g. [256, 128, 64, 64] (empty = batch_size)");
  s.integer("train.log_every", c.train.log_every, {1, kMaxSteps}, "steps between metrics.jsonl lines");
  s.integer("train.sample_every", c.train.sample_every, {0, kMaxSteps},
            "steps between sample grids (0 = only at the end)");
  s.integer("train.checkpoint_every", c.train.checkpoint_every, {0, kMaxSteps},
            "steps between kept checkpoints (0 = only at the end)");
  s.integer("train.grid_size", c.train.grid_size, {1, 1024}, "images in each sample grid");
  s.integer("train.max_nonfinite_steps", c.train.max_nonfinite_steps, {1, 1000000},
            "stop after this many steps in a row whose loss or gradient was not finite (each is skipped)");
  s.integer("train.keep_last", c.train.keep_last, {0, 1000000},
            "keep only the newest N step checkpoints (0 = keep all)");
  s.integer("train.sr_patch", c.train.sr_patch, {4, 4096},
            "srgan: side of the random HR training crop (a multiple of model.sr_scale)");
  s.real("train.pixel_weight", c.train.pixel_weight, kNonNegative, "srgan: weight of the L1 pixel loss");
  s.real("train.perceptual_weight", c.train.perceptual_weight, kNonNegative,
         "srgan: weight of the L1 loss on train.perceptual_net's features");
  s.text("train.perceptual_net", c.train.perceptual_net,
         "srgan: TorchScript feature network for the perceptual loss (a file you give)");
  s.real("train.gan_weight", c.train.gan_weight, kNonNegative,
         "srgan: weight of G's relativistic GAN loss (0 = PSNR-oriented stage, no D)");
  s.real("train.sr_blur", c.train.sr_blur, kNonNegative,
         "srgan: max sigma in HR pixels of a random Gaussian blur before downsampling (0 = off)");
  s.real("train.sr_noise", c.train.sr_noise, kNonNegative,
         "srgan: max std (0-255 levels) of random Gaussian noise on the LR input (0 = off)");
  s.integer("train.sr_jpeg", c.train.sr_jpeg, {0, 95},
            "srgan: lowest quality of a random JPEG round trip of the LR input (0 = off)");
  // ddpm / vae:
  s.real("train.label_dropout", c.train.label_dropout, kUnitInterval,
         "ddpm: probability of replacing a label by 'no label' (classifier-free guidance)");
  s.real("train.kl_beta", c.train.kl_beta, kNonNegative, "vae: weight of the KL term (beta-VAE; 1 = the ELBO)");
  s.integer("train.eval_every", c.train.eval_every, {0, kMaxSteps},
            "vae: steps between test-set ELBO lines in metrics.jsonl (0 = at the end only)");
  // pix2pix / cyclegan:
  s.real("train.l1_weight", c.train.l1_weight, kNonNegative, "pix2pix: weight of the L1 loss between G(A) and B");
  s.real("train.cycle_weight", c.train.cycle_weight, kNonNegative,
         "cyclegan: weight of each cycle-consistency L1 loss (lambda)");
  s.real("train.identity_weight", c.train.identity_weight, kNonNegative,
         "cyclegan: weight of the identity L1 loss as a fraction of train.cycle_weight (0 = off)");
  s.integer("train.pool_size", c.train.pool_size, {0, 100000},
            "cyclegan: generated images kept per domain and shown to D (0 = only the newest)");

  s.seed("run.seed", c.run.seed, "seeds weights, latents, data order and augmentation");
  s.device("run.device", c.run.device, "auto | cpu | cuda | cuda:N");
  s.auto_count("run.threads", c.run.threads, 4096, "CPU threads: auto (every core) or a count");
  s.choice("run.precision", c.run.precision, {"fp32", "bf16", "fp16"}, "fp32 | bf16 | fp16 (autocast, CUDA only)");
  s.flag("run.cudnn_benchmark", c.run.cudnn_benchmark, "let cuDNN pick the fastest kernels (CUDA only)");
  s.text("run.out_root", c.run.out_root, "where run folders go when `train --out` is not given");
  return fields;
}

std::vector<std::pair<std::string, std::string>> cross_field_errors(const Config& c) {
  std::vector<std::pair<std::string, std::string>> errors;
  if (c.data.source != "fashion-mnist" && c.data.path.empty()) {
    errors.emplace_back("data.source", fmt::format("data.path is required when data.source is {}", c.data.source));
  }
  if (!c.data.labels.empty() && c.data.source != "idx") {
    errors.emplace_back("data.labels",
                        fmt::format("data.labels is only used with data.source idx, not {}", c.data.source));
  }
  if (c.data.pad > 0) {
    if (!find_model_family(c.model.family).make_image_generator) {
      errors.emplace_back("data.pad", fmt::format("data.pad is for image generators ({}), not {}",
                                                  fmt::join(image_generator_families(), ", "), c.model.family));
    } else if (c.data.source != "fashion-mnist" && c.data.source != "idx" && c.data.source != "folder") {
      errors.emplace_back("data.pad", fmt::format("data.pad applies to data.source fashion-mnist, idx or folder, "
                                                  "not {}",
                                                  c.data.source));
    } else if (c.data.image_size - 2 * c.data.pad < 4) {
      errors.emplace_back("data.pad", fmt::format("data.pad {} leaves {} pixels of data.image_size {}: expected at "
                                                  "least 4",
                                                  c.data.pad, c.data.image_size - 2 * c.data.pad, c.data.image_size));
    }
  }
  if (c.run.out_root.empty()) errors.emplace_back("run.out_root", "run.out_root must not be empty");
  if (c.model.family == "srgan") {
    if (c.train.sr_patch % c.model.sr_scale != 0) {
      errors.emplace_back("train.sr_patch", fmt::format("train.sr_patch {} is not a multiple of model.sr_scale {}",
                                                        c.train.sr_patch, c.model.sr_scale));
    }
    if (c.train.sr_patch > c.data.image_size) {
      errors.emplace_back("train.sr_patch", fmt::format("train.sr_patch {} is larger than data.image_size {}",
                                                        c.train.sr_patch, c.data.image_size));
    }
    if (c.train.perceptual_weight > 0.0 && c.train.perceptual_net.empty()) {
      errors.emplace_back("train.perceptual_weight",
                          "train.perceptual_weight > 0 needs train.perceptual_net (a TorchScript file)");
    }
    if (c.train.pixel_weight == 0.0 && c.train.perceptual_weight == 0.0 && c.train.gan_weight == 0.0) {
      errors.emplace_back("train.pixel_weight",
                          "srgan needs a loss: train.pixel_weight, perceptual_weight and gan_weight are all 0");
    }
    if (c.model.num_classes > 0) {
      errors.emplace_back("model.num_classes", "srgan is not class-conditional: model.num_classes must be 0");
    }
  }
  if (c.model.family == "ddpm" || c.model.family == "vae") {
    // Every level but the last halves the resolution; the U-Net needs at least 1 pixel there.
    if ((c.data.image_size >> (c.model.channel_mults.size() - 1)) < 2) {
      errors.emplace_back("model.channel_mults",
                          fmt::format("model.channel_mults has {} levels: too many for data.image_size {}",
                                      c.model.channel_mults.size(), c.data.image_size));
    }
  }
  translation_errors(c, errors);
  family_key_errors(c, errors);
  if (c.model.family == "vae" && c.train.ema_decay > 0.0) {
    errors.emplace_back("train.ema_decay", "vae keeps no EMA of its weights: train.ema_decay must be 0");
  }
  return errors;
}

}  // namespace synthgen::config_detail
