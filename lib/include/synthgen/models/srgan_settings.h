// The srgan family's own settings (models/srgan.h, train/sr_trainer.h, data/sr_pairs.h): G's
// trunk, the training crop, the loss weights and the random degradations of the LR input.
#pragma once

#include <string>

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct Config;

struct SrganSettings {
  int sr_scale = 4;                 // model.sr_scale: upscaling factor of G: 2 | 4
  std::string sr_block = "rrdb";    // model.sr_block: G's trunk blocks: rrdb (ESRGAN) | residual (SRResNet)
  int sr_blocks = 16;               // model.sr_blocks: number of blocks in G's trunk
  int sr_growth = 32;               // model.sr_growth: rrdb: channels each dense layer adds
  bool sr_bicubic_skip = false;     // model.sr_bicubic_skip: G adds its output to the bicubic-enlarged input
  int sr_patch = 96;                // train.sr_patch: side of the random HR training crop (HR pixels)
  double pixel_weight = 1.0;        // train.pixel_weight: weight of the L1 pixel loss
  double perceptual_weight = 0.0;   // train.perceptual_weight: weight of the L1 loss on perceptual features
  std::string perceptual_net = "";  // train.perceptual_net: TorchScript feature network file (never downloaded)
  double gan_weight = 0.0;          // train.gan_weight: weight of G's relativistic loss; 0 = PSNR stage, no D
  double sr_blur = 0.0;             // train.sr_blur: max sigma (HR pixels) of a random blur before downsampling
  double sr_noise = 0.0;            // train.sr_noise: max std (0-255 levels) of Gaussian noise on the LR input
  int sr_jpeg = 0;                  // train.sr_jpeg: lowest quality of a JPEG round trip of LR (0 = off)
};

// Declares the keys above, bound to `settings`.
void describe_srgan_settings(ConfigSchema& schema, SrganSettings& settings);

// The crop against the scale and the image size, a loss to train with, no classes.
void check_srgan_settings(const Config& config, ConfigRuleErrors& errors);

}  // namespace synthgen
