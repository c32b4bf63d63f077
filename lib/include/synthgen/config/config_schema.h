// The builder that declares config keys: each call binds one key path ("model.timesteps") to a
// member of one Config object, with its type, range and a one-line doc. lib/src/config/schema.cpp
// declares the shared sections; each family declares its own settings beside its modules (e.g.
// models/ddpm_settings.cpp) and the family registry collects them. The reader, the writer, the key
// list and docs/config.md all walk what this builds. Free of torch and yaml-cpp, so that a family's
// settings files stay light.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace synthgen {

struct Config;
namespace config_detail {
struct Field;
}

struct IntRange {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

struct RealRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool max_exclusive = false;
};

// Ranges that keys in several places share.
inline constexpr std::int64_t kMaxSteps = std::int64_t{1} << 40;  // step and image counts
inline constexpr RealRange kPositive{0.0, std::numeric_limits<double>::infinity(), true, false};
inline constexpr RealRange kNonNegative{0.0, std::numeric_limits<double>::infinity(), false, false};
inline constexpr RealRange kUnitInterval{0.0, 1.0, false, true};  // [0, 1): probabilities and decays

// Broken cross-field rules: one (key, message) each, where key is the key whose position
// (file:line:col or the --set) the message should carry.
using ConfigRuleErrors = std::vector<std::pair<std::string, std::string>>;

class ConfigSchema {
 public:
  explicit ConfigSchema(std::vector<config_detail::Field>& fields) : fields_(fields) {}

  void flag(const std::string& key, bool& value, const std::string& doc);
  void integer(const std::string& key, int& value, IntRange range, const std::string& doc);
  void integer(const std::string& key, std::int64_t& value, IntRange range, const std::string& doc);
  void integer_choice(const std::string& key, int& value, std::vector<std::int64_t> choices, const std::string& doc);
  void seed(const std::string& key, std::uint64_t& value, const std::string& doc);
  void real(const std::string& key, double& value, RealRange range, const std::string& doc);
  void text(const std::string& key, std::string& value, const std::string& doc);
  void choice(const std::string& key, std::string& value, std::vector<std::string> choices, const std::string& doc);
  // `none` alone, or a comma list of `words`.
  void word_list(const std::string& key, std::string& value, const std::string& none, std::vector<std::string> words,
                 const std::string& doc);
  // Exactly `count` numbers, each in `range`.
  void reals(const std::string& key, std::vector<double>& value, std::size_t count, RealRange range,
             const std::string& doc);
  // min_count..max_count integers, each in `range`.
  void ints(const std::string& key, std::vector<int>& value, std::size_t min_count, std::size_t max_count,
            IntRange range, const std::string& doc);
  // "auto" (stored as 0) or a count in [1, max].
  void auto_count(const std::string& key, int& value, int max, const std::string& doc);
  // auto | cpu | cuda | cuda:N.
  void device(const std::string& key, std::string& value, const std::string& doc);

 private:
  std::vector<config_detail::Field>& fields_;
};

// The key paths that `describe` declares, in its order.
std::vector<std::string> described_keys(void (*describe)(ConfigSchema&, Config&));

}  // namespace synthgen
