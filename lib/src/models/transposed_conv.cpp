#include "synthgen/models/blocks.h"

#include <cmath>

namespace synthgen::models {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The transposed convolution y = convT(x, W) is the input-gradient of the convolution
// x' = conv(y', W) evaluated at y' = x. So forward is convolution_backward's input part, the
// input-gradient of convT is a plain convolution, and its weight-gradient is the convolution's
// weight-gradient with the roles of input and output swapped.
struct TransposedConvFunction : public torch::autograd::Function<TransposedConvFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input, const torch::Tensor& weight,
                               std::int64_t stride, std::int64_t padding) {
    const std::int64_t kernel = weight.size(2);
    const std::int64_t out_h = (input.size(2) - 1) * stride - 2 * padding + kernel;
    const std::int64_t out_w = (input.size(3) - 1) * stride - 2 * padding + kernel;
    // Only the shape of the convolution's input is read for the input-gradient.
    const torch::Tensor output_shape = at::empty({input.size(0), weight.size(1), out_h, out_w}, input.options());
    const torch::Tensor x = input.contiguous();
    auto grads = at::convolution_backward(x, output_shape, weight, c10::nullopt, {stride, stride}, {padding, padding},
                                          {1, 1}, /*transposed=*/false, {0, 0}, /*groups=*/1, {true, false, false});
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return std::get<0>(grads);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& input = saved[0];
    const torch::Tensor& weight = saved[1];
    const std::int64_t stride = ctx->saved_data["stride"].toInt();
    const std::int64_t padding = ctx->saved_data["padding"].toInt();
    const torch::Tensor grad = grad_outputs[0].contiguous();

    torch::Tensor grad_input;
    torch::Tensor grad_weight;
    if (ctx->needs_input_grad(0)) {
      grad_input = at::conv2d(grad, weight, {}, {stride, stride}, {padding, padding});
    }
    if (ctx->needs_input_grad(1)) {
      auto grads = at::convolution_backward(input, grad, weight, c10::nullopt, {stride, stride}, {padding, padding},
                                            {1, 1}, /*transposed=*/false, {0, 0}, /*groups=*/1, {false, true, false});
      grad_weight = std::get<1>(grads);
    }
    return {grad_input, grad_weight, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor transposed_conv2d(const torch::Tensor& input, const torch::Tensor& weight, std::int64_t stride,
                                std::int64_t padding) {
  const std::int64_t kernel = weight.size(2);
  if (input.size(2) == 1 && input.size(3) == 1 && stride == 1 && padding == 0) {
    // Every output pixel sees exactly one input pixel: y[n, o, i, j] = sum_c x[n, c] W[c, o, i, j].
    const torch::Tensor flat = input.reshape({input.size(0), input.size(1)});
    return flat.matmul(weight.reshape({weight.size(0), -1})).view({input.size(0), weight.size(1), kernel, kernel});
  }
  if (input.device().is_cpu() && input.scalar_type() == torch::kFloat) {
    return TransposedConvFunction::apply(input, weight, stride, padding);
  }
  return at::conv_transpose2d(input, weight, {}, {stride, stride}, {padding, padding});
}

TransposedConv2dImpl::TransposedConv2dImpl(const TransposedConv2dOptions& options_) : options(options_) { reset(); }

void TransposedConv2dImpl::reset() {
  const std::int64_t k = options.kernel_size();
  weight = register_parameter("weight", torch::empty({options.in_channels(), options.out_channels(), k, k}));
  bias = options.bias() ? register_parameter("bias", torch::empty({options.out_channels()})) : torch::Tensor();
  // torch.nn.ConvTranspose2d's default initialisation (kaiming_uniform with a = sqrt(5)); fan_in
  // is computed from dim 1 of the weight, as PyTorch does for transposed convolutions.
  torch::NoGradGuard no_grad;
  const double fan_in = static_cast<double>(options.out_channels() * k * k);
  const double bound = 1.0 / std::sqrt(fan_in);
  weight.uniform_(-bound, bound);
  if (bias.defined()) bias.uniform_(-bound, bound);
}

torch::Tensor TransposedConv2dImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = transposed_conv2d(input, weight, options.stride(), options.padding());
  if (bias.defined()) output = output + bias.view({1, -1, 1, 1});
  return output;
}

}  // namespace synthgen::models
