#include "synthgen/tasks/sample_task.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "batch_job.h"
#include "filtered_sample.h"
#include "output_folder.h"
#include "sample_files.h"
#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/text.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/tasks/batch_progress.h"
#include "synthgen/train/image_generator.h"
#include "synthgen/train/metrics_log.h"
#include "vae_outputs.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

void check_request(const SampleRequest& request) {
  if (request.num < 0) throw UsageError(fmt::format("--num: expected a count >= 1, got {}", request.num));
  // Reconstructions default to every image of the folder; everything else makes --num images.
  if (request.num == 0 && request.reconstruct_dir.empty()) {
    throw UsageError("sample needs --num N: the number of images to make");
  }
  if (request.batch < 1) throw UsageError(fmt::format("--batch: expected >= 1, got {}", request.batch));
  if (request.grid_path.empty() && request.out_dir.empty()) {
    throw UsageError("sample needs --out DIR (an image folder) or --grid FILE (one grid image)");
  }
  if (!request.grid_path.empty() && !request.out_dir.empty()) {
    throw UsageError("--out and --grid exclude each other: --grid writes one image instead of a folder");
  }
  if (!request.grid_path.empty() && request.num > 4096) {
    throw UsageError(fmt::format("--grid: at most 4096 images in one grid, got --num {}", request.num));
  }
  if (!request.reconstruct_dir.empty() && request.out_dir.empty()) {
    throw UsageError("--reconstruct DIR writes an image folder: give --out DIR, not --grid");
  }
  if (request.interpolate && request.grid_path.empty()) {
    throw UsageError("--interpolate writes one grid: give --grid FILE, not --out");
  }
  if (request.interpolate && !request.reconstruct_dir.empty()) {
    throw UsageError("--interpolate and --reconstruct exclude each other");
  }
  check_sample_filter(request);
}

}  // namespace

torch::Tensor sample_labels(const std::string& classes, std::int64_t num_classes,
                            const std::vector<std::string>& class_names, std::int64_t first, std::int64_t count) {
  if (num_classes == 0) {
    if (classes != "balanced") {
      throw UsageError(fmt::format("--class {}: this model is not class-conditional", classes));
    }
    return {};
  }
  if (classes == "balanced") return models::balanced_labels(first, count, num_classes);
  std::int64_t label = parse_index(classes);
  const auto named = std::find(class_names.begin(), class_names.end(), classes);
  if (named != class_names.end()) label = named - class_names.begin();
  if (label < 0 || label >= num_classes) {
    throw UsageError(fmt::format(
        "--class '{}': expected a class index 0..{}{} (or --classes balanced)", classes, num_classes - 1,
        class_names.empty() ? "" : fmt::format(" or a name in labels.txt ({})", fmt::join(class_names, ", "))));
  }
  return torch::full({count}, label, torch::TensorOptions().dtype(torch::kLong));
}

int run_sample(const SampleRequest& request) {
  check_request(request);
  InferenceCheckpoint opened = open_for_inference(request.checkpoint, request.device, request.threads);
  const std::string& path = opened.path;
  const Runtime& runtime = opened.runtime;
  const Config& config = opened.config;
  require_image_family(config.model.family, path);
  torch::serialize::InputArchive trainer_part;
  opened.checkpoint.archive.read("trainer", trainer_part);
  if (!request.reconstruct_dir.empty() || request.interpolate) {
    const char* flag = request.interpolate ? "--interpolate" : "--reconstruct";
    if (config.model.family != "vae") {
      throw UsageError(
          fmt::format("{} needs a vae checkpoint; '{}' holds a {} model", flag, path, config.model.family));
    }
    // The same checks as for plain vae sampling (diffusion flags, --truncation, --no-ema).
    const std::vector<std::string> class_names =
        load_image_generator(config, trainer_part, runtime.device, request.generator)->class_names();
    models::Vae vae = load_vae_for_inference(config, trainer_part, runtime.device);
    torch::InferenceMode inference;
    if (request.interpolate) {
      write_latent_walk(vae, request, config.data.pad, class_names);
      return 0;
    }
    return write_reconstructions(vae, request, config);
  }
  std::unique_ptr<ImageGenerator> generator =
      load_image_generator(config, trainer_part, runtime.device, request.generator);
  const std::int64_t num_classes = generator->num_classes();
  const std::vector<std::string>& class_names = generator->class_names();
  auto labels_of = [&](std::int64_t first, std::int64_t count) {
    return sample_labels(request.classes, num_classes, class_names, first, count);
  };
  labels_of(0, 1);  // checks --class before any work
  if (request.filter.active()) return run_filtered_sample(request, *generator, runtime);
  torch::InferenceMode inference;

  if (!request.grid_path.empty()) {
    const torch::Tensor images = generator->generate(request.seed, request.num, labels_of(0, request.num));
    write_grid_png(request.grid_path, images);
    log_info("wrote a grid of {} images to {}", request.num, request.grid_path);
    return 0;
  }

  const int width = std::max(6, decimal_digits(request.num - 1));
  claim_output_folder(request.out_dir, request.overwrite, "sample", numbered_outputs(request.num, width));
  const fs::path out(request.out_dir);
  BatchProgress progress(request.num, "sampled");
  std::int64_t done = 0;
  std::int64_t count = 0;
  const std::int64_t passes = generator->passes_per_image();
  if (passes > 1) {
    generator->set_progress([&](std::int64_t step, std::int64_t steps) {
      const double within = static_cast<double>(count) * static_cast<double>(step) / static_cast<double>(steps);
      progress.report(static_cast<double>(done) + within, fmt::format("step {}/{}", step, steps));
    });
  }
  while (done < request.num) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images (signal {}); no manifest.csv was written", done, request.num, signal);
      return interrupt_exit_code(signal);
    }
    count = std::min<std::int64_t>(request.batch, request.num - done);
    const torch::Tensor labels = labels_of(done, count);
    const torch::Tensor images = generator->generate(request.seed + static_cast<std::uint64_t>(done), count, labels);
    write_numbered_pngs(out, width, done, images, done, request.num);
    done += count;
    progress.report(static_cast<double>(done), "", done == request.num);
  }
  log_status_done();

  // The manifest comes last: its presence says the folder is complete.
  const torch::Tensor labels = labels_of(0, request.num);
  std::string manifest = labels.defined() ? "file,seed,label,class\n" : "file,seed\n";
  for (std::int64_t i = 0; i < request.num; ++i) {
    manifest += fmt::format("{},{}", numbered_png(i, width), request.seed + static_cast<std::uint64_t>(i));
    if (labels.defined()) {
      const std::int64_t label = labels[i].item<std::int64_t>();
      const std::string name = label < static_cast<std::int64_t>(class_names.size()) ? class_names[label] : "";
      manifest += fmt::format(",{},{}", label, csv_field(name));
    }
    manifest += "\n";
  }
  io::write_file_atomic((out / "manifest.csv").string(), manifest.data(), manifest.size(), /*sync=*/true);
  const double elapsed = progress.elapsed();
  log_info("wrote {} images and manifest.csv to {} in {} ({:.1f} img/s)", request.num, request.out_dir,
           train::format_duration(elapsed), static_cast<double>(request.num) / elapsed);
  return 0;
}

}  // namespace synthgen
