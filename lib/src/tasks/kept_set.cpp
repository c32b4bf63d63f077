#include "synthgen/tasks/kept_set.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/error.h"

namespace synthgen {

KeptSet::KeptSet(std::int64_t num, std::int64_t pools, std::int64_t max_attempts)
    : num_(num), max_attempts_(max_attempts) {
  if (num < 1 || pools < 1 || max_attempts < 1) {
    throw RuntimeError(
        fmt::format("KeptSet: expected num, pools and max_attempts >= 1, got {}, {}, {}", num, pools, max_attempts));
  }
  for (std::int64_t pool = 0; pool < pools; ++pool) quota_.push_back(num / pools + (pool < num % pools ? 1 : 0));
  pool_attempts_.assign(quota_.size(), 0);
  pool_kept_.assign(quota_.size(), 0);
}

std::vector<Candidate> KeptSet::next(std::int64_t count) const {
  std::vector<Candidate> candidates;
  if (complete()) return candidates;
  const std::int64_t allowed = std::min(count, max_attempts_ - attempts_);
  // Some pool still needs images, so one turns up within every `pools` attempts.
  for (std::int64_t attempt = next_attempt_; static_cast<std::int64_t>(candidates.size()) < allowed; ++attempt) {
    const std::int64_t pool = attempt % pools();
    if (!pool_full(pool)) candidates.push_back({attempt, pool});
  }
  return candidates;
}

std::vector<Placement> KeptSet::record(const std::vector<Candidate>& drawn, const std::vector<bool>& passed) {
  if (drawn.size() != passed.size()) {
    throw RuntimeError(fmt::format("KeptSet: {} candidates but {} verdicts", drawn.size(), passed.size()));
  }
  std::vector<Placement> placements(drawn.size());
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    const Candidate& candidate = drawn[i];
    if (candidate.attempt < next_attempt_ || candidate.pool != candidate.attempt % pools()) {
      throw RuntimeError(fmt::format("KeptSet: candidate {} recorded out of order", candidate.attempt));
    }
    next_attempt_ = candidate.attempt + 1;
    // Filled by an earlier candidate of this batch, or past the cap: as if never drawn.
    if (pool_full(candidate.pool) || attempts_ >= max_attempts_) continue;
    const auto pool = static_cast<std::size_t>(candidate.pool);
    placements[i].judged = true;
    ++attempts_;
    ++pool_attempts_[pool];
    if (!passed[i]) continue;
    placements[i].image = pool_kept_[pool] * pools() + candidate.pool;
    ++pool_kept_[pool];
    ++kept_;
  }
  return placements;
}

}  // namespace synthgen
