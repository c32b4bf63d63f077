#include "synthgen/tasks/translate_task.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "batch_job.h"
#include "output_folder.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/sr_tiling.h"
#include "synthgen/tasks/batch_progress.h"
#include "synthgen/train/metrics_log.h"
#include "synthgen/train/translator.h"
#include "translated_file.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

bool is_image_name(const fs::path& path) {
  const std::string e = lower_extension(path);
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp" || e == ".tga";
}

struct FileJob {
  fs::path source;
  fs::path relative;  // kept under out_dir, name included
};

struct Listing {
  std::vector<FileJob> images;
  std::vector<FileJob> labels;
  std::vector<fs::path> others;  // neither: reported and skipped
};

void check_request(const TranslateRequest& request) {
  if (request.input.empty()) throw UsageError("translate needs --input DIR");
  if (request.out_dir.empty()) throw UsageError("translate needs --out DIR");
  train::check_direction(request.direction);
  if (request.batch < 1) throw UsageError(fmt::format("--batch: expected >= 1, got {}", request.batch));
  if (request.tile < 0)
    throw UsageError(fmt::format("--tile: expected 0 (whole images) or a side >= 1, got {}", request.tile));
  if (request.tile_overlap < 0)
    throw UsageError(fmt::format("--tile-overlap: expected >= 0, got {}", request.tile_overlap));
  if (request.tile > 0 && request.tile_overlap >= request.tile) {
    throw UsageError(
        fmt::format("--tile-overlap {} must be smaller than --tile {}", request.tile_overlap, request.tile));
  }
}

Listing list_files(const std::string& input) {
  std::error_code ec;
  const fs::path root(input);
  Listing listing;
  if (fs::is_regular_file(root, ec)) {
    if (!is_image_name(root))
      throw UsageError(fmt::format("--input '{}' is not an image file (.png .jpg .jpeg .bmp .tga)", input));
    listing.images.push_back({root, root.filename()});
    return listing;
  }
  if (!fs::is_directory(root, ec)) {
    throw UsageError(fmt::format("--input '{}' does not exist (expected a folder or an image file)", input));
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink, ec);
  for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    // A synthgen output folder as input: its record of outputs is no input of ours.
    if (it->is_regular_file(type_ec) && it->path().filename() != kOutputRecord) files.push_back(it->path());
  }
  if (ec) throw RuntimeError(fmt::format("cannot list '{}': {}", input, ec.message()));
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const fs::path relative = fs::relative(file, root);
    if (is_image_name(file)) {
      listing.images.push_back({file, relative});
    } else if (is_label_file(file.string())) {
      listing.labels.push_back({file, relative});
    } else {
      listing.others.push_back(file);
    }
  }
  if (listing.images.empty()) {
    throw UsageError(fmt::format("--input '{}' holds no image files (.png .jpg .jpeg .bmp .tga)", input));
  }
  return listing;
}

void make_parent(const fs::path& target) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw RuntimeError(fmt::format("cannot create '{}': {}", target.parent_path().string(), ec.message()));
}

// Images of one size read ahead, translated together.
struct PendingBatch {
  std::vector<const FileJob*> jobs;
  std::vector<torch::Tensor> images;  // uint8 [C, H, W]
};

class Translation {
 public:
  Translation(const TranslateRequest& request, train::LoadedTranslator& translator, const torch::Device& device,
              std::int64_t total)
      : request_(request), translator_(translator), device_(device), total_(total) {}

  void add(const FileJob& job, torch::Tensor image) {
    if (!pending_.images.empty() && (pending_.images.back().sizes() != image.sizes() ||
                                     static_cast<int>(pending_.images.size()) >= request_.batch)) {
      flush();
    }
    pending_.jobs.push_back(&job);
    pending_.images.push_back(std::move(image));
  }

  void flush() {
    if (pending_.images.empty()) return;
    const torch::Tensor input = io::to_model_input(torch::stack(pending_.images), device_);
    const models::ImageNetwork padded = [this](const torch::Tensor& x) {
      return models::translate_padded(translator_.network, x, translator_.stride, translator_.min_side);
    };
    torch::Tensor output;
    if (request_.tile > 0 && (input.size(2) > request_.tile || input.size(3) > request_.tile)) {
      std::vector<torch::Tensor> tiled;
      for (std::int64_t i = 0; i < input.size(0); ++i) {
        tiled.push_back(
            models::upscale_tiled(padded, input.slice(0, i, i + 1), 1, request_.tile, request_.tile_overlap));
      }
      output = torch::cat(tiled);
    } else {
      output = padded(input);
    }
    const torch::Tensor pixels = io::to_uint8_images(output);
    for (std::size_t i = 0; i < pending_.jobs.size(); ++i) {
      const fs::path target = fs::path(request_.out_dir) / pending_.jobs[i]->relative;
      make_parent(target);
      try {
        write_image_as_named(target.string(), io::tensor_to_image(pixels[static_cast<std::int64_t>(i)]));
      } catch (const RuntimeError& e) {
        throw RuntimeError(fmt::format("{}; {} of {} images were written in full", e.what(), done_, total_));
      }
      ++done_;
    }
    pending_ = {};
  }

  std::int64_t done() const { return done_; }

 private:
  const TranslateRequest& request_;
  train::LoadedTranslator& translator_;
  torch::Device device_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  PendingBatch pending_;
};

}  // namespace

bool is_label_file(const std::string& path) {
  static const std::vector<std::string> kinds = {".csv", ".tsv", ".txt", ".json", ".jsonl", ".yaml", ".yml", ".xml"};
  return std::count(kinds.begin(), kinds.end(), lower_extension(path)) > 0;
}

int run_translate(const TranslateRequest& request) {
  check_request(request);
  const Listing listing = list_files(request.input);
  InferenceCheckpoint opened = open_for_inference(request.checkpoint, request.device, request.threads);
  torch::serialize::InputArchive trainer_part;
  opened.checkpoint.archive.read("trainer", trainer_part);
  train::LoadedTranslator translator =
      train::load_translator(opened.config, trainer_part, opened.runtime.device, request.direction, opened.path);
  // Outputs inside the input folder would be read as inputs by the next run over it.
  if (io::is_inside_folder(request.out_dir, request.input)) {
    throw UsageError(
        fmt::format("--out '{}' is inside --input '{}'; choose a folder outside it", request.out_dir, request.input));
  }
  std::vector<std::string> outputs;
  for (const std::vector<FileJob>* jobs : {&listing.images, &listing.labels}) {
    for (const FileJob& job : *jobs) outputs.push_back(job.relative.generic_string());
  }
  claim_output_folder(request.out_dir, request.overwrite, "translate", outputs);
  log_info("translate {} ({}, {}): {} image{} and {} label file{} from {} ({}; batch {}; {} threads)",
           opened.config.model.family, request.direction, opened.path, listing.images.size(),
           listing.images.size() == 1 ? "" : "s", listing.labels.size(), listing.labels.size() == 1 ? "" : "s",
           request.input,
           request.tile > 0 ? fmt::format("tiles of {} px, overlap {}", request.tile, request.tile_overlap)
                            : fmt::format("whole images padded to multiples of {}", translator.stride),
           request.batch, opened.runtime.threads);

  std::int64_t skipped = 0;
  for (const fs::path& other : listing.others) {
    log_warn("'{}' is neither an image (.png .jpg .jpeg .bmp .tga) nor a label file; skipped", other.string());
    ++skipped;
  }
  const fs::path out(request.out_dir);
  for (const FileJob& label : listing.labels) {
    const std::vector<std::uint8_t> bytes = io::read_file_bytes(label.source.string());
    const fs::path target = out / label.relative;
    make_parent(target);
    io::write_file_atomic(target.string(), bytes.data(), bytes.size(), /*sync=*/false);
  }

  torch::InferenceMode inference;
  const auto total = static_cast<std::int64_t>(listing.images.size());
  Translation translation(request, translator, opened.runtime.device, total);
  BatchProgress progress(total, "translated");
  std::int64_t read = 0;
  for (const FileJob& job : listing.images) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images (signal {}); every file written is complete", translation.done(), total,
               signal);
      return interrupt_exit_code(signal);
    }
    io::Image image;
    try {
      image = io::read_image(job.source.string(), translator.channels);
    } catch (const RuntimeError& e) {
      log_status_done();
      log_warn("{}; skipped", e.what());
      ++skipped;
      continue;
    }
    ++read;
    translation.add(job, io::image_to_tensor(image));
    progress.report(static_cast<double>(translation.done()));
  }
  translation.flush();
  log_status_done();
  const double seconds = progress.elapsed();
  if (translation.done() == 0) {
    throw RuntimeError(fmt::format("no image under '{}' could be read ({} skipped)", request.input, skipped));
  }
  log_info("wrote {} images to {} in {}: {:.2f} images/s{}{}", translation.done(), request.out_dir,
           train::format_duration(seconds), static_cast<double>(translation.done()) / std::max(seconds, 1e-9),
           listing.labels.empty() ? std::string() : fmt::format("; {} label files copied", listing.labels.size()),
           skipped > 0 ? fmt::format("; {} file{} skipped", skipped, skipped == 1 ? "" : "s") : std::string());
  return 0;
}

}  // namespace synthgen
