// Building blocks shared by the model families.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::models {

// A 3x3 convolution with bias that keeps the side at stride 1 (padding 1) and halves it at stride 2.
inline torch::nn::Conv2d conv3x3(std::int64_t in, std::int64_t out, std::int64_t stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// A transposed 2-D convolution with the parameters of torch::nn::ConvTranspose2d (weight
// [in, out, k, k], optional bias) and the same function, computed faster on the CPU:
// - on a 1x1 input with stride 1 and no padding (a generator's first layer) it is one matrix
//   product instead of im2col/col2im over 16 taps;
// - otherwise on the CPU it runs as the input-gradient of the matching convolution, which LibTorch
//   sends to oneDNN (MKL-DNN), and its backward pass runs the convolution forward and the
//   convolution weight-gradient, also in oneDNN; LibTorch 1.13's own CPU kernel for transposed
//   convolutions is an unvectorised im2col path that is 1.5-3x slower here.
// On CUDA it calls at::conv_transpose2d (cuDNN).
struct TransposedConv2dOptions {
  TransposedConv2dOptions(std::int64_t in, std::int64_t out, std::int64_t kernel)
      : in_channels_(in), out_channels_(out), kernel_size_(kernel) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  TORCH_ARG(std::int64_t, kernel_size);
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(std::int64_t, padding) = 0;
  TORCH_ARG(bool, bias) = true;
};

class TransposedConv2dImpl : public torch::nn::Cloneable<TransposedConv2dImpl> {
 public:
  explicit TransposedConv2dImpl(const TransposedConv2dOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);

  TransposedConv2dOptions options;
  torch::Tensor weight;  // [in, out, k, k]
  torch::Tensor bias;    // [out] or undefined
};
TORCH_MODULE(TransposedConv2d);

// The same function as at::conv_transpose2d(input, weight, {}, stride, padding), by the routes
// described above. Exposed for the tests.
torch::Tensor transposed_conv2d(const torch::Tensor& input, const torch::Tensor& weight, std::int64_t stride,
                                std::int64_t padding);

}  // namespace synthgen::models
