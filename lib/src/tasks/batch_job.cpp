#include "batch_job.h"

#include "synthgen/config/load.h"
#include "synthgen/core/interrupt.h"

namespace synthgen {

InferenceCheckpoint open_for_inference(const std::string& checkpoint, const std::string& device, int threads) {
  InferenceCheckpoint opened;
  opened.path = io::resolve_checkpoint_path(checkpoint);
  RuntimeSettings settings;
  settings.device = device;
  settings.threads = threads;
  opened.runtime = setup_runtime(settings);
  // Batch after batch of the same shapes: keeping freed blocks saves faulting them in again.
  keep_freed_memory();
  install_interrupt_handlers();
  opened.checkpoint = io::load_checkpoint(opened.path, opened.runtime.device);
  opened.config = load_config_text(opened.checkpoint.meta.config_yaml, opened.path);
  return opened;
}

}  // namespace synthgen
