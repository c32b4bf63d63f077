#include "synthgen/eval/paired_eval.h"

#include <fmt/format.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/eval/report.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/metrics/image_quality.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string name;  // relative path inside --pred
  std::string pred;
  std::string target;
};

// The target of `relative`: the same relative path, or the same path with another image extension.
std::string find_target(const fs::path& target_root, const fs::path& relative) {
  std::error_code ec;
  if (fs::is_regular_file(target_root / relative, ec)) return (target_root / relative).string();
  for (const char* extension : {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".PNG", ".JPG", ".JPEG"}) {
    fs::path candidate = target_root / relative;
    candidate.replace_extension(extension);
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

std::vector<Pair> match_files(const PairedEvalRequest& request) {
  for (const auto& [flag, folder] : {std::pair{"--pred", request.pred}, std::pair{"--target", request.target}}) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
      throw UsageError(fmt::format("{} '{}': expected a folder of images", flag, folder));
  }
  const data::FolderListing listing = data::list_image_folder(request.pred);
  if (listing.files.empty()) throw UsageError(fmt::format("--pred '{}' holds no image files", request.pred));
  std::vector<Pair> pairs;
  std::int64_t missing = 0;
  std::string first_missing;
  for (const std::string& file : listing.files) {
    const fs::path relative = fs::relative(file, request.pred);
    const std::string target = find_target(request.target, relative);
    if (target.empty()) {
      if (missing++ == 0) first_missing = relative.string();
      continue;
    }
    pairs.push_back({relative.string(), file, target});
  }
  if (missing > 0) {
    throw UsageError(
        fmt::format("{} of {} images in --pred '{}' have no file of the same name in --target '{}' (first: {})",
                    missing, listing.files.size(), request.pred, request.target, first_missing));
  }
  return pairs;
}

// float64 [C, H, W] holding 0-255, as the metrics take them.
torch::Tensor load_pixels(const std::string& path) {
  return io::image_to_tensor(io::read_image(path, 3)).to(torch::kDouble);
}

struct PairScores {
  double psnr = 0.0;
  double ssim = 0.0;
  double l1 = 0.0;
};

// Mean absolute difference on the 0-255 scale (pix2pix's L1, in pixel levels).
double mean_absolute_error(const torch::Tensor& pred, const torch::Tensor& target) {
  return (pred - target).abs().mean().item<double>();
}

PairScores score_pair(const Pair& pair, const PairedEvalRequest& request, bool want_psnr, bool want_ssim,
                      bool want_l1) {
  torch::Tensor pred = load_pixels(pair.pred);
  torch::Tensor target = load_pixels(pair.target);
  if (pred.sizes() != target.sizes()) {
    throw RuntimeError(fmt::format("'{}' is {}x{} but '{}' is {}x{}", pair.pred, pred.size(2), pred.size(1),
                                   pair.target, target.size(2), target.size(1)));
  }
  if (request.crop_border > 0) {
    if (2 * request.crop_border >= std::min(pred.size(1), pred.size(2))) {
      throw UsageError(fmt::format("--crop-border {} leaves nothing of '{}' ({}x{})", request.crop_border, pair.pred,
                                   pred.size(2), pred.size(1)));
    }
    pred = metrics::crop_border(pred, request.crop_border);
    target = metrics::crop_border(target, request.crop_border);
  }
  if (request.y_channel) {
    pred = metrics::rgb_to_y(pred);
    target = metrics::rgb_to_y(target);
  }
  PairScores scores;
  if (want_psnr) scores.psnr = metrics::psnr(pred, target);
  if (want_ssim) scores.ssim = metrics::ssim(pred, target);
  if (want_l1) scores.l1 = mean_absolute_error(pred, target);
  return scores;
}

}  // namespace

int run_paired_eval(const PairedEvalRequest& given) {
  PairedEvalRequest request = given;
  if (request.metrics.empty()) request.metrics = {"psnr", "ssim"};  // --metrics left out
  const bool want_psnr = std::count(request.metrics.begin(), request.metrics.end(), "psnr") > 0;
  const bool want_ssim = std::count(request.metrics.begin(), request.metrics.end(), "ssim") > 0;
  const bool want_l1 = std::count(request.metrics.begin(), request.metrics.end(), "l1") > 0;
  for (const std::string& metric : request.metrics) {
    if (metric != "psnr" && metric != "ssim" && metric != "l1") {
      throw UsageError(
          fmt::format("--metrics: '{}' is not a paired metric; with --pred/--target expected psnr, ssim, l1", metric));
    }
  }
  if (request.crop_border < 0)
    throw UsageError(fmt::format("--crop-border: expected >= 0, got {}", request.crop_border));
  RuntimeSettings on_cpu;
  on_cpu.threads = request.threads;
  on_cpu.device = "cpu";
  setup_runtime(on_cpu);

  const std::vector<Pair> pairs = match_files(request);
  std::vector<PairScores> scores(pairs.size());
  std::mutex failure_mutex;
  std::string failure;
  at::parallel_for(0, static_cast<std::int64_t>(pairs.size()), 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      try {
        scores[static_cast<std::size_t>(i)] =
            score_pair(pairs[static_cast<std::size_t>(i)], request, want_psnr, want_ssim, want_l1);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (failure.empty()) failure = e.what();
      }
    }
  });
  if (!failure.empty()) throw RuntimeError(failure);

  double psnr_sum = 0.0;
  double ssim_sum = 0.0;
  double l1_sum = 0.0;
  eval::JsonObject per_image;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    psnr_sum += scores[i].psnr;
    ssim_sum += scores[i].ssim;
    l1_sum += scores[i].l1;
    eval::JsonObject one;
    if (want_psnr) one.add("psnr", scores[i].psnr);
    if (want_ssim) one.add("ssim", scores[i].ssim);
    if (want_l1) one.add("l1", scores[i].l1);
    per_image.add(pairs[i].name, one);
  }
  const double count = static_cast<double>(pairs.size());
  const std::string settings = fmt::format("{} pairs, {}, crop border {}", pairs.size(),
                                           request.y_channel ? "Y channel (BT.601)" : "RGB", request.crop_border);
  eval::Table table;
  eval::JsonObject figures;
  // PSNR of identical images is infinite; the mean is then infinite too (null in JSON).
  if (want_psnr) {
    figures.add("psnr", psnr_sum / count);
    table.row("PSNR", fmt::format("{:.4f} dB", psnr_sum / count), settings);
  }
  if (want_ssim) {
    figures.add("ssim", ssim_sum / count);
    table.row("SSIM", fmt::format("{:.6f}", ssim_sum / count), settings);
  }
  if (want_l1) {
    figures.add("l1", l1_sum / count);
    table.row("L1", fmt::format("{:.4f} levels", l1_sum / count), settings);
  }
  eval::JsonObject json;
  json.add("pred", request.pred)
      .add("target", request.target)
      .add("pairs", static_cast<std::int64_t>(pairs.size()))
      .add("y_channel", request.y_channel)
      .add("crop_border", static_cast<std::int64_t>(request.crop_border))
      .add("protocol",
           "BasicSR: 8-bit RGB as 0-255 floats; SSIM with an 11x11 Gaussian window (sigma 1.5), "
           "valid positions only, averaged over channels")
      .add("metrics", figures)
      .add("per_image", per_image);
  eval::publish_report(table, json, request.json_path);
  return 0;
}

}  // namespace synthgen
