// Small string helpers shared across modules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace synthgen {

bool ends_with(const std::string& text, const std::string& suffix);

// Lists of names (class names) travel in checkpoints as one string, one name per line.
std::string join_lines(const std::vector<std::string>& lines);
std::vector<std::string> split_lines(const std::string& text);

// `text` as a class index: a whole decimal number (digits only, no sign or spaces) below 10^18;
// -1 for anything else.
std::int64_t parse_index(const std::string& text);

// The first `shown` items joined with ", ", then " and N more": error messages name a few of
// many and count the rest.
std::string join_some(const std::vector<std::string>& items, std::size_t shown = 3);

}  // namespace synthgen
