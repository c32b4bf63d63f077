// IDX files (MNIST's format, gzipped or raw): uint8 images [N, rows, cols] and uint8 labels [N].
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::data {

// uint8 [N, rows, cols]. Throws RuntimeError naming the file on a wrong magic number (expected
// 0x00000803), bad dimensions or a payload shorter or longer than the header says.
torch::Tensor read_idx_images(const std::string& path);

// int64 [N]. Magic 0x00000801.
torch::Tensor read_idx_labels(const std::string& path);

// The file's bytes, gunzipped when it starts with the gzip magic.
std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path);

}  // namespace synthgen::data
