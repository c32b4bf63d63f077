// What the batch commands (`sample`, `upscale`) do first: set up threads and device, install the
// signal handlers, open the checkpoint with the config it was trained with, and claim the output
// folder.
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
InferenceCheckpoint open_for_inference(const std::string& checkpoint, const std::string& device,
                                       int threads);

// Creates `out_dir` (the command's --out) if needed. Refuses, with UsageError, a path that is not
// a folder, and a folder that holds anything unless `overwrite`.
void prepare_output_folder(const std::string& out_dir, bool overwrite);

}  // namespace synthgen
