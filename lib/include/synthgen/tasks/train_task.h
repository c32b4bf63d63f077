// `synthgen train`: a run from a YAML config into one run folder, or the continuation of one.
#pragma once

#include <string>
#include <vector>

namespace synthgen {

struct TrainRequest {
  std::string config_path;             // the YAML config (not with resume_dir)
  std::vector<std::string> overrides;  // `--set key=value`, applied in order after the file
  std::string out_dir;                 // the run folder; "" = <run.out_root>/<config name>-<time>
  std::string resume_dir;              // continue this run folder from its latest checkpoint
  std::string init_checkpoint;         // start from this checkpoint's (or run folder's) weights (srgan)
  bool print_config = false;           // print the resolved config to stdout and stop
  bool list_keys = false;              // print every config key (Markdown table) and stop
};

// Runs training to the end. Returns the exit code: 0 when done, 128 + signal when stopped by
// SIGINT/SIGTERM (after saving a checkpoint). Throws ConfigError/UsageError for bad input and
// RuntimeError for failures while running.
int run_train(const TrainRequest& request);

}  // namespace synthgen
