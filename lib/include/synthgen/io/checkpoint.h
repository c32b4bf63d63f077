// One file per checkpoint: a LibTorch archive with named parts (meta, networks, optimizers, RNG and
// data state) followed by a footer that marks the file complete and checksums it. Saving goes to
// memory first and then to disk atomically, because torch::save truncates the previous file before
// writing and aborts the process when a write fails.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>

namespace synthgen::io {

// Bumped whenever the layout of the parts changes incompatibly.
constexpr std::int64_t kCheckpointFormat = 1;

struct CheckpointMeta {
  std::int64_t format = kCheckpointFormat;
  std::string family;       // model family that wrote it, e.g. "dcgan"
  std::string config_yaml;  // the resolved config of the run
  std::int64_t step = 0;    // optimisation steps done
  std::string version;      // synthgen version that wrote it
};

using ArchiveWriter = std::function<void(torch::serialize::OutputArchive&)>;

// Writes meta and whatever `write_body` adds, then the footer, to `path` atomically (temporary
// file, checked writes, fsync, rename, fsync of the folder). On failure the previous file at
// `path` is untouched and a RuntimeError names the path and the reason.
void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const ArchiveWriter& write_body);

struct LoadedCheckpoint {
  CheckpointMeta meta;
  torch::serialize::InputArchive archive;  // the body; tensors already on the requested device
};

// Reads `path`, checks the footer (complete file, checksum) and the format version, and returns
// meta and body. Throws RuntimeError naming the file and what was expected and found.
LoadedCheckpoint load_checkpoint(const std::string& path, const torch::Device& device = torch::kCPU);

// Meta only (the whole file is still verified).
CheckpointMeta read_checkpoint_meta(const std::string& path);

// A checkpoint file, or a run folder meaning its checkpoints/latest.ckpt.
std::string resolve_checkpoint_path(const std::string& file_or_run_dir);

}  // namespace synthgen::io
