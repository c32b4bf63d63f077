// `synthgen sample`: a trained generator into an image data set (PNG files + manifest.csv, with a
// label column for class-conditional models) or one grid image.
#pragma once

#include <cstdint>
#include <string>

namespace synthgen {

struct SampleRequest {
  std::string checkpoint;   // a checkpoint file or a run folder (its latest checkpoint)
  std::int64_t num = 0;     // images to make
  std::string out_dir;      // folder for the PNG files and manifest.csv (not with grid_path)
  std::string grid_path;    // write one PNG grid of the `num` images here instead
  int batch = 256;          // images per generator call
  std::uint64_t seed = 0;   // image i is made from seed + i
  std::string device = "auto";
  int threads = 0;          // 0 = every core
  bool overwrite = false;   // allow a non-empty out_dir (existing files may be replaced)
  // Class-conditional models: "balanced" (image i gets class i mod K), or one class index.
  std::string classes = "balanced";
  bool use_ema = true;      // sample from the EMA weights when the run kept them
  double truncation = 1.0;  // the truncation trick's psi (progan); 1 = none
};

// Returns the exit code: 0 when done, 128 + signal when stopped (the files written so far are
// complete; manifest.csv is written only at the end). Throws UsageError / RuntimeError.
int run_sample(const SampleRequest& request);

}  // namespace synthgen
