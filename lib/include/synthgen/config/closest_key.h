// "Did you mean ...?" for unknown config keys and command names.
#pragma once

#include <string>
#include <vector>

namespace synthgen {

// Levenshtein distance between two strings.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `unknown`: one with the same last component (a key put in the wrong
// section, "train.seed" -> "run.seed") first, else the smallest edit distance of the full path,
// when it is close enough to be a likely typo; "" when nothing is.
std::string closest_key(const std::string& unknown, const std::vector<std::string>& candidates);

// " (did you mean 'sample'?)" with closest_key's candidate, or "" when none is close: the tail of
// an "unknown key" or "unknown command" message.
std::string did_you_mean(const std::string& unknown, const std::vector<std::string>& candidates);

}  // namespace synthgen
