#include "synthgen/tasks/train_task.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "synthgen/config/load.h"
#include "synthgen/config/run_settings.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"
#include "synthgen/data/dataset.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/train/train_loop.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

// What may change when a run is continued: how long and where it runs, and its learning rate (the
// way on after a non-finite stop), never what it trains.
const std::set<std::string> kResumeChangeableKeys = {"train.steps",
                                                     "train.log_every",
                                                     "train.sample_every",
                                                     "train.checkpoint_every",
                                                     "train.keep_last",
                                                     "train.max_nonfinite_steps",
                                                     "train.lr",
                                                     "train.lr_schedule",
                                                     "train.lr_constant_steps",
                                                     "run.device",
                                                     "run.threads",
                                                     "run.cudnn_benchmark",
                                                     "run.out_root"};

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%d-%H%M%S", &local);
  return text;
}

bool is_empty_folder(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::directory_iterator(path, ec) == fs::directory_iterator();
}

// The outermost of `folder` and its parents that does not exist yet: what creating `folder` makes
// ("" when `folder` exists).
fs::path first_missing_folder(const fs::path& folder) {
  fs::path missing;
  std::error_code ec;
  for (fs::path path = fs::absolute(folder, ec).lexically_normal(); !path.empty() && !fs::exists(path, ec);
       path = path.parent_path()) {
    missing = path;
    if (path == path.parent_path()) break;
  }
  return missing;
}

struct NewRunFolder {
  fs::path path;
  fs::path made;  // the outermost folder created for it; "" when it existed (empty)
};

NewRunFolder make_run_folder(const Config& config, const TrainRequest& request) {
  fs::path folder;
  if (!request.out_dir.empty()) {
    folder = request.out_dir;
    std::error_code ec;
    if (fs::exists(folder, ec) && !is_empty_folder(folder)) {
      // Only a folder with a checkpoint can be continued; advising --resume for any other would send
      // the user to "nothing to continue".
      if (fs::exists(train::RunPaths{folder}.latest(), ec)) {
        throw UsageError(
            fmt::format("run folder '{}' already exists and is not empty: continue it with --resume {} or choose "
                        "another --out",
                        folder.string(), folder.string()));
      }
      throw UsageError(
          fmt::format("--out '{}' already exists, is not empty and holds no checkpoint to continue: "
                      "choose another --out or empty it",
                      folder.string()));
    }
  } else {
    const std::string name = fs::path(request.config_path).stem().string() + "-" + timestamp();
    folder = fs::path(config.run.out_root) / name;
    for (int suffix = 2; fs::exists(folder); ++suffix) {
      folder = fs::path(config.run.out_root) / fmt::format("{}-{}", name, suffix);
    }
  }
  // Grids and checkpoints inside an image folder would become training images of the next run.
  const bool reads_folder = config.data.source == "folder" || config.data.source == "patches";
  if (reads_folder && io::is_inside_folder(folder.string(), config.data.path)) {
    throw UsageError(fmt::format("run folder '{}' is inside data.path '{}'; choose an --out outside it",
                                 folder.string(), config.data.path));
  }
  const fs::path made = first_missing_folder(folder);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) {
    throw RuntimeError(fmt::format("cannot create run folder '{}': {}", folder.string(), ec.message()));
  }
  return {folder, made};
}

// Removes what a new run made when it fails before its first checkpoint (bad data, a family that
// does not fit the images, a non-finite stop): such a folder cannot be continued with --resume
// and would block a fresh start with the same --out. A run with a checkpoint stays.
void remove_failed_start(const NewRunFolder& folder, const train::RunPaths& paths) {
  std::error_code ec;
  if (fs::exists(paths.latest(), ec)) return;
  if (!folder.made.empty()) {
    fs::remove_all(folder.made, ec);
  } else {
    // The folder existed and was empty: everything in it now is this run's.
    for (const auto& entry : fs::directory_iterator(folder.path, ec)) fs::remove_all(entry.path(), ec);
  }
  log_status_done();
  if (ec) {
    log_warn("could not remove all of the failed run's folder '{}': {}", folder.path.string(), ec.message());
  } else {
    log_info("removed {}: the run stopped before its first checkpoint, so there is nothing to --resume",
             folder.made.empty() ? "what the run wrote in '" + folder.path.string() + "'"
                                 : "the run folder '" + folder.path.string() + "'");
  }
}

void write_config(const fs::path& path, const Config& config) {
  const std::string text = dump_config(config);
  io::write_file_atomic(path.string(), text.data(), text.size(), /*sync=*/true);
}

int start_new_run(const TrainRequest& request) {
  Config config = load_config(request.config_path, request.overrides);
  if (request.print_config) {
    std::cout << dump_config(config);
    return 0;
  }
  // Checked before the run folder exists, so that a wrong path leaves nothing behind.
  const std::string init =
      request.init_checkpoint.empty() ? std::string() : io::resolve_checkpoint_path(request.init_checkpoint);
  if (!init.empty()) {
    const io::CheckpointMeta meta = io::read_checkpoint_meta(init);
    if (meta.family != config.model.family) {
      throw UsageError(
          fmt::format("--init '{}' holds a {} model, expected {}", init, meta.family, config.model.family));
    }
  }
  // Checked before the run folder exists; what only the data or the networks reveal is cleaned up
  // by remove_failed_start.
  data::check_data_paths(config.data);
  const Runtime runtime = setup_runtime(runtime_settings(config.run));
  const NewRunFolder folder = make_run_folder(config, request);
  const train::RunPaths paths{folder.path};
  try {
    write_config(paths.config(), config);
    return train::run_training(config, paths, runtime, std::nullopt, init);
  } catch (...) {
    remove_failed_start(folder, paths);
    throw;
  }
}

int resume_run(const TrainRequest& request) {
  train::RunPaths paths{fs::path(request.resume_dir)};
  std::error_code ec;
  if (!fs::is_directory(paths.root, ec)) {
    throw UsageError(fmt::format("--resume '{}': no such run folder", request.resume_dir));
  }
  if (!fs::exists(paths.latest(), ec)) {
    throw UsageError(
        fmt::format("--resume '{}': expected a run folder with checkpoints/latest.ckpt, found none; nothing to "
                    "continue (a run saves its first checkpoint at train.checkpoint_every or when stopped)",
                    request.resume_dir));
  }
  io::LoadedCheckpoint checkpoint = io::load_checkpoint(paths.latest().string());
  // A process killed mid-save leaves its temporary file; it was never a checkpoint.
  const int stale = io::remove_stale_temporaries(paths.checkpoints().string()) +
                    io::remove_stale_temporaries(paths.samples().string()) +
                    io::remove_stale_temporaries(paths.root.string());
  if (stale > 0) log_info("removed {} temporary files left by an interrupted save", stale);
  // The checkpoint's own config is the truth; only how long and where the run goes may change.
  const Config saved = load_config_text(checkpoint.meta.config_yaml, paths.latest().string());
  Config config = saved;
  apply_overrides(config, request.overrides);
  std::vector<std::string> refused;
  for (const std::string& key : changed_keys(saved, config)) {
    if (kResumeChangeableKeys.count(key) == 0) refused.push_back(key);
  }
  if (!refused.empty()) {
    throw UsageError(fmt::format("--resume cannot change {} (it would no longer be the same run); these may change: {}",
                                 fmt::join(refused, ", "), fmt::join(kResumeChangeableKeys, ", ")));
  }
  if (request.print_config) {
    std::cout << dump_config(config);
    return 0;
  }
  const std::vector<std::string> changed = changed_keys(saved, config);
  for (const std::string& key : changed) {
    log_info("  {} changes on resume: {} -> {}", key, config_value(saved, key), config_value(config, key));
  }
  if (!changed.empty()) write_config(paths.config(), config);
  const Runtime runtime = setup_runtime(runtime_settings(config.run));
  // Optimizer states must sit on the parameters' device: reload there once it is known.
  if (!runtime.device.is_cpu()) checkpoint = io::load_checkpoint(paths.latest().string(), runtime.device);
  return train::run_training(config, paths, runtime, std::move(checkpoint));
}

}  // namespace

int run_train(const TrainRequest& request) {
  if (request.list_keys) {
    std::cout << config_keys_markdown();
    return 0;
  }
  if (!request.resume_dir.empty() && !request.config_path.empty()) {
    throw UsageError(
        "--config and --resume exclude each other: a resumed run uses its own config "
        "(change its length with --set train.steps=N)");
  }
  if (!request.resume_dir.empty() && !request.out_dir.empty()) {
    throw UsageError(
        fmt::format("--out and --resume exclude each other: a resumed run continues in its own "
                    "folder '{}'",
                    request.resume_dir));
  }
  if (!request.resume_dir.empty() && !request.init_checkpoint.empty()) {
    throw UsageError("--init and --resume exclude each other: a resumed run continues from its own checkpoint");
  }
  if (request.resume_dir.empty() && request.config_path.empty()) {
    throw UsageError("train needs --config FILE or --resume RUN_DIR");
  }
  install_interrupt_handlers();
  return request.resume_dir.empty() ? start_new_run(request) : resume_run(request);
}

}  // namespace synthgen
