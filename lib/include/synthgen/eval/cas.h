// `synthgen eval cas`: the classification accuracy score (Ravuri & Vinyals 2019). The built-in
// classifier is trained on a labelled synthetic set, or on a mix of sources (a balanced subset of
// the real training set plus synthetic images), and tested on real data, beside the same
// classifier trained on a real baseline with the same seeds: how much a synthetic set can stand in
// for the real one, or what it adds to a little real data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {

struct CasRequest {
  // Training sources, concatenated into one set: folders (class sub-folders or manifest.csv
  // labels), generators, fashion-mnist:SPLIT; each may end in :N (eval::open_image_source).
  std::vector<std::string> train;
  std::string test = "fashion-mnist:test";
  // The real-only comparison, concatenated as train is; {"none"} skips it. Empty: the
  // fashion-mnist sources of `train` (its real part), or fashion-mnist:train when it has none.
  std::vector<std::string> baseline;
  // The classifier and its training: a YAML file, or "" for the built-in copy of
  // configs/classifier_fashion.yaml.
  std::string config;
  std::vector<std::string> overrides;           // --set key=value on that config, for both classifiers
  std::vector<std::string> baseline_overrides;  // --baseline-set: more overrides for the baseline's only
  int repeats = 1;                              // classifier pairs: repeat r trains both with run.seed + r
  std::string label_with;                       // classifier checkpoint that labels the unlabelled --train sources
  std::int64_t num = 0;        // images of a --train source without its own :N (0 = all; generators: 10,000)
  std::uint64_t seed = 0;      // generator seeds
  GeneratorOptions generator;  // how generator sources are sampled
  std::string json_path;
  std::string device = "auto";
  int threads = 0;
};

int run_cas(const CasRequest& request);

// The classifier config of a request with its overrides: the file request.config, or the built-in
// copy of configs/classifier_fashion.yaml when that is "" (so that the default works from any
// folder). Throws UsageError naming --config for a missing file, ConfigError for a bad one.
Config cas_classifier_config(const CasRequest& request);

}  // namespace synthgen
