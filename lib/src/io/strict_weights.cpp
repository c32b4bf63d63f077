#include "synthgen/io/strict_weights.h"

#include <fmt/format.h>

#include <map>

#include "synthgen/core/error.h"
#include "synthgen/core/text.h"

namespace synthgen::io {
namespace {

constexpr std::size_t kNamesShown = 3;  // per kind of difference; the rest are counted

// Walks the module as Module::save does: own parameters, own buffers, then serializable children.
void add_module_tensors(const torch::nn::Module& module, const std::string& prefix, TensorShapes& out) {
  for (const auto& item : module.named_parameters(/*recurse=*/false)) {
    out.emplace_back(prefix + item.key(), item.value().sizes().vec());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/false)) {
    out.emplace_back(prefix + item.key(), item.value().sizes().vec());
  }
  for (const auto& child : module.named_children()) {
    if (child.value()->is_serializable()) add_module_tensors(*child.value(), prefix + child.key() + ".", out);
  }
}

void add_archive_tensors(torch::serialize::InputArchive& archive, const std::string& prefix, TensorShapes& out) {
  for (const std::string& key : archive.keys()) {
    torch::Tensor tensor;
    torch::serialize::InputArchive child;
    if (archive.try_read(key, tensor)) {
      out.emplace_back(prefix + key, tensor.sizes().vec());
    } else if (archive.try_read(key, child)) {
      add_archive_tensors(child, prefix + key + ".", out);
    }
  }
}

std::string shape_text(const std::vector<std::int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// "what: a, b, c and 4 more" for the non-empty lists.
void add_kind(std::vector<std::string>& parts, const std::string& what, const std::vector<std::string>& names) {
  if (!names.empty()) parts.push_back(fmt::format("{} {}: {}", names.size(), what, join_some(names, kNamesShown)));
}

}  // namespace

TensorShapes module_tensor_shapes(const torch::nn::Module& module) {
  TensorShapes shapes;
  add_module_tensors(module, "", shapes);
  return shapes;
}

TensorShapes archive_tensor_shapes(torch::serialize::InputArchive& archive) {
  TensorShapes shapes;
  add_archive_tensors(archive, "", shapes);
  return shapes;
}

std::string describe_tensor_mismatch(const TensorShapes& expected, const TensorShapes& stored) {
  const std::map<std::string, std::vector<std::int64_t>> stored_by_name(stored.begin(), stored.end());
  const std::map<std::string, std::vector<std::int64_t>> expected_by_name(expected.begin(), expected.end());
  std::vector<std::string> missing;
  std::vector<std::string> reshaped;
  for (const auto& [name, shape] : expected) {
    const auto found = stored_by_name.find(name);
    if (found == stored_by_name.end()) {
      missing.push_back(fmt::format("{} {}", name, shape_text(shape)));
    } else if (found->second != shape) {
      reshaped.push_back(
          fmt::format("{} (stored {}, expected {})", name, shape_text(found->second), shape_text(shape)));
    }
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, shape] : stored) {
    if (expected_by_name.count(name) == 0) unexpected.push_back(fmt::format("{} {}", name, shape_text(shape)));
  }
  std::vector<std::string> parts;
  add_kind(parts, "tensors expected but not stored", missing);
  add_kind(parts, "stored tensors this model has no place for", unexpected);
  add_kind(parts, "tensors of another shape", reshaped);
  return fmt::format("{}", fmt::join(parts, "; "));
}

void load_weights_strict(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& what) {
  const std::string mismatch = describe_tensor_mismatch(module_tensor_shapes(module), archive_tensor_shapes(archive));
  if (!mismatch.empty()) throw UsageError(fmt::format("{}: {}", what, mismatch));
  module.load(archive);
}

void read_weights_part(torch::serialize::InputArchive& archive, const std::string& name, torch::nn::Module& module) {
  torch::serialize::InputArchive part;
  archive.read(name, part);
  load_weights_strict(module, part,
                      fmt::format("checkpoint part '{}' does not match the network its config describes", name));
}

std::string read_weights_part_preferring(torch::serialize::InputArchive& archive, const std::string& preferred,
                                         const std::string& fallback, bool prefer, torch::nn::Module& module) {
  torch::serialize::InputArchive probe;
  const std::string name = prefer && archive.try_read(preferred, probe) ? preferred : fallback;
  read_weights_part(archive, name, module);
  return name;
}

}  // namespace synthgen::io
