#include "synthgen/eval/label_alignment.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/error.h"

namespace synthgen {

torch::Tensor align_labels(const torch::Tensor& labels, const std::vector<std::string>& names,
                           const std::vector<std::string>& test_names, const std::string& what) {
  if (names == test_names) return labels;
  std::vector<std::int64_t> mapping;
  for (const std::string& name : names) {
    auto found = std::find(test_names.begin(), test_names.end(), name);
    if (found != test_names.end()) {
      mapping.push_back(found - test_names.begin());
    } else if (!name.empty() && name.size() < 18 && name.find_first_not_of("0123456789") == std::string::npos &&
               std::stoll(name) < static_cast<std::int64_t>(test_names.size())) {
      mapping.push_back(std::stoll(name));
    } else {
      throw RuntimeError(
          fmt::format("{}: class '{}' is not a class of the test set (its classes are named as "
                      "the test set's, or numbered 0..{})",
                      what, name, test_names.size() - 1));
    }
  }
  return torch::tensor(mapping).index_select(0, labels);
}

}  // namespace synthgen
