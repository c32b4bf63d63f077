// `synthgen eval --real A --fake B --features NET`: how close a generated set is to a real one
// (FID, KID, precision/recall), how confident and varied it is (Inception Score), and how well a
// classifier does on a labelled set (accuracy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/train/image_generator.h"

namespace synthgen {

struct DistributionEvalRequest {
  std::string real;  // image source or .npy features (see eval/image_source.h)
  std::string fake;
  std::string features;  // inception:FILE or classifier:CKPT ("" only with two .npy sets)
  // fid, kid, is, pr, accuracy, copies; empty = by the sets given: fid,kid,pr for --real and
  // --fake, is for --fake alone, accuracy for --real alone. copies: the share of --fake images
  // nearer to a --real (training) image than 99% of training images are to their nearest other one
  std::vector<std::string> metrics;
  std::int64_t num = 0;       // images per set (0 = all; generators: 10,000)
  std::string json_path;      // write every figure with its settings here
  std::string save_features;  // PREFIX: write PREFIX.real.npy / PREFIX.fake.npy
  // One CSV row per image of --fake (of --real when alone): file, label, the classifier's
  // prediction (classifier:CKPT features), nearest --real image and realism score (with --real)
  std::string per_image_path;
  // copies: PNG of the 16 closest (generated, training) pairs; "" = beside json_path
  // (scores.json -> scores.copies.png), or no grid without json_path. Needs image sets, not .npy.
  std::string copies_grid;
  int batch = 100;         // images per network call
  std::uint64_t seed = 0;  // generator seeds and KID's subset draws
  std::int64_t kid_subsets = 100;
  std::int64_t kid_subset_size = 1000;  // shrunk, with a warning, to the smaller set's size
  int is_splits = 10;
  int pr_k = 3;
  GeneratorOptions generator;  // how generator checkpoints among real/fake are sampled
  std::string device = "auto";
  int threads = 0;
};

// Prints the table on stdout; returns the exit code. Throws UsageError / RuntimeError.
int run_distribution_eval(const DistributionEvalRequest& request);

}  // namespace synthgen
