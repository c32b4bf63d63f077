// Which candidates a filtered `synthgen sample` draws and keeps. Candidate a (a = 0, 1, 2, ...) is
// made from seed + a; with balanced classes its class is a mod K, and each class is a pool that
// keeps its first share of passing candidates. The record follows attempt order alone, so that
// the kept set and the attempt count do not depend on how candidates are grouped into batches:
// a batch may hold candidates of a pool that an earlier candidate of the same batch fills, and
// those are dropped as if never drawn.
#pragma once

#include <cstdint>
#include <vector>

namespace synthgen {

struct Candidate {
  std::int64_t attempt = 0;  // a: made from seed + a
  std::int64_t pool = 0;     // balanced classes: a mod K (its class); otherwise 0
};

// What record() made of one candidate.
struct Placement {
  bool judged = false;      // counted as an attempt: its pool still needed images and the cap was not reached
  std::int64_t image = -1;  // the output image it becomes, or -1
};

class KeptSet {
 public:
  // `num` images from `pools` pools (balanced classes: one per class, pool p keeping num / pools
  // images and the first num mod pools pools one more, the counts of plain balanced sampling;
  // otherwise 1), judging at most `max_attempts` candidates. Throws RuntimeError for num < 1,
  // pools < 1 or max_attempts < 1.
  KeptSet(std::int64_t num, std::int64_t pools, std::int64_t max_attempts);

  // The next at most `count` candidates to draw, in attempt order: those after the last one
  // recorded whose pool still needs images, no more than the attempts left. Empty when complete()
  // or exhausted().
  std::vector<Candidate> next(std::int64_t count) const;

  // Records the verdicts of candidates from next() (all or a prefix, in that order). A judged
  // candidate that passed becomes image j * pools + p when it is the j-th kept of pool p, so that
  // with balanced classes image i has class i mod K, as in plain sampling.
  std::vector<Placement> record(const std::vector<Candidate>& drawn, const std::vector<bool>& passed);

  bool complete() const { return kept_ == num_; }
  bool exhausted() const { return !complete() && attempts_ >= max_attempts_; }

  std::int64_t num() const { return num_; }
  std::int64_t attempts() const { return attempts_; }
  std::int64_t kept() const { return kept_; }
  std::int64_t pools() const { return static_cast<std::int64_t>(quota_.size()); }
  std::int64_t quota(std::int64_t pool) const { return quota_.at(static_cast<std::size_t>(pool)); }
  std::int64_t pool_attempts(std::int64_t pool) const { return pool_attempts_.at(static_cast<std::size_t>(pool)); }
  std::int64_t pool_kept(std::int64_t pool) const { return pool_kept_.at(static_cast<std::size_t>(pool)); }

 private:
  bool pool_full(std::int64_t pool) const { return pool_kept(pool) == quota(pool); }

  std::int64_t num_;
  std::int64_t max_attempts_;
  std::vector<std::int64_t> quota_;
  std::vector<std::int64_t> pool_attempts_;
  std::vector<std::int64_t> pool_kept_;
  std::int64_t attempts_ = 0;
  std::int64_t kept_ = 0;
  std::int64_t next_attempt_ = 0;  // the first attempt index not yet recorded or passed over
};

}  // namespace synthgen
