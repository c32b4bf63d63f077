#include "synthgen/models/srgan_settings.h"

#include <fmt/format.h>

#include "synthgen/config/config.h"

namespace synthgen {

void describe_srgan_settings(ConfigSchema& s, SrganSettings& sr) {
  s.integer_choice("model.sr_scale", sr.sr_scale, {2, 4}, "srgan: upscaling factor: 2 | 4");
  s.choice("model.sr_block", sr.sr_block, {"rrdb", "residual"},
           "srgan: G's trunk blocks: rrdb (ESRGAN) | residual (SRResNet)");
  s.integer("model.sr_blocks", sr.sr_blocks, {1, 256}, "srgan: number of blocks in G's trunk");
  s.integer("model.sr_growth", sr.sr_growth, {1, 1024}, "srgan: rrdb: channels each dense layer adds");
  s.flag("model.sr_bicubic_skip", sr.sr_bicubic_skip,
         "srgan: G adds its output to the bicubic-enlarged input (learns the residual)");
  s.integer("train.sr_patch", sr.sr_patch, {4, 4096},
            "srgan: side of the random HR training crop (a multiple of model.sr_scale)");
  s.real("train.pixel_weight", sr.pixel_weight, kNonNegative, "srgan: weight of the L1 pixel loss");
  s.real("train.perceptual_weight", sr.perceptual_weight, kNonNegative,
         "srgan: weight of the L1 loss on train.perceptual_net's features");
  s.text("train.perceptual_net", sr.perceptual_net,
         "srgan: TorchScript feature network for the perceptual loss (a file you give)");
  s.real("train.gan_weight", sr.gan_weight, kNonNegative,
         "srgan: weight of G's relativistic GAN loss (0 = PSNR-oriented stage, no D)");
  s.real("train.sr_blur", sr.sr_blur, kNonNegative,
         "srgan: max sigma in HR pixels of a random Gaussian blur before downsampling (0 = off)");
  s.real("train.sr_noise", sr.sr_noise, kNonNegative,
         "srgan: max std (0-255 levels) of random Gaussian noise on the LR input (0 = off)");
  s.integer("train.sr_jpeg", sr.sr_jpeg, {0, 95},
            "srgan: lowest quality of a random JPEG round trip of the LR input (0 = off)");
}

void check_srgan_settings(const Config& c, ConfigRuleErrors& errors) {
  const SrganSettings& sr = c.srgan;
  if (sr.sr_patch % sr.sr_scale != 0) {
    errors.emplace_back("train.sr_patch", fmt::format("train.sr_patch {} is not a multiple of model.sr_scale {}",
                                                      sr.sr_patch, sr.sr_scale));
  }
  if (sr.sr_patch > c.data.image_size) {
    errors.emplace_back("train.sr_patch", fmt::format("train.sr_patch {} is larger than data.image_size {}",
                                                      sr.sr_patch, c.data.image_size));
  }
  if (sr.perceptual_weight > 0.0 && sr.perceptual_net.empty()) {
    errors.emplace_back("train.perceptual_weight",
                        "train.perceptual_weight > 0 needs train.perceptual_net (a TorchScript file)");
  }
  if (sr.pixel_weight == 0.0 && sr.perceptual_weight == 0.0 && sr.gan_weight == 0.0) {
    errors.emplace_back("train.pixel_weight",
                        "srgan needs a loss: train.pixel_weight, perceptual_weight and gan_weight are all 0");
  }
  if (c.model.num_classes > 0) {
    errors.emplace_back("model.num_classes", "srgan is not class-conditional: model.num_classes must be 0");
  }
}

}  // namespace synthgen
