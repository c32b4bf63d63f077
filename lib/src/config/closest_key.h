// "Did you mean ...?" for unknown config keys.
#pragma once

#include <string>
#include <vector>

namespace synthgen::config_detail {

// Levenshtein distance between two strings.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `unknown`: one with the same last component (a key put in the wrong
// section, "train.seed" -> "run.seed") first, else the smallest edit distance of the full path,
// when it is close enough to be a likely typo; "" when nothing is.
std::string closest_key(const std::string& unknown, const std::vector<std::string>& candidates);

}  // namespace synthgen::config_detail
