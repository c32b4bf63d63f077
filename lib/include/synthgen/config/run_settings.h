// The run.* keys that set up the process, in the plain form core/runtime.h takes: config depends
// on core, never the other way round.
#pragma once

#include "synthgen/config/config.h"
#include "synthgen/core/runtime.h"

namespace synthgen {

// run.device, run.threads, run.precision and run.cudnn_benchmark.
RuntimeSettings runtime_settings(const RunConfig& run);

}  // namespace synthgen
