// How error messages show a tensor's shape: "[64, 3, 32, 32]".
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen {

inline std::string shape_text(const torch::Tensor& tensor) { return c10::str(tensor.sizes()); }

}  // namespace synthgen
