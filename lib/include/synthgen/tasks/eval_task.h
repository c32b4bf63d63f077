// `synthgen eval`: picks the evaluation that the given flags ask for (set metrics, paired metrics
// or CAS) and runs it.
#pragma once

#include <string>
#include <vector>

#include "synthgen/eval/cas.h"
#include "synthgen/eval/distribution_eval.h"
#include "synthgen/eval/paired_eval.h"

namespace synthgen {

struct EvalRequest {
  DistributionEvalRequest distribution;  // --real/--fake: set metrics
  PairedEvalRequest paired;              // --pred/--target: paired metrics
  CasRequest cas;                        // the `eval cas` subcommand
  bool cas_given = false;                // run `cas` instead of set or paired metrics
  // Flags that set and paired metrics share, copied into the one that runs:
  std::vector<std::string> metrics;  // empty = that evaluation's defaults
  std::string json_path;
  std::string device = "auto";  // set metrics only: paired metrics run on the CPU
  int threads = 0;
};

// Runs CAS when cas_given, else paired metrics when pred or target is given, else set metrics.
// Throws UsageError when paired and set flags are mixed, a sampling flag comes with paired
// metrics, a pair lacks one folder, or nothing to evaluate is given. Returns the exit code.
int run_eval(const EvalRequest& request);

}  // namespace synthgen
