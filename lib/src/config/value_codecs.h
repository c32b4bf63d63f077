// Strict conversions between YAML nodes and the field types of the config, with range checks.
// yaml-cpp's own as<T>() accepts "3.5" for an int and reports no location, so the config reads
// every scalar as text and parses it here.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "synthgen/config/config_schema.h"

namespace synthgen::config_detail {

// Each throws FieldError("expected ..., got '...'").
bool parse_bool(const YAML::Node& node);
std::int64_t parse_int(const YAML::Node& node, const IntRange& range);
std::int64_t parse_int_choice(const YAML::Node& node, const std::vector<std::int64_t>& choices);
std::uint64_t parse_uint64(const YAML::Node& node);
double parse_real(const YAML::Node& node, const RealRange& range);
std::string parse_string(const YAML::Node& node);
std::string parse_choice(const YAML::Node& node, const std::vector<std::string>& choices);
// `none` alone, or a comma list of `words` (spaces around each ignored); the text as given.
std::string parse_word_list(const YAML::Node& node, const std::string& none, const std::vector<std::string>& words);
std::vector<double> parse_reals(const YAML::Node& node, std::size_t count, const RealRange& range);
// A list of min_count..max_count integers, each in `range`.
std::vector<int> parse_ints(const YAML::Node& node, std::size_t min_count, std::size_t max_count,
                            const IntRange& range);
// "auto" (stored as 0) or an integer >= 1.
int parse_auto_count(const YAML::Node& node, int max);

// Text forms that read back to the same value.
std::string format_real(double value);
std::string format_string(const std::string& value);
std::string format_reals(const std::vector<double>& values);
std::string format_ints(const std::vector<int>& values);

// How a range reads in messages: "a number > 0", "an integer in [1, 4096]".
std::string describe(const IntRange& range);
std::string describe(const RealRange& range);

}  // namespace synthgen::config_detail
