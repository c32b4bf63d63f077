#include "synthgen/config/closest_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace synthgen {
namespace {

std::string last_component(const std::string& key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string closest_key(const std::string& unknown, const std::vector<std::string>& candidates) {
  const std::string leaf = last_component(unknown);
  if (leaf != unknown) {
    for (const std::string& candidate : candidates) {
      if (candidate != unknown && last_component(candidate) == leaf && candidate.find('.') != std::string::npos) {
        return candidate;
      }
    }
  }
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const std::string& candidate : candidates) {
    if (candidate == unknown) continue;
    const std::size_t distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // A suggestion is only useful when it is close: at most a third of the name differs.
  if (best_distance > std::max<std::size_t>(2, leaf.size() / 3)) return "";
  return best;
}

std::string did_you_mean(const std::string& unknown, const std::vector<std::string>& candidates) {
  const std::string suggestion = closest_key(unknown, candidates);
  return suggestion.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", suggestion);
}

}  // namespace synthgen
