// Small string helpers shared across modules.
#pragma once

#include <string>
#include <vector>

namespace synthgen {

bool ends_with(const std::string& text, const std::string& suffix);

// Lists of names (class names) travel in checkpoints as one string, one name per line.
std::string join_lines(const std::vector<std::string>& lines);
std::vector<std::string> split_lines(const std::string& text);

}  // namespace synthgen
