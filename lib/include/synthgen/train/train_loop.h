// The family-agnostic training loop: data, steps, progress, metrics, sample grids, checkpoints,
// resume and clean stops on SIGINT/SIGTERM.
#pragma once

#include <filesystem>
#include <optional>

#include "synthgen/config/config.h"
#include "synthgen/core/runtime.h"
#include "synthgen/io/checkpoint.h"

namespace synthgen::train {

// The layout of a run folder.
struct RunPaths {
  std::filesystem::path root;
  std::filesystem::path config() const { return root / "config.yaml"; }
  std::filesystem::path labels() const { return root / "labels.txt"; }
  std::filesystem::path metrics() const { return root / "metrics.jsonl"; }
  std::filesystem::path samples() const { return root / "samples"; }
  std::filesystem::path checkpoints() const { return root / "checkpoints"; }
  std::filesystem::path latest() const { return checkpoints() / "latest.ckpt"; }
  std::filesystem::path step_checkpoint(std::int64_t step) const;
  std::filesystem::path step_grid(std::int64_t step) const;
};

// Trains `config` in `paths`, continuing from `resume` when given, or else starting from the
// network weights of the checkpoint file `init` when it is not empty (Trainer::init_from).
// Returns 0 when train.steps are done, or 128 + signal when stopped by a signal after saving.
int run_training(const Config& config, const RunPaths& paths, const Runtime& runtime,
                 std::optional<io::LoadedCheckpoint> resume, const std::string& init = "");

}  // namespace synthgen::train
