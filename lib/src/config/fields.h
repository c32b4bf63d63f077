// The config schema as a table: one Field per key, bound to a member of one Config object. The
// reader, the writer, the key list and the comparison are all driven by this one table.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::config_detail {

// A value that does not fit its key; the reader adds the key path and where it came from.
class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Field {
  std::string key;                              // full path, e.g. "train.lr"
  std::string doc;                              // one line: meaning, units, choices
  std::function<void(const YAML::Node&)> read;  // parse and check; throws FieldError
  std::function<std::string()> text;            // the value as YAML scalar/flow text
};

// The fields of `config`, in schema order, bound to its members.
std::vector<Field> config_fields(Config& config);

// Cross-field rules, run after every key was read: one (key, message) per broken rule, where key
// is the key whose position the message should carry.
std::vector<std::pair<std::string, std::string>> cross_field_errors(const Config& config);

// Adds one error for each key set away from its default on a family that does not read it.
void family_key_errors(const Config& config, std::vector<std::pair<std::string, std::string>>& errors);

}  // namespace synthgen::config_detail
