// `synthgen sample`: a trained generator (a GAN, ddpm or vae) into an image data set (PNG files +
// manifest.csv, with a label column for class-conditional models), filtered by a classifier or
// not, or one grid image; for a vae also reconstructions of an image folder and a latent walk
// between two seeds.
#pragma once

#include <cstdint>
#include <string>

#include "synthgen/tasks/sample_filter.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {

struct SampleRequest {
  std::string checkpoint;  // a checkpoint file or a run folder (its latest checkpoint)
  std::int64_t num = 0;    // images to make (reconstruct_dir: at most this many, 0 = all)
  std::string out_dir;     // folder for the PNG files and manifest.csv (not with grid_path)
  std::string grid_path;   // write one PNG grid of the `num` images here instead
  int batch = 256;         // images per generator call
  std::uint64_t seed = 0;  // image i is made from seed + i
  std::string device = "auto";
  int threads = 0;         // 0 = every core
  bool overwrite = false;  // replace an earlier run's outputs in out_dir (refuses other files)
  // Class-conditional models: "balanced" (image i gets class i mod K), or one class: its index or
  // its name (labels.txt of the run, as stored in the checkpoint).
  std::string classes = "balanced";
  GeneratorOptions generator;  // EMA or raw weights, truncation, the ddpm sampler and guidance
  SampleFilter filter;         // --keep-if: draw until `num` images pass a classifier (--out only)
  // vae:
  std::string reconstruct_dir;  // encode and decode every image under this folder into out_dir
  bool interpolate = false;     // grid_path gets `num` images on the line from seed's z to seed+1's
};

// Returns the exit code: 0 when done, 128 + signal when stopped (the files written so far are
// complete; manifest.csv is written only at the end). Throws UsageError / RuntimeError (a
// filtered sample that reaches its --max-attempts: RuntimeError, and no manifest.csv).
int run_sample(const SampleRequest& request);

}  // namespace synthgen
