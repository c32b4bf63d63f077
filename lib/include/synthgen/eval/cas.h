// `synthgen eval cas`: the classification accuracy score (Ravuri & Vinyals 2019). The built-in
// classifier is trained on a labelled synthetic set and tested on real data, beside the same
// classifier trained on the real training set: how much a synthetic data set can stand in for
// the real one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {

struct CasRequest {
  std::string train;  // labelled synthetic set: folder (class sub-folders or manifest.csv labels), or a generator
  std::string test = "fashion-mnist:test";
  std::string baseline = "fashion-mnist:train";  // real training set; "none" skips it
  // The classifier and its training: a YAML file, or "" for the built-in copy of
  // configs/classifier_fashion.yaml.
  std::string config;
  std::vector<std::string> overrides;  // --set key=value on that config
  std::string label_with;              // classifier checkpoint that labels an unlabelled training set
  std::int64_t num = 0;                // images of the synthetic set (0 = all; generators: 10,000)
  std::uint64_t seed = 0;              // generator seeds
  GeneratorOptions generator;          // how a generator `train` is sampled
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
