// Image folders: recursive, sorted, with class sub-folders as labels.
#pragma once

#include <string>
#include <vector>

#include "synthgen/data/dataset.h"

namespace synthgen::data {

struct FolderListing {
  std::vector<std::string> files;        // sorted
  std::vector<std::int64_t> labels;      // per file; empty when unlabelled
  std::vector<std::string> class_names;  // by label; empty when unlabelled
  std::string label_file;                // the manifest.csv the labels come from; "" otherwise
};

// Image files (.png .jpg .jpeg .bmp .tga, any case) under `root`, recursively, and their labels:
// the single reader of labelled image sets. A manifest.csv at the top of `root` with a label
// column (what `synthgen sample` writes for a class-conditional model) labels every image; an
// image without a row is a UsageError, rows of files no longer there are ignored with a warning.
// Without one, when `root` holds no images itself but has sub-folders with images, each
// first-level sub-folder is a class (class names sorted).
FolderListing list_image_folder(const std::string& root);

// Decodes the listed files with `threads` workers, each converted, resized and centre-cropped as
// cfg says. Unusable files are skipped with a warning naming them; no usable file at all is an
// error naming the folder.
ImageDataset load_image_folder(const DataConfig& cfg, int threads, LoadStats* stats);

}  // namespace synthgen::data
