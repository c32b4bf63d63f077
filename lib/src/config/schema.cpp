// The schema of the shared sections (config.h) with the shared cross-field rules; the families' own
// keys and rules come from their settings files through the family registry.
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>

#include "fields.h"
#include "synthgen/config/config_schema.h"
#include "synthgen/families/registry.h"

namespace synthgen::config_detail {
namespace {

// The fields grouped by section in the order the shared keys come (model, data, train, run), each
// section's shared keys before the families' keys: the writer opens each section once.
std::vector<Field> grouped_by_section(std::vector<Field> fields) {
  std::vector<std::string> sections;
  const auto section_of = [](const Field& field) { return field.key.substr(0, field.key.find('.')); };
  for (const Field& field : fields) {
    if (std::find(sections.begin(), sections.end(), section_of(field)) == sections.end()) {
      sections.push_back(section_of(field));
    }
  }
  const auto rank = [&](const Field& field) {
    return std::find(sections.begin(), sections.end(), section_of(field)) - sections.begin();
  };
  std::stable_sort(fields.begin(), fields.end(), [&](const Field& a, const Field& b) { return rank(a) < rank(b); });
  return fields;
}

// data.subset needs labels, and chooses images by itself.
void data_subset_errors(const Config& c, std::vector<std::pair<std::string, std::string>>& errors) {
  const bool labelled_source = c.data.source == "fashion-mnist" || c.data.source == "folder" ||
                               (c.data.source == "idx" && !c.data.labels.empty());
  if (c.data.subset > 0 && !labelled_source) {
    errors.emplace_back("data.subset",
                        fmt::format("data.subset takes a class-balanced subset of labelled images: expected "
                                    "data.source fashion-mnist, folder or idx with data.labels, not {}{}",
                                    c.data.source, c.data.source == "idx" ? " without data.labels" : ""));
  }
  if (c.data.subset > 0 && c.data.max_images > 0) {
    errors.emplace_back("data.max_images", "data.subset and data.max_images both choose the images: set one");
  }
  if (c.data.subset == 0 && c.data.subset_seed != 0) {
    errors.emplace_back("data.subset_seed", "data.subset_seed chooses the images of data.subset, which is 0 (all)");
  }
}

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
  s.ints("model.channel_mults", c.model.channel_mults, 1, 8, {1, 64},
         "ddpm/vae: feature maps of each resolution level as multiples of base_channels, e.g. [1, 2, 2]");

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
  s.integer("data.random_shift", c.data.random_shift, {0, 64},
            "random translation of training images by up to this many pixels in x and y, black border "
            "(torchvision's RandomCrop with padding; 0 = off)");
  s.integer("data.max_images", c.data.max_images, {0, std::numeric_limits<std::int64_t>::max()},
            "use only the first N images (0 = all)");
  s.integer("data.subset", c.data.subset, {0, std::numeric_limits<std::int64_t>::max()},
            "a seeded class-balanced subset of N labelled images, N / classes each (0 = all): the images "
            "of eval's fashion-mnist:SPLIT:N");
  s.seed("data.subset_seed", c.data.subset_seed, "which balanced subset data.subset takes (eval's :seed=S)");
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
  s.real("train.ema_decay", c.train.ema_decay, kUnitInterval, "EMA decay of G's weights, used for samples (0 = off)");
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

  s.seed("run.seed", c.run.seed, "seeds weights, latents, data order and augmentation");
  s.device("run.device", c.run.device, "auto | cpu | cuda | cuda:N");
  s.auto_count("run.threads", c.run.threads, 4096, "CPU threads: auto (every core) or a count");
  s.choice("run.precision", c.run.precision, {"fp32", "bf16", "fp16"}, "fp32 | bf16 | fp16 (autocast, CUDA only)");
  s.flag("run.cudnn_benchmark", c.run.cudnn_benchmark, "let cuDNN pick the fastest kernels (CUDA only)");
  s.text("run.out_root", c.run.out_root, "where run folders go when `train --out` is not given");

  // Each family's own settings, once each (the GANs share the GAN trainer's), in registry order.
  std::vector<ModelFamily::SettingsDescriber> described;
  for (const ModelFamily& family : model_families()) {
    for (const ModelFamily::SettingsDescriber describe : family.settings) {
      if (std::find(described.begin(), described.end(), describe) != described.end()) continue;
      describe(s, c);
      described.push_back(describe);
    }
  }
  return grouped_by_section(std::move(fields));
}

std::vector<std::pair<std::string, std::string>> cross_field_errors(const Config& c) {
  const ModelFamily& family = find_model_family(c.model.family);
  std::vector<std::pair<std::string, std::string>> errors;
  if (c.data.source != "fashion-mnist" && c.data.path.empty()) {
    errors.emplace_back("data.source", fmt::format("data.path is required when data.source is {}", c.data.source));
  }
  if (!c.data.labels.empty() && c.data.source != "idx") {
    errors.emplace_back("data.labels",
                        fmt::format("data.labels is only used with data.source idx, not {}", c.data.source));
  }
  if (c.data.pad > 0) {
    if (!family.make_image_generator) {
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
  data_subset_errors(c, errors);
  if (c.run.out_root.empty()) errors.emplace_back("run.out_root", "run.out_root must not be empty");
  if (family.reads_key("model.channel_mults")) {
    // Every level but the last halves the resolution; the U-Net needs at least 1 pixel there.
    if ((c.data.image_size >> (c.model.channel_mults.size() - 1)) < 2) {
      errors.emplace_back("model.channel_mults",
                          fmt::format("model.channel_mults has {} levels: too many for data.image_size {}",
                                      c.model.channel_mults.size(), c.data.image_size));
    }
  }
  translation_errors(c, errors);
  family_key_errors(c, errors);
  if (family.check) family.check(c, errors);
  return errors;
}

}  // namespace synthgen::config_detail
