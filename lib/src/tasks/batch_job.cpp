#include "batch_job.h"

#include <fmt/format.h>

#include <filesystem>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"

namespace synthgen {

InferenceCheckpoint open_for_inference(const std::string& checkpoint, const std::string& device,
                                       int threads) {
  InferenceCheckpoint opened;
  opened.path = io::resolve_checkpoint_path(checkpoint);
  RunConfig run;
  run.device = device;
  run.threads = threads;
  opened.runtime = setup_runtime(run);
  // Batch after batch of the same shapes: keeping freed blocks saves faulting them in again.
  keep_freed_memory();
  install_interrupt_handlers();
  opened.checkpoint = io::load_checkpoint(opened.path, opened.runtime.device);
  opened.config = load_config_text(opened.checkpoint.meta.config_yaml, opened.path);
  return opened;
}

void prepare_output_folder(const std::string& out_dir, bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path out(out_dir);
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      throw UsageError(fmt::format("--out '{}' exists and is not a folder", out_dir));
    }
    if (!overwrite && fs::directory_iterator(out, ec) != fs::directory_iterator()) {
      throw UsageError(fmt::format("--out '{}' is not empty; choose another folder or add --overwrite", out_dir));
    }
  }
  fs::create_directories(out, ec);
  if (ec) throw RuntimeError(fmt::format("cannot create '{}': {}", out_dir, ec.message()));
}

}  // namespace synthgen
