// `synthgen sample --keep-if classifier:CKPT --min-confidence P`: candidates drawn in attempt order
// (kept_set.h), judged (candidate_judge.h) and written until --num pass, then manifest.csv with
// each kept image's seed, label and scores, and a summary of the acceptance rates.
#pragma once

#include "synthgen/core/runtime.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {

// The filter flags' own checks, before any work: UsageError naming the flag.
void check_sample_filter(const SampleRequest& request);

// Returns the exit code: 0 when done, 128 + signal when stopped. Throws RuntimeError when
// --max-attempts is reached first (the kept images are on disk, manifest.csv is not).
int run_filtered_sample(const SampleRequest& request, ImageGenerator& generator, const Runtime& runtime);

}  // namespace synthgen
