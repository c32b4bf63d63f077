// The flags that choose how a generator checkpoint is sampled, shared by `synthgen sample` and
// `synthgen eval` (which samples generators given as --real/--fake or as eval cas's --train).
#pragma once

#include <CLI/CLI.hpp>

#include "synthgen/train/image_generator.h"

namespace synthgen::app {

void add_sampling_flags(CLI::App* cmd, GeneratorOptions& options);

}  // namespace synthgen::app
