#include "vae_outputs.h"

#include <fmt/format.h>

#include <filesystem>

#include "batch_job.h"
#include "output_folder.h"
#include "sample_files.h"
#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/tasks/batch_progress.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen {

namespace fs = std::filesystem;

models::Vae load_vae_for_inference(const Config& config, torch::serialize::InputArchive& trainer_part,
                                   const torch::Device& device) {
  models::Vae vae(models::vae_options(config));
  io::read_weights_part(trainer_part, "vae", *vae);
  vae->to(device);
  vae->eval();
  return vae;
}

void write_latent_walk(models::Vae& vae, const SampleRequest& request, int border,
                       const std::vector<std::string>& class_names) {
  const torch::Device device = vae->parameters().front().device();
  const std::int64_t latent_dim = vae->options().latent_dim;
  const torch::Tensor ends = train::latents_for_seeds(request.seed, 2, latent_dim, device);
  const torch::Tensor weights =
      torch::linspace(0.0, 1.0, request.num, torch::TensorOptions().device(device)).unsqueeze(1);
  const torch::Tensor z = ends[0].unsqueeze(0) * (1.0 - weights) + ends[1].unsqueeze(0) * weights;
  const std::int64_t num_classes = vae->options().num_classes;
  const std::string classes = num_classes > 0 && request.classes == "balanced" ? "0" : request.classes;
  torch::Tensor labels = sample_labels(classes, num_classes, class_names, 0, request.num);
  if (labels.defined()) labels = labels.to(device);
  const torch::Tensor images = io::crop_border(vae->mean_image(vae->decode(z, labels)), border);
  write_grid_png(request.grid_path, images);
  log_info("wrote a latent walk of {} images from seed {} to seed {} to {}", request.num, request.seed,
           request.seed + 1, request.grid_path);
}

int write_reconstructions(models::Vae& vae, const SampleRequest& request, const Config& config) {
  const data::FolderListing listing = data::list_image_folder(request.reconstruct_dir);
  if (listing.files.empty()) {
    throw UsageError(fmt::format("--reconstruct '{}': no image files (.png .jpg .jpeg .bmp .tga) under it",
                                 request.reconstruct_dir));
  }
  const std::int64_t num_classes = vae->options().num_classes;
  if (num_classes > 0 && static_cast<std::int64_t>(listing.class_names.size()) != num_classes) {
    throw UsageError(fmt::format(
        "--reconstruct '{}': this vae is class-conditional with {} classes; the folder needs one sub-folder per "
        "class ({} found)",
        request.reconstruct_dir, num_classes, listing.class_names.size()));
  }
  const torch::Device device = vae->parameters().front().device();
  const std::int64_t total = static_cast<std::int64_t>(listing.files.size());
  // --num caps the reconstructions written (the first ones in sorted order), not the files tried.
  const std::int64_t wanted = request.num > 0 ? std::min(request.num, total) : total;
  const int width = std::max(6, decimal_digits(wanted - 1));
  claim_output_folder(request.out_dir, request.overwrite, "sample --reconstruct", numbered_outputs(wanted, width));
  const fs::path out(request.out_dir);
  io::DecodeLimits limits;
  limits.max_side = config.data.max_image_side;
  BatchProgress progress(wanted, "reconstructed");
  std::string manifest = "file,source\n";
  std::int64_t next_file = 0;
  std::int64_t written = 0;
  std::int64_t skipped = 0;
  while (next_file < total && written < wanted) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images (signal {}); no manifest.csv was written", written, wanted, signal);
      return interrupt_exit_code(signal);
    }
    std::vector<torch::Tensor> batch;
    std::vector<std::int64_t> labels;
    std::vector<std::string> sources;
    const std::int64_t batch_limit = std::min<std::int64_t>(request.batch, wanted - written);
    while (next_file < total && static_cast<std::int64_t>(batch.size()) < batch_limit) {
      const std::string& file = listing.files[next_file];
      try {
        const io::Image image = io::fit_with_border(io::read_image(file, config.data.channels, limits),
                                                    config.data.image_size, config.data.pad);
        batch.push_back(io::image_to_tensor(image));
        if (num_classes > 0) labels.push_back(listing.labels[next_file]);
        sources.push_back(file);
      } catch (const RuntimeError& e) {
        log_status_done();
        log_warn("skipping {}", e.what());
        ++skipped;
      }
      ++next_file;
    }
    if (batch.empty()) continue;
    const torch::Tensor images = io::to_model_input(torch::stack(batch), device);
    const torch::Tensor label_tensor =
        num_classes > 0 ? torch::tensor(labels, torch::TensorOptions().dtype(torch::kLong)).to(device)
                        : torch::Tensor();
    const models::Posterior q = vae->encode(images, label_tensor);
    const torch::Tensor decoded = io::crop_border(vae->mean_image(vae->decode(q.mu, label_tensor)), config.data.pad);
    write_numbered_pngs(out, width, written, decoded, written, wanted);
    for (std::size_t i = 0; i < sources.size(); ++i) {
      manifest +=
          fmt::format("{},{}\n", numbered_png(written + static_cast<std::int64_t>(i), width), csv_field(sources[i]));
    }
    written += static_cast<std::int64_t>(sources.size());
    progress.report(static_cast<double>(written), "", written == wanted || next_file == total);
  }
  log_status_done();
  if (written == 0) {
    throw RuntimeError(fmt::format("--reconstruct '{}': none of its {} image files could be read; no manifest.csv",
                                   request.reconstruct_dir, total));
  }
  io::write_file_atomic((out / "manifest.csv").string(), manifest.data(), manifest.size(), /*sync=*/true);
  log_info("wrote {} reconstructions of the {} images under {} and manifest.csv to {}{}", written, total,
           request.reconstruct_dir, request.out_dir,
           skipped > 0 ? fmt::format(" ({} unreadable files skipped)", skipped) : std::string());
  return 0;
}

}  // namespace synthgen
