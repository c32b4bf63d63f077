// `synthgen translate`: a trained pix2pix or cyclegan generator translates every image under a
// folder into a new folder with the same tree and file names, so that labels keyed by path still
// apply; label and manifest files are copied alongside.
#pragma once

#include <string>

namespace synthgen {

struct TranslateRequest {
  std::string checkpoint;          // a pix2pix or cyclegan checkpoint file or run folder
  std::string input;               // a folder searched recursively (or one image file)
  std::string out_dir;             // output folder: the same relative paths and names
  std::string direction = "AtoB";  // AtoB | BtoA (cyclegan only)
  int batch = 8;                   // images of equal size translated together
  int tile = 0;                    // tile side in pixels for large images (0 = whole images)
  int tile_overlap = 32;           // pixels shared and blended by neighbouring tiles
  std::string device = "auto";
  int threads = 0;         // 0 = every core
  bool overwrite = false;  // replace an earlier run's outputs in out_dir (refuses other files)
};

// Files copied unchanged beside the translated images: labels and manifests (.csv .tsv .txt
// .json .jsonl .yaml .yml .xml).
bool is_label_file(const std::string& path);

// Returns the exit code: 0 when every readable image was written (unreadable files are reported,
// skipped and counted), 128 + signal when stopped. Throws UsageError for bad flags, a missing
// input, a checkpoint of another family, --direction BtoA on pix2pix, or a non-empty out_dir;
// RuntimeError when no image could be read or a write fails.
int run_translate(const TranslateRequest& request);

}  // namespace synthgen
