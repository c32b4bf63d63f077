// What the batch commands (`sample`, `upscale`, `translate`) do first: set up threads and device,
// install the signal handlers and open the checkpoint with the config it was trained with (their
// output folder: output_folder.h).
#pragma once

#include <string>

#include "synthgen/config/config.h"
#include "synthgen/core/runtime.h"
#include "synthgen/io/checkpoint.h"

namespace synthgen {

struct InferenceCheckpoint {
  std::string path;  // the checkpoint file (a run folder resolves to its latest.ckpt)
  Runtime runtime;
  io::LoadedCheckpoint checkpoint;
  Config config;  // the resolved config stored in the checkpoint
};

// `checkpoint` is a file or a run folder; `device` and `threads` as in run.device / run.threads.
// Throws UsageError for a missing checkpoint and RuntimeError for a damaged one, naming it.
InferenceCheckpoint open_for_inference(const std::string& checkpoint, const std::string& device, int threads);

}  // namespace synthgen
