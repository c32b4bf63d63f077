#include "synthgen/config/run_settings.h"

namespace synthgen {

RuntimeSettings runtime_settings(const RunConfig& run) {
  RuntimeSettings settings;
  settings.device = run.device;
  settings.threads = run.threads;
  settings.precision = run.precision;
  settings.cudnn_benchmark = run.cudnn_benchmark;
  return settings;
}

}  // namespace synthgen
