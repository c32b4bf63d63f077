// DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training"):
// random augmentations that are differentiable with respect to the images, applied to every batch
// D sees, real and fake alike, in D's and G's updates. Follows the authors' DiffAugment_pytorch.py
// (ratios 0.125 and 0.5), including the order of its random draws.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::train {

struct AugmentPolicy {
  bool color = false;        // brightness + U(-0.5, 0.5); saturation x U(0, 2) around each pixel's
                             // channel mean; contrast x U(0.5, 1.5) around each image's mean
  bool translation = false;  // integer shift by up to 1/8 of height and width, zero padding
  bool cutout = false;       // zeroes a square of half the height and width at a random centre
};

// "none", or a comma list of color, translation, cutout (spaces around the words are ignored);
// throws ConfigError naming train.augment otherwise.
AugmentPolicy parse_augment_policy(const std::string& text);

// Augments float images [B, C, H, W] in [-1, 1], each image with its own random draws from the
// default generator of the images' device. The steps run in the order color, translation,
// cutout, whatever the order of the words in the policy text. An empty policy returns the images.
torch::Tensor diff_augment(const torch::Tensor& images, const AugmentPolicy& policy);

}  // namespace synthgen::train
