// Conversions between model tensors and images on disk.
#pragma once

#include <torch/torch.h>

#include <string>

#include "synthgen/io/image_codec.h"

namespace synthgen::io {

// Model output in [-1, 1] (any float type, any device) -> uint8 [N, C, H, W] on the CPU, mapped
// as (x * 127.5 + 128) clamped to [0, 255] and truncated: the mapping stylegan2-ada's metrics use.
torch::Tensor to_uint8_images(const torch::Tensor& images);

// uint8 images (any device) -> float [-1, 1] as x / 127.5 - 1 on `device`: what models take.
torch::Tensor to_model_input(const torch::Tensor& images, const torch::Device& device);
// images [..., H, W] without `border` pixels on each side (a view; border 0 returns them as they are).
torch::Tensor crop_border(const torch::Tensor& images, int border);
// One uint8 [C, H, W] CPU tensor -> an HWC Image.
Image tensor_to_image(const torch::Tensor& chw);
// An HWC Image -> one uint8 [C, H, W] CPU tensor (a copy).
torch::Tensor image_to_tensor(const Image& image);

// Tiles uint8 [N, C, H, W] images into one image, row by row, with `padding` pixels of black
// between and around the tiles (as torchvision's make_grid). columns = 0 picks ceil(sqrt(N)).
Image make_grid(const torch::Tensor& images, int columns = 0, int padding = 2);

// Encodes as PNG and writes atomically (never a partial file under `path`).
void write_png(const std::string& path, const Image& image);

}  // namespace synthgen::io
