// Bicubic resampling of float image tensors, the filter of PIL's Image.resize(BICUBIC) and of
// torch.nn.functional.interpolate(mode='bicubic', antialias=True, align_corners=False): the cubic
// kernel with a = -0.5, widened by the scale factor when shrinking (so that it also low-passes),
// weights cut at the image border and renormalised. Enlarging, it is plain bicubic (a = -0.5).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::data {

// The [out_size, in_size] matrix whose row i holds the weights of output pixel i along one axis.
torch::Tensor bicubic_weights(std::int64_t in_size, std::int64_t out_size,
                              const torch::TensorOptions& options = torch::kFloat);

// Resizes float images [..., H, W] to [..., out_height, out_width] as one separable product
// (W_y · x · W_xᵀ), differentiable and on the input's device. Values are not clamped.
torch::Tensor bicubic_resize(const torch::Tensor& images, std::int64_t out_height, std::int64_t out_width);

}  // namespace synthgen::data
