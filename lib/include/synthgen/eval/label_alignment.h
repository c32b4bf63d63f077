// Matching one set's class numbering to another's by class name.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace synthgen {

// Maps `labels`, numbered as `names`, onto the numbering of `test_names` by class name, or by number
// when a class is named 0, 1, 2, ... Throws RuntimeError, starting with `what`, for a class that is
// in neither form.
torch::Tensor align_labels(const torch::Tensor& labels, const std::vector<std::string>& names,
                           const std::vector<std::string>& test_names, const std::string& what);

}  // namespace synthgen
