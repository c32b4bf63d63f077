// Image folders: recursive, sorted, with class sub-folders as labels.
#pragma once

#include <string>
#include <vector>

#include "synthgen/data/dataset.h"

namespace synthgen::data {

struct FolderListing {
  std::vector<std::string> files;        // sorted
  std::vector<std::int64_t> labels;      // per file; empty when unlabelled
  std::vector<std::string> class_names;  // sorted sub-folder names; empty when unlabelled
};

// Image files (.png .jpg .jpeg .bmp .tga, any case) under `root`, recursively. When `root` holds no
// images itself but has sub-folders with images, each first-level sub-folder is a class.
FolderListing list_image_folder(const std::string& root);

// Decodes the listed files with `threads` workers, each converted, resized and centre-cropped as
// cfg says. Unusable files are skipped with a warning naming them; no usable file at all is an
// error naming the folder.
ImageDataset load_image_folder(const DataConfig& cfg, int threads, LoadStats* stats);

}  // namespace synthgen::data
