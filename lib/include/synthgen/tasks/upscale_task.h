// `synthgen upscale`: a trained srgan generator enlarges image files of any size, tile by tile.
#pragma once

#include <string>

namespace synthgen {

struct UpscaleRequest {
  std::string checkpoint;  // an srgan checkpoint file or run folder
  std::string input;       // one image file, or a folder searched recursively
  std::string out_dir;     // output folder: the input's relative paths, each as .png
  int tile = 256;          // tile side in input pixels (0 = whole images at once)
  int tile_overlap = 16;   // input pixels shared by neighbouring tiles, blended
  std::string device = "auto";
  int threads = 0;         // 0 = every core
  bool overwrite = false;  // replace an earlier run's outputs in out_dir (refuses other files)
  bool use_ema = true;     // the EMA weights when the run kept them
};

// Returns the exit code: 0 when every readable image was written (unreadable ones are reported,
// skipped and counted), 128 + signal when stopped. Throws UsageError for bad flags, a missing
// input, a non-srgan checkpoint, or an out_dir that is not empty; RuntimeError when no input image
// could be read or a write fails.
int run_upscale(const UpscaleRequest& request);

}  // namespace synthgen
