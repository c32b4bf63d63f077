// `synthgen eval --pred DIR --target DIR --metrics psnr,ssim`: paired image quality (translation,
// super-resolution) over files matched by name, as BasicSR / Real-ESRGAN compute it.
#pragma once

#include <string>
#include <vector>

namespace synthgen {

struct PairedEvalRequest {
  std::string pred;                  // folder of produced images
  std::string target;                // folder of ground-truth images, same relative names
  std::vector<std::string> metrics;  // psnr, ssim, l1 (mean absolute difference in 0-255 levels); empty = psnr, ssim
  bool y_channel = false;            // score the BT.601 luma only
  int crop_border = 0;               // pixels cut from every side before scoring
  std::string json_path;
  int threads = 0;
};

int run_paired_eval(const PairedEvalRequest& request);

}  // namespace synthgen
