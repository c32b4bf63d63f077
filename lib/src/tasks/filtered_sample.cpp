#include "filtered_sample.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "candidate_judge.h"
#include "output_folder.h"
#include "sample_files.h"
#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/tasks/batch_progress.h"
#include "synthgen/tasks/kept_set.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

// One kept image's manifest row.
struct KeptImageRow {
  std::uint64_t seed = 0;
  std::int64_t label = 0;
  float confidence = 0;
  double distance = 0;
};

// The conditioning label of each pool: balanced classes (pool = class), one --class (one pool),
// or none (an unconditional model, one pool).
class FilterPoolLabels {
 public:
  FilterPoolLabels(const SampleRequest& request, const ImageGenerator& generator) : classes_(generator.num_classes()) {
    if (classes_ == 0) return;
    balanced_ = request.classes == "balanced";
    if (!balanced_) {
      fixed_ = sample_labels(request.classes, classes_, generator.class_names(), 0, 1)[0].item<std::int64_t>();
    }
  }
  std::int64_t pools() const { return balanced_ ? classes_ : 1; }
  bool conditional() const { return classes_ > 0; }
  std::int64_t label(std::int64_t pool) const { return balanced_ ? pool : fixed_; }
  // int64 [n] on the CPU, or undefined for an unconditional model.
  torch::Tensor labels(const std::vector<Candidate>& candidates) const {
    if (!conditional()) return {};
    std::vector<std::int64_t> values;
    for (const Candidate& candidate : candidates) values.push_back(label(candidate.pool));
    return torch::tensor(values, torch::TensorOptions().dtype(torch::kLong));
  }

 private:
  std::int64_t classes_;
  bool balanced_ = false;
  std::int64_t fixed_ = 0;
};

std::string kept_label_name(const std::vector<std::string>& names, std::int64_t label) {
  return label < static_cast<std::int64_t>(names.size()) && !names[static_cast<std::size_t>(label)].empty()
             ? names[static_cast<std::size_t>(label)]
             : fmt::format("class {}", label);
}

std::string filter_rate(std::int64_t kept, std::int64_t attempts) {
  return fmt::format("{}/{} ({:.1f}%)", kept, attempts,
                     attempts > 0 ? 100.0 * static_cast<double>(kept) / static_cast<double>(attempts) : 0.0);
}

// "accepted per class: Trouser 12/20 (60.0%), ..." over the classes drawn, or "accepted: 37/60
// (61.7%)" for an unconditional model.
std::string filter_acceptance(const KeptSet& kept, const FilterPoolLabels& pools,
                              const std::vector<std::string>& names) {
  if (!pools.conditional()) return "accepted: " + filter_rate(kept.kept(), kept.attempts());
  std::vector<std::string> rates;
  for (std::int64_t pool = 0; pool < kept.pools(); ++pool) {
    if (kept.quota(pool) == 0) continue;
    rates.push_back(fmt::format("{} {}", kept_label_name(names, pools.label(pool)),
                                filter_rate(kept.pool_kept(pool), kept.pool_attempts(pool))));
  }
  return fmt::format("accepted per class: {}", fmt::join(rates, ", "));
}

// Candidates for the next batch: the attempts the images still needed are expected to take, at
// each pool's pass rate so far (as if one of one attempt had passed, so that the first batch draws
// just what is needed), within 1..--batch. Only speed depends on it: the kept set does not.
std::int64_t filter_draw_size(const KeptSet& kept, int batch) {
  double expected = 0;
  for (std::int64_t pool = 0; pool < kept.pools(); ++pool) {
    const std::int64_t needed = kept.quota(pool) - kept.pool_kept(pool);
    expected += static_cast<double>(needed) * static_cast<double>(kept.pool_attempts(pool) + 1) /
                static_cast<double>(kept.pool_kept(pool) + 1);
  }
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(expected)), 1, batch);
}

std::string filtered_manifest_text(const std::vector<KeptImageRow>& rows, int width,
                                   const std::vector<std::string>& names, bool distances) {
  std::string text =
      distances ? "file,seed,label,class,confidence,nearest_distance\n" : "file,seed,label,class,confidence\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const KeptImageRow& row = rows[i];
    const std::string name =
        row.label < static_cast<std::int64_t>(names.size()) ? names[static_cast<std::size_t>(row.label)] : "";
    // Shortest round-trip forms: the scores exactly as the filter compared them.
    text += fmt::format("{},{},{},{},{}", numbered_png(static_cast<std::int64_t>(i), width), row.seed, row.label,
                        csv_field(name), row.confidence);
    if (distances) text += fmt::format(",{}", row.distance);
    text += "\n";
  }
  return text;
}

// What was rejected and why, and what was kept: for the summary and the manifest.
struct FilterTally {
  std::vector<KeptImageRow> rows;  // by output image
  std::int64_t unsure = 0;         // judged and below --min-confidence (or not the classifier's choice)
  std::int64_t near_copies = 0;    // confident, but near-copies
};

// "kept per label (the classifier's): Trouser 12, Bag 3": an unconditional model's images.
std::string kept_per_label(const std::vector<KeptImageRow>& rows, const std::vector<std::string>& names) {
  std::vector<std::int64_t> per_label;
  for (const KeptImageRow& row : rows) {
    if (row.label >= static_cast<std::int64_t>(per_label.size())) {
      per_label.resize(static_cast<std::size_t>(row.label) + 1, 0);
    }
    ++per_label[static_cast<std::size_t>(row.label)];
  }
  std::vector<std::string> counts;
  for (std::size_t label = 0; label < per_label.size(); ++label) {
    if (per_label[label] == 0) continue;
    counts.push_back(fmt::format("{} {}", kept_label_name(names, static_cast<std::int64_t>(label)), per_label[label]));
  }
  return fmt::format("kept per label (the classifier's): {}", fmt::join(counts, ", "));
}

void log_filter_summary(const KeptSet& kept, const FilterTally& tally, const FilterPoolLabels& pools,
                        const CandidateJudge& judge, double min_confidence) {
  log_info("kept {} of {} attempts ({:.1f}%); rejected {} {} {}{}", kept.kept(), kept.attempts(),
           100.0 * static_cast<double>(kept.kept()) / static_cast<double>(kept.attempts()), tally.unsure,
           pools.conditional() ? "not given their class with probability >=" : "below confidence", min_confidence,
           judge.rejects_copies()
               ? fmt::format(" and {} near-copies (nearer than {:.6g})", tally.near_copies, judge.copy_distance())
               : "");
  log_info(pools.conditional() ? filter_acceptance(kept, pools, judge.label_names())
                               : kept_per_label(tally.rows, judge.label_names()));
}

}  // namespace

void check_sample_filter(const SampleRequest& request) {
  const SampleFilter& filter = request.filter;
  if (!filter.active()) {
    const char* flag = !std::isnan(filter.min_confidence)  ? "--min-confidence"
                       : filter.max_attempts != 0          ? "--max-attempts"
                       : !filter.reject_copies_of.empty()  ? "--reject-copies-of"
                       : !std::isnan(filter.copy_distance) ? "--copy-distance"
                                                           : nullptr;
    if (flag != nullptr) {
      throw UsageError(fmt::format("{} belongs to filtered sampling: give --keep-if classifier:CHECKPOINT", flag));
    }
    return;
  }
  const std::string prefix = "classifier:";
  if (filter.keep_if.rfind(prefix, 0) != 0 || filter.keep_if.size() == prefix.size()) {
    throw UsageError(fmt::format(
        "--keep-if '{}': expected classifier:CHECKPOINT (a checkpoint file or run folder of model.family classifier)",
        filter.keep_if));
  }
  if (std::isnan(filter.min_confidence)) {
    throw UsageError("--keep-if needs --min-confidence P: the classifier's probability in [0, 1] an image must reach");
  }
  if (!(filter.min_confidence >= 0.0 && filter.min_confidence <= 1.0)) {
    throw UsageError(fmt::format("--min-confidence: expected a probability in [0, 1], got {}", filter.min_confidence));
  }
  if (filter.max_attempts < 0 || (filter.max_attempts > 0 && filter.max_attempts < request.num)) {
    throw UsageError(fmt::format("--max-attempts {}: expected at least --num ({}): each kept image takes one attempt",
                                 filter.max_attempts, request.num));
  }
  if (!std::isnan(filter.copy_distance) && filter.reject_copies_of.empty()) {
    throw UsageError("--copy-distance needs --reject-copies-of TRAINING_SET, the images to measure it to");
  }
  if (!std::isnan(filter.copy_distance) && !(filter.copy_distance >= 0.0 && std::isfinite(filter.copy_distance))) {
    throw UsageError(fmt::format("--copy-distance: expected a distance >= 0, got {}", filter.copy_distance));
  }
  if (!request.grid_path.empty()) throw UsageError("--keep-if writes an image folder: give --out DIR, not --grid");
  if (!request.reconstruct_dir.empty()) {
    throw UsageError("--keep-if filters generated images; --reconstruct makes none");
  }
}

int run_filtered_sample(const SampleRequest& request, ImageGenerator& generator, const Runtime& runtime) {
  const SampleFilter& filter = request.filter;
  const FilterPoolLabels pools(request, generator);
  CandidateJudge judge(filter, generator, runtime, request.batch);
  torch::InferenceMode inference;
  const std::int64_t max_attempts =
      filter.max_attempts > 0 ? filter.max_attempts : kDefaultAttemptsPerImage * request.num;
  KeptSet kept(request.num, pools.pools(), max_attempts);
  log_info("keeping images that {} {} with probability >= {}{}; at most {} attempts", judge.classifier_name(),
           pools.conditional() ? "gives their class" : "gives some class", filter.min_confidence,
           judge.rejects_copies()
               ? fmt::format(" and that lie at least {:.6g} from every training image", judge.copy_distance())
               : "",
           max_attempts);

  const int width = std::max(6, decimal_digits(request.num - 1));
  claim_output_folder(request.out_dir, request.overwrite, "sample", numbered_outputs(request.num, width));
  const fs::path out(request.out_dir);
  FilterTally tally;
  tally.rows.resize(static_cast<std::size_t>(request.num));
  BatchProgress progress(request.num, "kept");
  std::int64_t drawing = 0;
  if (generator.passes_per_image() > 1) {
    generator.set_progress([&](std::int64_t step, std::int64_t steps) {
      progress.report(static_cast<double>(kept.kept()), fmt::format("{} candidates, step {}/{}", drawing, step, steps));
    });
  }
  while (!kept.complete()) {
    if (const int signal = interrupt_signal()) {
      log_status_done();
      log_info("stopped after {} of {} images kept in {} attempts (signal {}); no manifest.csv was written",
               kept.kept(), request.num, kept.attempts(), signal);
      return interrupt_exit_code(signal);
    }
    if (kept.exhausted()) {
      log_status_done();
      throw RuntimeError(fmt::format(
          "--max-attempts {}{} reached with {} of {} images kept ({}); {} holds the {} kept images and no "
          "manifest.csv, the mark of a complete folder: lower --min-confidence or raise --max-attempts",
          max_attempts, filter.max_attempts > 0 ? "" : fmt::format(" ({} x --num)", kDefaultAttemptsPerImage),
          kept.kept(), request.num, filter_acceptance(kept, pools, judge.label_names()), request.out_dir, kept.kept()));
    }
    const std::vector<Candidate> candidates = kept.next(filter_draw_size(kept, request.batch));
    drawing = static_cast<std::int64_t>(candidates.size());
    std::vector<std::uint64_t> seeds;
    for (const Candidate& candidate : candidates) {
      seeds.push_back(request.seed + static_cast<std::uint64_t>(candidate.attempt));
    }
    const torch::Tensor labels = pools.labels(candidates);
    const torch::Tensor images = io::to_uint8_images(generator.generate(seeds, labels));
    const std::vector<CandidateVerdict> verdicts = judge.judge(images, labels);
    std::vector<bool> passed;
    for (const CandidateVerdict& verdict : verdicts) passed.push_back(verdict.passed());
    const std::int64_t kept_before = kept.kept();
    const std::vector<Placement> placements = kept.record(candidates, passed);

    std::vector<std::int64_t> rows_to_write;
    std::vector<std::int64_t> indices;
    for (std::size_t i = 0; i < placements.size(); ++i) {
      if (!placements[i].judged) continue;
      const CandidateVerdict& verdict = verdicts[i];
      tally.unsure += verdict.confident ? 0 : 1;
      tally.near_copies += verdict.near_copy ? 1 : 0;
      if (placements[i].image < 0) continue;
      tally.rows[static_cast<std::size_t>(placements[i].image)] = {seeds[i], verdict.label, verdict.confidence,
                                                                   verdict.distance};
      rows_to_write.push_back(static_cast<std::int64_t>(i));
      indices.push_back(placements[i].image);
    }
    const torch::Tensor chosen = images.index_select(0, torch::tensor(rows_to_write, torch::kLong));
    write_indexed_pngs(out, width, indices, chosen, kept_before, request.num);
    progress.report(static_cast<double>(kept.kept()), fmt::format("{} attempts", kept.attempts()), kept.complete());
  }
  log_status_done();

  // The manifest comes last: its presence says the folder is complete.
  const std::string manifest = filtered_manifest_text(tally.rows, width, judge.label_names(), judge.rejects_copies());
  io::write_file_atomic((out / "manifest.csv").string(), manifest.data(), manifest.size(), /*sync=*/true);
  log_filter_summary(kept, tally, pools, judge, filter.min_confidence);
  log_info("wrote {} images and manifest.csv to {} in {}", request.num, request.out_dir,
           train::format_duration(progress.elapsed()));
  return 0;
}

}  // namespace synthgen
