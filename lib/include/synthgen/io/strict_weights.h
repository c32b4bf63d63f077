// Loading a network's weights from a checkpoint part, strictly. LibTorch's Module::load reads only
// the tensors the module asks for, ignores the rest and takes each stored tensor's shape: a x4
// generator loads into a x2 one with its extra layers dropped, without a word. Every loader of
// network weights goes through load_weights_strict, which first checks that every parameter and
// buffer matches by name and shape.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace synthgen::io {

// Dotted names ("trunk.1.block1.conv1.weight") and shapes of tensors, in the order they were
// registered or stored.
using TensorShapes = std::vector<std::pair<std::string, std::vector<std::int64_t>>>;

// The parameters and buffers that Module::save writes for `module` (and Module::load reads).
TensorShapes module_tensor_shapes(const torch::nn::Module& module);

// The tensors stored in `archive` and its sub-archives.
TensorShapes archive_tensor_shapes(torch::serialize::InputArchive& archive);

// "" when `stored` holds exactly the names of `expected`, with the same shapes. Otherwise one line
// naming the first few tensors missing from `stored`, not in `expected`, and of another shape,
// with the count of the rest of each kind.
std::string describe_tensor_mismatch(const TensorShapes& expected, const TensorShapes& stored);

// Loads `archive` into `module` after checking that they match; when they do not, throws
// UsageError "<what>: <describe_tensor_mismatch>" and leaves `module` unchanged.
void load_weights_strict(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& what);

// Loads the network part `name` of a checkpoint's trainer archive into `module`, strictly. A
// mismatch means that the checkpoint's own config built another network (a damaged checkpoint).
void read_weights_part(torch::serialize::InputArchive& archive, const std::string& name, torch::nn::Module& module);

// As read_weights_part, from the part `preferred` (the EMA weights) when `prefer` is set and the
// archive holds it, else from `fallback`. Returns the name of the part read.
std::string read_weights_part_preferring(torch::serialize::InputArchive& archive, const std::string& preferred,
                                         const std::string& fallback, bool prefer, torch::nn::Module& module);

}  // namespace synthgen::io
