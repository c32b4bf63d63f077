#include "synthgen/tasks/upscale_task.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "batch_job.h"
#include "output_folder.h"
#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/sr_tiling.h"
#include "synthgen/tasks/batch_progress.h"
#include "synthgen/train/metrics_log.h"
#include "synthgen/train/sr_trainer.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

struct Job {
  std::string input;
  fs::path relative_output;  // relative to out_dir, always .png
};

void check_request(const UpscaleRequest& request) {
  if (request.input.empty()) throw UsageError("upscale needs --input FILE_OR_DIR");
  if (request.out_dir.empty()) throw UsageError("upscale needs --out DIR");
  if (request.tile < 0)
    throw UsageError(fmt::format("--tile: expected 0 (no tiling) or a side >= 1, got {}", request.tile));
  if (request.tile_overlap < 0) {
    throw UsageError(fmt::format("--tile-overlap: expected >= 0, got {}", request.tile_overlap));
  }
  if (request.tile > 0 && request.tile_overlap >= request.tile) {
    throw UsageError(
        fmt::format("--tile-overlap {} must be smaller than --tile {}", request.tile_overlap, request.tile));
  }
}

// The images to enlarge and where each goes: one file, or every image under a folder with its
// relative path kept. Two inputs that would write the same .png (a.jpg and a.png) are refused.
std::vector<Job> list_jobs(const UpscaleRequest& request) {
  std::error_code ec;
  const fs::path input(request.input);
  if (fs::is_regular_file(input, ec)) return {{request.input, fs::path(input.filename()).replace_extension(".png")}};
  if (!fs::is_directory(input, ec)) {
    throw UsageError(fmt::format("--input '{}' does not exist (expected an image file or a folder)", request.input));
  }
  std::vector<Job> jobs;
  std::map<fs::path, std::string> taken;
  for (const std::string& file : data::list_image_folder(request.input).files) {
    const fs::path relative = fs::relative(fs::path(file), input).replace_extension(".png");
    const auto [it, fresh] = taken.emplace(relative, file);
    if (!fresh) {
      throw UsageError(
          fmt::format("'{}' and '{}' would both be written as '{}'; rename one", it->second, file, relative.string()));
    }
    jobs.push_back({file, relative});
  }
  if (jobs.empty()) {
    throw UsageError(fmt::format("--input '{}' holds no image files (.png .jpg .jpeg .bmp .tga)", request.input));
  }
  return jobs;
}

void prepare_out_dir(const UpscaleRequest& request, const std::vector<Job>& jobs) {
  // Outputs inside the input folder would be read as inputs by the next run over it.
  if (io::is_inside_folder(request.out_dir, request.input)) {
    throw UsageError(
        fmt::format("--out '{}' is inside --input '{}'; choose a folder outside it", request.out_dir, request.input));
  }
  std::vector<std::string> outputs;
  for (const Job& job : jobs) outputs.push_back(job.relative_output.generic_string());
  claim_output_folder(request.out_dir, request.overwrite, "upscale", outputs);
}

// Whether every pixel of an RGB image has R = G = B: such files are written back as grey.
bool is_grey(const io::Image& image) {
  for (std::size_t i = 0; i < image.pixels.size(); i += 3) {
    if (image.pixels[i] != image.pixels[i + 1] || image.pixels[i] != image.pixels[i + 2]) return false;
  }
  return true;
}

}  // namespace

int run_upscale(const UpscaleRequest& request) {
  check_request(request);
  const std::vector<Job> jobs = list_jobs(request);
  InferenceCheckpoint opened = open_for_inference(request.checkpoint, request.device, request.threads);
  const std::string& path = opened.path;
  const Runtime& runtime = opened.runtime;
  io::LoadedCheckpoint& checkpoint = opened.checkpoint;
  const Config& config = opened.config;
  if (config.model.family != "srgan") {
    throw UsageError(
        fmt::format("'{}' holds a {} model; upscale needs an srgan checkpoint", path, config.model.family));
  }
  torch::serialize::InputArchive trainer_part;
  checkpoint.archive.read("trainer", trainer_part);
  train::LoadedSrGenerator loaded = train::load_sr_generator(config, trainer_part, runtime.device, request.use_ema);
  prepare_out_dir(request, jobs);
  log_info("upscale x{}: {} image{} from {} with {} ({}; {} threads)", loaded.scale, jobs.size(),
           jobs.size() == 1 ? "" : "s", request.input, path,
           request.tile > 0 ? fmt::format("tiles of {} px, overlap {}", request.tile, request.tile_overlap)
                            : std::string("no tiling"),
           runtime.threads);

  torch::InferenceMode inference;
  const models::ImageNetwork network = [&](const torch::Tensor& x) { return loaded.network->forward(x); };
  const fs::path out(request.out_dir);
  BatchProgress progress(static_cast<std::int64_t>(jobs.size()), "upscaled");
  std::int64_t done = 0;
  std::int64_t skipped = 0;
  double output_megapixels = 0.0;
  for (const Job& job : jobs) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images (signal {})", done, jobs.size(), signal);
      return interrupt_exit_code(signal);
    }
    io::Image image;
    try {
      image = io::read_image(job.input, 3);
    } catch (const RuntimeError& e) {
      log_status_done();
      log_warn("{}; skipped", e.what());
      ++skipped;
      continue;
    }
    const bool grey = is_grey(image);
    const io::Image model_input = io::convert_channels(image, loaded.channels);
    const torch::Tensor lr = io::to_model_input(io::image_to_tensor(model_input).unsqueeze(0), runtime.device);
    const torch::Tensor sr = models::upscale_tiled(network, lr, loaded.scale, request.tile, request.tile_overlap);
    io::Image result = io::tensor_to_image(io::to_uint8_images(sr)[0]);
    result = io::convert_channels(result, grey ? 1 : 3);
    const fs::path target = out / job.relative_output;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw RuntimeError(fmt::format("cannot create '{}': {}", target.parent_path().string(), ec.message()));
    try {
      io::write_png(target.string(), result);
    } catch (const RuntimeError& e) {
      throw RuntimeError(fmt::format("{}; {} of {} images were written in full", e.what(), done, jobs.size()));
    }
    ++done;
    output_megapixels += static_cast<double>(result.width) * result.height / 1e6;
    progress.report(static_cast<double>(done), "", done + skipped == static_cast<std::int64_t>(jobs.size()));
  }
  log_status_done();
  const double elapsed = progress.elapsed();
  if (done == 0) {
    throw RuntimeError(fmt::format("no image under '{}' could be read ({} skipped)", request.input, skipped));
  }
  log_info(
      "wrote {} images to {} in {}: {:.2f} images/s, {:.2f} output megapixels/s{}", done, request.out_dir,
      train::format_duration(elapsed), static_cast<double>(done) / std::max(elapsed, 1e-9),
      output_megapixels / std::max(elapsed, 1e-9),
      skipped > 0 ? fmt::format("; {} unreadable file{} skipped", skipped, skipped == 1 ? "" : "s") : std::string());
  return 0;
}

}  // namespace synthgen
