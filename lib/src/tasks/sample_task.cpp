#include "synthgen/tasks/sample_task.h"

#include <fmt/format.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "batch_job.h"
#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int digits(std::int64_t value) {
  int count = 1;
  while (value >= 10) {
    value /= 10;
    ++count;
  }
  return count;
}

// A CSV field, quoted when it holds a comma, quote or newline (class names are free text).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void check_request(const SampleRequest& request) {
  if (request.num < 1) throw UsageError(fmt::format("--num: expected a count >= 1, got {}", request.num));
  if (request.batch < 1) throw UsageError(fmt::format("--batch: expected >= 1, got {}", request.batch));
  if (!(request.truncation >= 0.0 && request.truncation <= 1.0)) {
    throw UsageError(fmt::format("--truncation: expected psi in [0, 1], got {}", request.truncation));
  }
  if (request.grid_path.empty() && request.out_dir.empty()) {
    throw UsageError("sample needs --out DIR (an image folder) or --grid FILE (one grid image)");
  }
  if (!request.grid_path.empty() && !request.out_dir.empty()) {
    throw UsageError("--out and --grid exclude each other: --grid writes one image instead of a folder");
  }
  if (!request.grid_path.empty() && request.num > 4096) {
    throw UsageError(fmt::format("--grid: at most 4096 images in one grid, got --num {}", request.num));
  }
}

// The label of each image of a class-conditional model, or an undefined tensor.
torch::Tensor labels_for(const SampleRequest& request, std::int64_t num_classes, std::int64_t first,
                         std::int64_t count) {
  if (num_classes == 0) {
    if (request.classes != "balanced") {
      throw UsageError(fmt::format("--class {}: this model is not class-conditional", request.classes));
    }
    return {};
  }
  if (request.classes == "balanced") {
    return models::balanced_labels(first, count, num_classes);
  }
  std::int64_t label = -1;
  try {
    std::size_t used = 0;
    label = std::stoll(request.classes, &used);
    if (used != request.classes.size()) label = -1;
  } catch (const std::exception&) {
    label = -1;
  }
  if (label < 0 || label >= num_classes) {
    throw UsageError(fmt::format("--class '{}': expected a class index 0..{} (or --classes balanced)",
                                 request.classes, num_classes - 1));
  }
  return torch::full({count}, label, torch::TensorOptions().dtype(torch::kLong));
}

}  // namespace

int run_sample(const SampleRequest& request) {
  check_request(request);
  InferenceCheckpoint opened = open_for_inference(request.checkpoint, request.device, request.threads);
  const std::string& path = opened.path;
  const Runtime& runtime = opened.runtime;
  io::LoadedCheckpoint& checkpoint = opened.checkpoint;
  const Config& config = opened.config;
  train::require_image_generator(config.model.family, path);
  torch::serialize::InputArchive trainer_part;
  checkpoint.archive.read("trainer", trainer_part);
  const train::LoadedGenerator loaded = train::load_generator(config, trainer_part, runtime.device, request.use_ema);
  const auto& generator = loaded.network;
  generator->fuse_for_inference();
  const std::int64_t num_classes = generator->num_classes();
  labels_for(request, num_classes, 0, 1);  // checks --class before any work
  torch::InferenceMode inference;
  auto make_images = [&](std::int64_t first, std::int64_t count) {
    const torch::Tensor labels = labels_for(request, num_classes, first, count);
    // Models with noise inputs (progan) draw from the default RNG: seed it per batch, so that the
    // same seed and batch size give the same files.
    torch::manual_seed(request.seed + static_cast<std::uint64_t>(first));
    return train::generate(*generator,
                           train::latents_for_seeds(request.seed + static_cast<std::uint64_t>(first), count,
                                                    generator->latent_dim(), runtime.device),
                           labels.defined() ? labels.to(runtime.device) : labels, loaded.image_size,
                           request.truncation);
  };

  if (!request.grid_path.empty()) {
    const torch::Tensor images = make_images(0, request.num);
    io::write_png(request.grid_path, io::make_grid(io::to_uint8_images(images)));
    log_info("wrote a grid of {} images to {}", request.num, request.grid_path);
    return 0;
  }

  prepare_output_folder(request.out_dir, request.overwrite);
  const int width = std::max(6, digits(request.num - 1));
  const fs::path out(request.out_dir);
  const Clock::time_point start = Clock::now();
  std::int64_t done = 0;
  double last_report = 0.0;
  while (done < request.num) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images (signal {}); no manifest.csv was written", done,
               request.num, signal);
      return interrupt_exit_code(signal);
    }
    const std::int64_t count = std::min<std::int64_t>(request.batch, request.num - done);
    const torch::Tensor images = io::to_uint8_images(make_images(done, count));
    // HWC bytes, so that the worker threads below touch plain memory and no tensors.
    const torch::Tensor pixels = images.permute({0, 2, 3, 1}).contiguous();
    const std::size_t image_bytes = static_cast<std::size_t>(pixels[0].numel());
    const std::uint8_t* base = pixels.data_ptr<std::uint8_t>();
    io::Image shape;
    shape.height = static_cast<int>(pixels.size(1));
    shape.width = static_cast<int>(pixels.size(2));
    shape.channels = static_cast<int>(pixels.size(3));
    // PNG encoding and writing dominate for small images: spread them over the threads.
    std::atomic<bool> failed{false};
    std::atomic<std::int64_t> written{0};  // images of this batch written in full
    std::string failure;
    std::mutex failure_mutex;
    at::parallel_for(0, count, 1, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end && !failed; ++i) {
        try {
          io::Image image = shape;
          image.pixels.assign(base + i * image_bytes, base + (i + 1) * image_bytes);
          io::write_png((out / fmt::format("{:0{}d}.png", done + i, width)).string(), image);
          ++written;
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (!failed.exchange(true)) failure = e.what();
        }
      }
    });
    if (failed) {
      throw RuntimeError(fmt::format("{}; {} of {} images were written in full, no manifest.csv",
                                     failure, done + written.load(), request.num));
    }
    done += count;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed - last_report > 0.5 || done == request.num) {
      last_report = elapsed;
      const double rate = static_cast<double>(done) / std::max(elapsed, 1e-9);
      const std::string line =
          fmt::format("sampled {}/{} | {:.0f} img/s | ETA {}", done, request.num, rate,
                      train::format_duration(static_cast<double>(request.num - done) / rate));
      if (stderr_is_terminal()) log_status(line);
    }
  }
  log_status_done();

  // The manifest comes last: its presence says the folder is complete.
  const torch::Tensor labels = labels_for(request, num_classes, 0, request.num);
  std::string manifest = labels.defined() ? "file,seed,label,class\n" : "file,seed\n";
  for (std::int64_t i = 0; i < request.num; ++i) {
    manifest += fmt::format("{:0{}d}.png,{}", i, width, request.seed + static_cast<std::uint64_t>(i));
    if (labels.defined()) {
      const std::int64_t label = labels[i].item<std::int64_t>();
      const std::string name =
          label < static_cast<std::int64_t>(loaded.class_names.size()) ? loaded.class_names[label] : "";
      manifest += fmt::format(",{},{}", label, csv_field(name));
    }
    manifest += "\n";
  }
  io::write_file_atomic((out / "manifest.csv").string(), manifest.data(), manifest.size(), /*sync=*/true);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  log_info("wrote {} images and manifest.csv to {} in {} ({:.0f} img/s)", request.num,
           request.out_dir, train::format_duration(elapsed), static_cast<double>(request.num) / elapsed);
  return 0;
}

}  // namespace synthgen
