// Filtered sampling, `synthgen sample --keep-if classifier:CKPT --min-confidence P`: candidates are
// drawn until --num of them pass a classifier (and, optionally, lie no nearer to a training image
// than the copy check allows). Which candidates are drawn and kept: tasks/kept_set.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace synthgen {

// The filter's part of a SampleRequest; every field is "not given" by default, and a filter field
// without keep_if is refused.
struct SampleFilter {
  // "classifier:CKPT": a checkpoint file or run folder of model.family classifier; "" = no filter.
  std::string keep_if;
  // P in [0, 1]: a conditional model's candidate passes when the classifier's most probable class
  // is its conditioning label, with probability >= P; an unconditional model's when the most
  // probable class (then its label) has probability >= P. Required with keep_if.
  double min_confidence = std::numeric_limits<double>::quiet_NaN();
  // Attempts (candidates judged) before giving up with an error; 0 = kDefaultAttemptsPerImage x num.
  std::int64_t max_attempts = 0;
  // The generator's training set as `eval` opens it (fashion-mnist:train, an image folder): a
  // candidate nearer to one of its images, in the classifier's features, than copy_distance is
  // rejected as a near-copy. "" = no copy rejection.
  std::string reject_copies_of;
  // The near-copy distance; NaN = the copy check's threshold on reject_copies_of (the 1st
  // percentile of its images' distances to their nearest other image).
  double copy_distance = std::numeric_limits<double>::quiet_NaN();

  bool active() const { return !keep_if.empty(); }
};

// --max-attempts' default per image asked for: a balanced class may then pass as rarely as one
// candidate in 20 and still fill, while a hopeless filter costs at most 20 plain samples' time.
constexpr std::int64_t kDefaultAttemptsPerImage = 20;

}  // namespace synthgen
