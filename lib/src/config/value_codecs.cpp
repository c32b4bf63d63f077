#include "value_codecs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "fields.h"

namespace synthgen::config_detail {
namespace {

// What a node holds, for "got ..." in messages.
std::string shown(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
  }
  return "?";
}

[[noreturn]] void fail(const std::string& expected, const YAML::Node& node) {
  throw FieldError(fmt::format("expected {}, got {}", expected, shown(node)));
}

const std::string& scalar_text(const YAML::Node& node, const std::string& expected) {
  if (!node.IsScalar()) fail(expected, node);
  return node.Scalar();
}

template <class T>
bool parse_whole(const std::string& text, T& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;  // from_chars takes no leading '+'
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && begin != end;
}

bool in_range(double value, const RealRange& range) {
  if (range.min_exclusive ? !(value > range.min) : !(value >= range.min)) return false;
  if (range.max_exclusive ? !(value < range.max) : !(value <= range.max)) return false;
  return true;
}

}  // namespace

std::string describe(const IntRange& range) {
  constexpr auto kLow = std::numeric_limits<std::int64_t>::min();
  constexpr auto kHigh = std::numeric_limits<std::int64_t>::max();
  if (range.min == kLow && range.max == kHigh) return "an integer";
  if (range.max == kHigh) return fmt::format("an integer >= {}", range.min);
  if (range.min == kLow) return fmt::format("an integer <= {}", range.max);
  return fmt::format("an integer in [{}, {}]", range.min, range.max);
}

std::string describe(const RealRange& range) {
  const bool low = std::isfinite(range.min);
  const bool high = std::isfinite(range.max);
  if (!low && !high) return "a number";
  if (!high) return fmt::format("a number {} {}", range.min_exclusive ? ">" : ">=", range.min);
  if (!low) return fmt::format("a number {} {}", range.max_exclusive ? "<" : "<=", range.max);
  return fmt::format("a number in {}{}, {}{}", range.min_exclusive ? "(" : "[", range.min, range.max,
                     range.max_exclusive ? ")" : "]");
}

bool parse_bool(const YAML::Node& node) {
  const std::string& text = scalar_text(node, "true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail("true or false", node);
}

std::int64_t parse_int(const YAML::Node& node, const IntRange& range) {
  const std::string& text = scalar_text(node, describe(range));
  std::int64_t value = 0;
  if (!parse_whole(text, value) || value < range.min || value > range.max) fail(describe(range), node);
  return value;
}

std::int64_t parse_int_choice(const YAML::Node& node, const std::vector<std::int64_t>& choices) {
  const std::string expected = fmt::format("one of {}", fmt::join(choices, ", "));
  const std::string& text = scalar_text(node, expected);
  std::int64_t value = 0;
  if (!parse_whole(text, value) || std::find(choices.begin(), choices.end(), value) == choices.end()) {
    fail(expected, node);
  }
  return value;
}

std::uint64_t parse_uint64(const YAML::Node& node) {
  const std::string& text = scalar_text(node, "an integer in [0, 2^64)");
  std::uint64_t value = 0;
  if (text.empty() || text[0] == '-' || !parse_whole(text, value)) fail("an integer in [0, 2^64)", node);
  return value;
}

double parse_real(const YAML::Node& node, const RealRange& range) {
  const std::string& text = scalar_text(node, describe(range));
  double value = 0.0;
  if (!parse_whole(text, value) || !std::isfinite(value) || !in_range(value, range)) {
    fail(describe(range), node);
  }
  return value;
}

std::string parse_string(const YAML::Node& node) {
  if (node.IsNull()) return "";
  return scalar_text(node, "a string");
}

std::string parse_choice(const YAML::Node& node, const std::vector<std::string>& choices) {
  const std::string expected = fmt::format("one of {}", fmt::join(choices, ", "));
  const std::string& text = scalar_text(node, expected);
  for (const std::string& choice : choices) {
    if (text == choice) return text;
  }
  fail(expected, node);
}

std::string parse_word_list(const YAML::Node& node, const std::string& none, const std::vector<std::string>& words) {
  const std::string expected = fmt::format("{} or a comma list of {}", none, fmt::join(words, ", "));
  const std::string& text = scalar_text(node, expected);
  const auto trim = [](const std::string& word) {
    const std::size_t begin = word.find_first_not_of(" \t");
    return begin == std::string::npos ? std::string() : word.substr(begin, word.find_last_not_of(" \t") - begin + 1);
  };
  if (trim(text) == none) return text;
  // Every part counts, the empty ones of "color," or ",," too.
  for (std::size_t begin = 0, comma = 0; comma != std::string::npos; begin = comma + 1) {
    comma = text.find(',', begin);
    const std::string word = trim(text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    if (std::find(words.begin(), words.end(), word) == words.end()) {
      throw FieldError(fmt::format("unknown word '{}' in '{}': expected {}", word, text, expected));
    }
  }
  return text;
}

std::vector<double> parse_reals(const YAML::Node& node, std::size_t count, const RealRange& range) {
  const std::string expected = fmt::format("a list of {} numbers, each {}", count, describe(range).substr(2));
  if (!node.IsSequence() || node.size() != count) fail(expected, node);
  std::vector<double> values;
  for (const YAML::Node& item : node) {
    try {
      values.push_back(parse_real(item, range));
    } catch (const FieldError&) {
      fail(expected, item);
    }
  }
  return values;
}

std::vector<int> parse_ints(const YAML::Node& node, std::size_t min_count, std::size_t max_count,
                            const IntRange& range) {
  const std::string count = min_count == max_count ? std::to_string(max_count)
                            : min_count == 0       ? fmt::format("at most {}", max_count)
                                                   : fmt::format("{} to {}", min_count, max_count);
  // "an integer in [1, 64]" -> "each in [1, 64]"
  const std::string bound = describe(range).substr(std::string("an integer").size());
  const std::string expected = fmt::format("a list of {} integers{}", count, bound.empty() ? "" : ", each" + bound);
  if (!node.IsSequence() || node.size() < min_count || node.size() > max_count) fail(expected, node);
  std::vector<int> values;
  for (const YAML::Node& item : node) {
    try {
      values.push_back(static_cast<int>(parse_int(item, range)));
    } catch (const FieldError&) {
      fail(expected, item);
    }
  }
  return values;
}

int parse_auto_count(const YAML::Node& node, int max) {
  const std::string expected = fmt::format("auto or an integer in [1, {}]", max);
  const std::string& text = scalar_text(node, expected);
  if (text == "auto") return 0;
  std::int64_t value = 0;
  if (!parse_whole(text, value) || value < 1 || value > max) fail(expected, node);
  return static_cast<int>(value);
}

std::string format_real(double value) {
  std::string text = fmt::format("{}", value);
  // "1e-05" and "0.0002" read back as numbers; "2" would too, but "2.0" says it is a real.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string format_string(const std::string& value) {
  // Plain when it reads back as the same string, double-quoted otherwise ("", "~", "a: b", ...).
  try {
    const YAML::Node node = YAML::Load(value);
    if (!value.empty() && node.IsScalar() && node.Scalar() == value && value.find('#') == std::string::npos &&
        value.front() != ' ' && value.back() != ' ') {
      return value;
    }
  } catch (const YAML::Exception&) {
  }
  YAML::Emitter out;
  out << YAML::DoubleQuoted << value;
  return out.c_str();
}

std::string format_reals(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double value : values) parts.push_back(format_real(value));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

std::string format_ints(const std::vector<int>& values) { return fmt::format("[{}]", fmt::join(values, ", ")); }

}  // namespace synthgen::config_detail
