// Decoding a list of image files with worker threads, for the folder data sources.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "synthgen/data/dataset.h"
#include "synthgen/io/image_codec.h"

namespace synthgen::data {

struct DecodedFiles {
  std::vector<std::optional<io::Image>> images;  // per file; empty where it failed
  std::vector<std::string> problems;             // per file: why it failed, or ""
};

// Reads and decodes each file as `channels` channels with `threads` workers; results keep the
// order of `files`. Failures are collected, not thrown.
DecodedFiles decode_files(const std::vector<std::string>& files, int channels, int max_side, int threads);

// Translation examples: each (A, B) pair resized and centre-cropped to size x size and joined
// along the channels into one uint8 [N, 2C, size, size] data set (see data/translation_data.h).
ImageDataset join_pairs(const std::vector<std::pair<io::Image, io::Image>>& pairs, int size, int channels);

}  // namespace synthgen::data
