#include "synthgen/train/train_loop.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/rng_state.h"
#include "synthgen/data/balanced_subset.h"
#include "synthgen/data/batches.h"
#include "synthgen/data/dataset.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/train/metrics_log.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void make_folder(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw RuntimeError(fmt::format("cannot create folder '{}': {}", path.string(), ec.message()));
}

// Points latest.ckpt at a finished step checkpoint: a hard link renamed into place (atomic, no
// copy), or a copy where the file system has no hard links.
void publish_latest(const fs::path& step_file, const fs::path& latest) {
  const fs::path temporary = latest.string() + ".link.tmp";
  std::error_code ec;
  fs::remove(temporary, ec);
  if (::link(step_file.c_str(), temporary.c_str()) == 0 && std::rename(temporary.c_str(), latest.c_str()) == 0) {
    return;
  }
  fs::remove(temporary, ec);
  const std::vector<std::uint8_t> bytes = io::read_file_bytes(step_file.string());
  io::write_file_atomic(latest.string(), bytes.data(), bytes.size(), /*sync=*/true);
}

// How to go on after a stop that a lower `key` may cure (`example`: a value to suggest, or ""):
// --resume where a checkpoint exists and the key may change on resume (train.lr may, the batch size
// may not), else a fresh start; a run without a checkpoint is removed (tasks/train_task.cpp).
std::string way_on(const RunPaths& paths, const std::string& key, const std::string& example) {
  const std::string set = example.empty() ? "" : fmt::format(", e.g. --set {}={}", key, example);
  std::error_code ec;
  if (!fs::exists(paths.latest(), ec)) {
    return fmt::format("no checkpoint was saved yet: start the run again with a lower {}{}", key, set);
  }
  if (key == "train.lr") {
    return fmt::format(
        "the last checkpoint in {} holds finite weights: continue with a lower learning rate, "
        "synthgen train --resume {} --set {}={}",
        paths.checkpoints().string(), paths.root.string(), key, example);
  }
  return fmt::format("{} cannot change on --resume: start a new run (another --out) with a lower one{}", key, set);
}

// Everything an exact continuation needs besides the trainer's own state.
struct LoopState {
  std::int64_t step = 0;
  data::IndexStream::State stream;
  double elapsed_seconds = 0.0;  // over all sessions of the run
};

void write_loop_state(torch::serialize::OutputArchive& archive, const LoopState& state, const torch::Device& device) {
  archive.write("state/data_epoch", c10::IValue(state.stream.epoch));
  archive.write("state/data_position", c10::IValue(state.stream.position));
  archive.write("state/elapsed_s", c10::IValue(state.elapsed_seconds));
  archive.write("state/rng_cpu", get_rng_state(torch::kCPU));
  if (device.is_cuda()) archive.write("state/rng_cuda", get_rng_state(device));
}

LoopState read_loop_state(torch::serialize::InputArchive& archive, std::int64_t step, const torch::Device& device) {
  LoopState state;
  state.step = step;
  c10::IValue value;
  archive.read("state/data_epoch", value);
  state.stream.epoch = value.toInt();
  archive.read("state/data_position", value);
  state.stream.position = value.toInt();
  archive.read("state/elapsed_s", value);
  state.elapsed_seconds = value.toDouble();
  torch::Tensor rng;
  archive.read("state/rng_cpu", rng);
  set_rng_state(torch::kCPU, rng.to(torch::kCPU));
  if (device.is_cuda()) {
    torch::Tensor cuda_rng;
    if (archive.try_read("state/rng_cuda", cuda_rng)) set_rng_state(device, cuda_rng.to(torch::kCPU));
  }
  return state;
}

// What the training data tells a family before it builds its networks.
DataInfo data_info_of(const data::ImageDataset& dataset) {
  DataInfo info;
  info.class_names = dataset.class_names;
  if (dataset.labels.defined()) {
    info.num_classes = std::max<std::int64_t>(static_cast<std::int64_t>(dataset.class_names.size()),
                                              dataset.labels.max().item<std::int64_t>() + 1);
  }
  return info;
}

// The steps since the last log line: how many, their images, and their summed step metrics.
struct LogWindow {
  Clock::time_point start = Clock::now();
  std::int64_t steps = 0;
  std::int64_t images = 0;
  StepMetrics sums;
};

class Session {
 public:
  Session(const Config& config, const RunPaths& paths, const Runtime& runtime)
      : config_(config), paths_(paths), runtime_(runtime) {}

  int run(std::optional<io::LoadedCheckpoint> resume, const std::string& init);

 private:
  // Start: data, trainer, its starting weights or resumed state, and the run folder's parts.
  void start(std::optional<io::LoadedCheckpoint> resume, const std::string& init);
  void load_data();
  void load_held_out_data();
  void init_from(const std::string& init);
  void resume_from(io::LoadedCheckpoint& checkpoint);
  void log_plan() const;
  // The step loop; returns the signal that stopped it, or 0 when train.steps are done.
  int run_steps();
  Batch next_batch(std::int64_t batch_size);
  StepMetrics take_step(std::int64_t batch_size);
  RuntimeError out_of_memory_error(std::int64_t batch_size) const;
  void count_nonfinite_step();
  void add_to_window(const StepMetrics& metrics, std::int64_t batch_size);
  void report_progress();
  void log_window();
  bool write_periodic_outputs();
  // The end: after the last step, or after a signal.
  void finish();
  int stop_for_signal(int signal);
  // Outputs.
  void evaluate();
  void save(bool keep_step_file);
  void remove_old_checkpoints();
  void write_grid();

  const Config& config_;
  const RunPaths& paths_;
  const Runtime& runtime_;
  data::ImageDataset dataset_;
  data::ImageDataset held_out_;  // for Trainer::evaluate; empty when there is none
  std::unique_ptr<Trainer> trainer_;
  std::unique_ptr<data::IndexStream> stream_;
  std::unique_ptr<MetricsLog> metrics_;
  LoopState state_;
  Clock::time_point session_start_;
  double elapsed_before_ = 0.0;
  LogWindow window_;
  MetricValues last_values_;  // the step metrics of the last log line
  std::int64_t nonfinite_in_a_row_ = 0;
  bool saved_at_last_step_ = false;
};

int Session::run(std::optional<io::LoadedCheckpoint> resume, const std::string& init) {
  const bool resumed = resume.has_value();
  start(std::move(resume), init);
  if (state_.step >= config_.train.steps) {
    log_info(
        "run already complete at step {} (train.steps {}); continue it with --resume {} --set "
        "train.steps=N",
        state_.step, config_.train.steps, paths_.root.string());
    return 0;
  }
  if (resumed) log_info("  continuing from step {}", state_.step);
  if (const int signal = run_steps()) return stop_for_signal(signal);
  finish();
  return 0;
}

void Session::start(std::optional<io::LoadedCheckpoint> resume, const std::string& init) {
  log_info("synthgen train: run folder {}", paths_.root.string());
  load_data();
  seed_everything(config_.run.seed);
  trainer_ = make_trainer(config_, runtime_.device, data_info_of(dataset_));
  stream_ = std::make_unique<data::IndexStream>(dataset_.size(), config_.run.seed);
  std::int64_t resume_step = -1;
  if (resume) {
    resume_from(*resume);
    resume_step = state_.step;
  } else if (!init.empty()) {
    init_from(init);
  }
  load_held_out_data();
  make_folder(paths_.samples());
  make_folder(paths_.checkpoints());
  metrics_ = std::make_unique<MetricsLog>(paths_.metrics().string(), resume_step);
  log_plan();
}

void Session::load_data() {
  data::LoadStats stats;
  const Clock::time_point start = Clock::now();
  dataset_ = data::load_dataset(config_.data, runtime_.threads, &stats);
  log_info("  loaded {} images from {} in {:.1f} s{}{}", stats.loaded, config_.data.source, seconds_since(start),
           stats.skipped > 0 ? fmt::format(" ({} files skipped)", stats.skipped) : std::string(),
           config_.data.subset > 0
               ? fmt::format(
                     ": the balanced subset data.subset {} ({}, seed {})", config_.data.subset,
                     data::per_class_text(config_.data.subset, static_cast<std::int64_t>(dataset_.class_names.size())),
                     config_.data.subset_seed)
               : std::string());
  if (!dataset_.class_names.empty()) {
    std::string text;
    for (const std::string& name : dataset_.class_names) text += name + "\n";
    io::write_file_atomic(paths_.labels().string(), text.data(), text.size(), /*sync=*/false);
  }
}

void Session::load_held_out_data() {
  // Only Fashion-MNIST comes with a held-out split; other sources are evaluated nowhere.
  if (!trainer_->has_evaluation()) return;
  if (config_.data.source != "fashion-mnist") {
    log_info("  no held-out split for data.source {}: no test-set evaluation", config_.data.source);
    return;
  }
  DataConfig held_out = config_.data;
  held_out.split = config_.data.split == "test" ? "train" : "test";
  held_out.max_images = 0;
  held_out.subset = 0;  // the whole other split, whatever part of this one trains
  held_out_ = data::load_dataset(held_out, runtime_.threads);
  log_info("  evaluating on the {} {} images of the {} split", held_out_.size(), held_out.source, held_out.split);
}

void Session::init_from(const std::string& init) {
  io::LoadedCheckpoint start = io::load_checkpoint(init, runtime_.device);
  if (start.meta.family != config_.model.family) {
    throw UsageError(
        fmt::format("--init '{}' holds a {} model, expected {}", init, start.meta.family, config_.model.family));
  }
  torch::serialize::InputArchive trainer_part;
  start.archive.read("trainer", trainer_part);
  trainer_->init_from(trainer_part, init);
  log_info("  starting from the weights of {} (step {})", init, start.meta.step);
}

void Session::resume_from(io::LoadedCheckpoint& checkpoint) {
  if (checkpoint.meta.family != config_.model.family) {
    throw RuntimeError(fmt::format("checkpoint '{}' holds a {} model, expected {}", paths_.latest().string(),
                                   checkpoint.meta.family, config_.model.family));
  }
  torch::serialize::InputArchive trainer_part;
  checkpoint.archive.read("trainer", trainer_part);
  trainer_->load(trainer_part);
  state_ = read_loop_state(checkpoint.archive, checkpoint.meta.step, runtime_.device);
  stream_->restore(state_.stream);
  elapsed_before_ = state_.elapsed_seconds;
}

void Session::log_plan() const {
  const TrainConfig& train = config_.train;
  const std::vector<int>& batch_sizes = config_.progan.batch_sizes;
  const std::string batch_text = batch_sizes.empty() ? std::to_string(train.batch_size)
                                                     : fmt::format("[{}] by resolution", fmt::join(batch_sizes, ", "));
  log_info("  {} on {} images of {}x{}x{}: {} steps of batch {} on {} ({} threads)", config_.model.family,
           dataset_.size(), dataset_.image_size(), dataset_.image_size(), dataset_.channels(), train.steps, batch_text,
           runtime_.device.str(), runtime_.threads);
  if (train.lr_schedule == "linear" && train.lr_constant_steps >= train.steps) {
    log_warn(
        "train.lr_constant_steps {} is not below train.steps {}: the learning rate stays at train.lr {} for "
        "the whole run (no linear decay)",
        train.lr_constant_steps, train.steps, train.lr);
  }
}

int Session::run_steps() {
  session_start_ = Clock::now();
  window_ = LogWindow{};
  while (state_.step < config_.train.steps) {
    if (const int signal = interrupt_signal()) return signal;
    const std::int64_t batch_size = trainer_->next_batch_size(config_.train.batch_size);
    const StepMetrics metrics = take_step(batch_size);
    count_nonfinite_step();
    ++state_.step;
    add_to_window(metrics, batch_size);
    report_progress();
    saved_at_last_step_ = write_periodic_outputs();
  }
  return 0;
}

Batch Session::next_batch(std::int64_t batch_size) {
  const data::IndexStream::State position = stream_->state();
  const std::vector<std::int64_t> indices = stream_->next(batch_size);
  // Flips and shifts hash each image's place in the whole stream, so a resumed run augments as
  // the uninterrupted one would.
  const std::int64_t offset = position.epoch * dataset_.size() + position.position;
  Batch batch;
  batch.images = data::gather_batch(dataset_, indices, data::batch_augmentation(config_.data), config_.run.seed, offset)
                     .to(runtime_.device);
  const torch::Tensor labels = data::gather_labels(dataset_, indices);
  if (labels.defined()) batch.labels = labels.to(runtime_.device);
  return batch;
}

StepMetrics Session::take_step(std::int64_t batch_size) {
  const Batch batch = next_batch(batch_size);
  try {
    trainer_->set_learning_rate(scheduled_learning_rate(config_.train, state_.step));
    return trainer_->step(batch);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    if (what.find("out of memory") != std::string::npos) throw out_of_memory_error(batch_size);
    throw;
  }
}

RuntimeError Session::out_of_memory_error(std::int64_t batch_size) const {
  return RuntimeError(
      fmt::format("out of memory at step {} with a batch of {} at {}x{} on {}; {}", state_.step + 1, batch_size,
                  config_.data.image_size, config_.data.image_size, runtime_.device.str(),
                  config_.progan.batch_sizes.empty()
                      ? way_on(paths_, "train.batch_size", std::to_string(std::max<std::int64_t>(1, batch_size / 2)))
                      : way_on(paths_, "train.batch_sizes", "")));
}

void Session::count_nonfinite_step() {
  if (!trainer_->last_step_nonfinite()) {
    nonfinite_in_a_row_ = 0;
    return;
  }
  const TrainConfig& train = config_.train;
  ++nonfinite_in_a_row_;
  log_status_done();
  log_warn("step {}: a loss or gradient was not finite; the update was skipped ({} in a row, stop at {})",
           state_.step + 1, nonfinite_in_a_row_, train.max_nonfinite_steps);
  if (nonfinite_in_a_row_ >= train.max_nonfinite_steps) {
    throw RuntimeError(fmt::format("stopped at step {}: {} steps in a row had a non-finite loss or gradient; {}",
                                   state_.step + 1, nonfinite_in_a_row_,
                                   way_on(paths_, "train.lr", fmt::format("{:g}", train.lr / 10))));
  }
}

void Session::add_to_window(const StepMetrics& metrics, std::int64_t batch_size) {
  ++window_.steps;
  window_.images += batch_size;
  if (window_.sums.empty()) {
    window_.sums = metrics;
  } else {
    for (std::size_t i = 0; i < metrics.size(); ++i) window_.sums[i].second += metrics[i].second;
  }
}

void Session::report_progress() {
  const TrainConfig& train = config_.train;
  if (state_.step % train.log_every == 0 || state_.step == train.steps) {
    log_window();
    window_ = LogWindow{};
  } else if (stderr_is_terminal()) {
    const double seconds = std::max(seconds_since(window_.start), 1e-9);
    const double rate = static_cast<double>(window_.images) / seconds;
    const double eta = static_cast<double>(train.steps - state_.step) * seconds / static_cast<double>(window_.steps);
    log_status(format_progress(state_.step, train.steps, last_values_, rate, eta));
  }
}

void Session::log_window() {
  const double window_seconds = seconds_since(window_.start);
  const double steps = static_cast<double>(window_.steps);
  last_values_.clear();
  for (auto& [name, sum] : window_.sums) last_values_.emplace_back(name, sum.item<double>() / steps);
  const double images_per_second = static_cast<double>(window_.images) / std::max(window_seconds, 1e-9);
  const double elapsed = elapsed_before_ + seconds_since(session_start_);
  MetricValues record = last_values_;
  record.emplace_back("images_per_s", images_per_second);
  record.emplace_back("elapsed_s", elapsed);
  metrics_->write(state_.step, record);
  const double eta = static_cast<double>(config_.train.steps - state_.step) * window_seconds / steps;
  const std::string line = format_progress(state_.step, config_.train.steps, last_values_, images_per_second, eta);
  if (stderr_is_terminal()) {
    log_status(line);
  } else {
    log_info(line);
  }
}

// Sample grids, evaluations and checkpoints that fall on this step; returns whether it saved.
bool Session::write_periodic_outputs() {
  const TrainConfig& train = config_.train;
  if (train.sample_every > 0 && state_.step % train.sample_every == 0) write_grid();
  const std::int64_t eval_every = trainer_->evaluate_every();
  if (eval_every > 0 && state_.step % eval_every == 0) evaluate();
  if (train.checkpoint_every > 0 && state_.step % train.checkpoint_every == 0) {
    save(/*keep_step_file=*/true);
    return true;
  }
  return false;
}

void Session::finish() {
  const TrainConfig& train = config_.train;
  log_status_done();
  // The last step gets a grid, an evaluation and a checkpoint unless it had them already.
  if (train.sample_every == 0 || state_.step % train.sample_every != 0) write_grid();
  const std::int64_t eval_every = trainer_->evaluate_every();
  if (eval_every == 0 || state_.step % eval_every != 0) evaluate();
  if (!saved_at_last_step_) save(/*keep_step_file=*/true);
  log_info("done: {} steps in {}; checkpoint {}, {}metrics {}", state_.step,
           format_duration(elapsed_before_ + seconds_since(session_start_)), paths_.latest().string(),
           trainer_->has_preview() ? fmt::format("grids in {}, ", paths_.samples().string()) : std::string(),
           paths_.metrics().string());
}

int Session::stop_for_signal(int signal) {
  log_status_done();
  log_info("stopping at step {} (signal {}); saving a checkpoint", state_.step, signal);
  save(/*keep_step_file=*/false);
  log_info("saved {}; continue with: synthgen train --resume {}", paths_.latest().string(), paths_.root.string());
  return interrupt_exit_code(signal);
}

void Session::evaluate() {
  if (held_out_.size() == 0) return;
  const MetricValues values = trainer_->evaluate(held_out_);
  metrics_->write(state_.step, values);
  std::string line = fmt::format("step {} held-out:", state_.step);
  for (const auto& [name, value] : values) line += fmt::format(" {} {:.4g}", name, value);
  log_status_done();
  log_info(line);
}

void Session::save(bool keep_step_file) {
  if (!trainer_->state_is_finite()) {
    log_warn("step {}: not saving a checkpoint: the model holds non-finite values; the previous checkpoint stays",
             state_.step);
    return;
  }
  io::CheckpointMeta meta;
  meta.family = config_.model.family;
  meta.config_yaml = dump_config(config_);
  meta.step = state_.step;
  meta.version = SYNTHGEN_VERSION;
  state_.stream = stream_->state();
  state_.elapsed_seconds = elapsed_before_ + seconds_since(session_start_);
  const fs::path target = keep_step_file ? paths_.step_checkpoint(state_.step) : paths_.latest();
  io::save_checkpoint(target.string(), meta, [&](torch::serialize::OutputArchive& archive) {
    torch::serialize::OutputArchive trainer_part;
    trainer_->save(trainer_part);
    archive.write("trainer", trainer_part);
    write_loop_state(archive, state_, runtime_.device);
  });
  if (keep_step_file) {
    publish_latest(target, paths_.latest());
    remove_old_checkpoints();
  }
}

void Session::remove_old_checkpoints() {
  if (config_.train.keep_last <= 0) return;
  // Only after the new checkpoint is complete and published: older step files beyond the newest
  // keep_last go, oldest first. latest.ckpt is a separate link and always stays.
  std::vector<fs::path> steps;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(paths_.checkpoints(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step_", 0) == 0 && entry.path().extension() == ".ckpt") steps.push_back(entry.path());
  }
  std::sort(steps.begin(), steps.end());
  const std::size_t keep = static_cast<std::size_t>(config_.train.keep_last);
  for (std::size_t i = 0; i + keep < steps.size(); ++i) fs::remove(steps[i], ec);
}

void Session::write_grid() {
  if (!trainer_->has_preview()) return;
  // Without data.pad's border, as `synthgen sample` writes them.
  const torch::Tensor images =
      io::crop_border(trainer_->preview(config_.train.grid_size, config_.run.seed), config_.data.pad);
  io::write_png(paths_.step_grid(state_.step).string(),
                io::make_grid(io::to_uint8_images(images), trainer_->preview_columns()));
}

}  // namespace

fs::path RunPaths::step_checkpoint(std::int64_t step) const {
  return checkpoints() / fmt::format("step_{:08d}.ckpt", step);
}

fs::path RunPaths::step_grid(std::int64_t step) const { return samples() / fmt::format("step_{:08d}.png", step); }

int run_training(const Config& config, const RunPaths& paths, const Runtime& runtime,
                 std::optional<io::LoadedCheckpoint> resume, const std::string& init) {
  Session session(config, paths, runtime);
  return session.run(std::move(resume), init);
}

}  // namespace synthgen::train
