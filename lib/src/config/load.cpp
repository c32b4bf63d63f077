// The strict YAML reader, the overrides, and the writer of the resolved config.
#include "synthgen/config/load.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fields.h"
#include "synthgen/config/closest_key.h"
#include "synthgen/core/error.h"

namespace synthgen {
namespace {

using config_detail::Field;
using config_detail::FieldError;

// Every section path ("model", "train", ...): prefixes of field keys.
std::vector<std::string> section_paths(const std::vector<Field>& fields) {
  std::vector<std::string> sections;
  for (const Field& field : fields) {
    for (std::size_t dot = field.key.find('.'); dot != std::string::npos; dot = field.key.find('.', dot + 1)) {
      const std::string section = field.key.substr(0, dot);
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) sections.push_back(section);
    }
  }
  return sections;
}

std::vector<std::string> all_paths(const std::vector<Field>& fields) {
  std::vector<std::string> paths;
  for (const Field& field : fields) paths.push_back(field.key);
  for (const std::string& section : section_paths(fields)) paths.push_back(section);
  return paths;
}

class Reader {
 public:
  Reader(Config& config, std::string origin)
      : fields_(config_detail::config_fields(config)), sections_(section_paths(fields_)), origin_(std::move(origin)) {}

  // Puts each override into the tree and remembers it for messages.
  void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides) {
    for (const std::string& override_text : overrides) {
      const std::string where = "--set " + override_text;
      const std::size_t equals = override_text.find('=');
      const std::string key = trimmed(override_text.substr(0, equals));
      if (equals == std::string::npos || key.empty()) {
        override_errors_.push_back(fmt::format("{}: expected key=value, e.g. --set train.steps=100", where));
        continue;
      }
      if (find_field(key) == nullptr) {
        if (is_section(key)) {
          override_errors_.push_back(
              fmt::format("{}: '{}' is a section, not a key; set one of its keys, "
                          "e.g. --set {}=...",
                          where, key, first_key_in(key)));
        } else {
          override_errors_.push_back(fmt::format("{}: unknown key '{}'{}", where, key, did_you_mean(key)));
        }
        continue;
      }
      YAML::Node value;
      try {
        value = YAML::Load(override_text.substr(equals + 1));
      } catch (const YAML::Exception& e) {
        override_errors_.push_back(fmt::format("{}: {}: value is not valid YAML: {}", where, key, e.msg));
        continue;
      }
      if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
      // Where the file's top level or a section is not a mapping, the file's own error is reported.
      if (!root.IsMap() || !set_path(root, key, value)) continue;
      override_of_[key] = where;
    }
  }

  void read(const YAML::Node& root) {
    if (!root.IsNull() && !root.IsMap()) {
      errors_.push_back(fmt::format("{}: expected a mapping of sections (model, data, train, run), got {}",
                                    location("", root), root.IsSequence() ? "a list" : "'" + root.Scalar() + "'"));
      return;
    }
    if (root.IsMap()) read_map(root, "");
  }

  void check_rules(const Config& config) {
    for (const auto& [key, message] : config_detail::cross_field_errors(config)) {
      const auto override_it = override_of_.find(key);
      const auto read_it = key_location_.find(key);
      const std::string where = override_it != override_of_.end() ? override_it->second
                                : read_it != key_location_.end()  ? read_it->second
                                                                  : origin_;
      errors_.push_back(fmt::format("{}: {}", where, message));
    }
  }

  void throw_if_errors() {
    errors_.insert(errors_.end(), override_errors_.begin(), override_errors_.end());
    override_errors_.clear();
    if (!errors_.empty()) throw ConfigError(fmt::format("{}", fmt::join(errors_, "\n")));
  }

 private:
  const Field* find_field(const std::string& key) const {
    for (const Field& field : fields_) {
      if (field.key == key) return &field;
    }
    return nullptr;
  }

  bool is_section(const std::string& path) const {
    return std::find(sections_.begin(), sections_.end(), path) != sections_.end();
  }

  std::string first_key_in(const std::string& section) const {
    for (const Field& field : fields_) {
      if (field.key.rfind(section + ".", 0) == 0) return field.key;
    }
    return section;
  }

  std::string did_you_mean(const std::string& path) const { return synthgen::did_you_mean(path, all_paths(fields_)); }

  static std::string trimmed(const std::string& text) {
    const std::size_t begin = text.find_first_not_of(" \t");
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
  }

  std::string location(const std::string& key, const YAML::Node& node) const {
    const auto override_it = override_of_.find(key);
    if (override_it != override_of_.end()) return override_it->second;
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return origin_;
    return fmt::format("{}:{}:{}", origin_, mark.line + 1, mark.column + 1);
  }

  // Sets root[a][b]... = value, creating mappings; false if a section on the way is not a mapping.
  static bool set_path(YAML::Node root, const std::string& key, const YAML::Node& value) {
    std::vector<std::string> parts;
    std::stringstream stream(key);
    for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      YAML::Node child = node[parts[i]];
      if (!child.IsDefined() || child.IsNull()) {
        node[parts[i]] = YAML::Node(YAML::NodeType::Map);
        child = node[parts[i]];
      }
      if (!child.IsMap()) return false;
      node.reset(child);
    }
    node[parts.back()] = value;
    return true;
  }

  void read_map(const YAML::Node& map, const std::string& prefix) {
    std::map<std::string, int> first_line;  // yaml-cpp keeps repeated keys; they are errors here
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (!key_node.IsScalar()) {
        errors_.push_back(fmt::format("{}: keys must be plain names", location("", key_node)));
        continue;
      }
      const std::string path = prefix.empty() ? key_node.Scalar() : prefix + "." + key_node.Scalar();
      const auto [seen, inserted] = first_line.emplace(path, key_node.Mark().line + 1);
      if (!inserted) {
        errors_.push_back(
            fmt::format("{}: key '{}' appears twice (first on line {})", location("", key_node), path, seen->second));
        continue;
      }
      // An empty value has no position of its own (yaml-cpp gives the next line's): use the key's.
      const YAML::Node& positioned = value.IsNull() ? key_node : value;
      if (const Field* field = find_field(path)) {
        key_location_[path] = location(path, key_node);
        try {
          field->read(value);
        } catch (const FieldError& e) {
          errors_.push_back(fmt::format("{}: {}: {}", location(path, positioned), path, e.what()));
        }
      } else if (is_section(path)) {
        if (value.IsMap()) {
          read_map(value, path);
        } else if (!value.IsNull()) {
          errors_.push_back(fmt::format("{}: {} must be a mapping of keys, got {}", location(path, value), path,
                                        value.IsSequence() ? "a list" : "'" + value.Scalar() + "'"));
        }
      } else {
        errors_.push_back(fmt::format("{}: unknown key '{}'{}", location(path, key_node), path, did_you_mean(path)));
      }
    }
  }

  std::vector<Field> fields_;
  std::vector<std::string> sections_;
  std::string origin_;
  std::map<std::string, std::string> override_of_;   // key -> "--set key=value"
  std::map<std::string, std::string> key_location_;  // key -> "file:line:col" of keys read
  std::vector<std::string> errors_;
  std::vector<std::string> override_errors_;  // reported after the file's own errors
};

}  // namespace

Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<std::string>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this is "bad file".
    throw ConfigError(fmt::format("{}:{}:{}: YAML nested deeper than {} levels", origin, e.mark.line + 1,
                                  e.mark.column + 1, e.depth() - 1));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(
        fmt::format("{}:{}:{}: YAML syntax error: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  Config config;
  Reader reader(config, origin);
  reader.apply_overrides(root, overrides);
  reader.read(root);
  reader.throw_if_errors();
  reader.check_rules(config);
  reader.throw_if_errors();
  return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(fmt::format("cannot read config file '{}': it is a folder, expected a YAML file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("cannot read config file '{}': {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(fmt::format("cannot read config file '{}': read error", path));
  return load_config_text(text.str(), path, overrides);
}

void apply_overrides(Config& config, const std::vector<std::string>& overrides) {
  if (overrides.empty()) return;
  config = load_config_text(dump_config(config), "<config>", overrides);
}

std::string dump_config(const Config& config) {
  Config copy = config;
  const std::vector<Field> fields = config_detail::config_fields(copy);
  std::string out = "# synthgen config: every key with its value (see README.md, Configuration)\n";
  std::vector<std::string> open;  // the sections of the previous key
  for (const Field& field : fields) {
    std::vector<std::string> parts;
    std::stringstream stream(field.key);
    for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
    std::size_t shared = 0;
    while (shared < open.size() && shared + 1 < parts.size() && open[shared] == parts[shared]) ++shared;
    for (std::size_t level = shared; level + 1 < parts.size(); ++level) {
      out += std::string(2 * level, ' ') + parts[level] + ":\n";
    }
    open.assign(parts.begin(), parts.end() - 1);
    out += fmt::format("{}{}: {}  # {}\n", std::string(2 * (parts.size() - 1), ' '), parts.back(), field.text(),
                       field.doc);
  }
  return out;
}

std::vector<std::string> config_keys() {
  Config config;
  std::vector<std::string> keys;
  for (const Field& field : config_detail::config_fields(config)) keys.push_back(field.key);
  return keys;
}

std::string config_value(const Config& config, const std::string& key) {
  Config copy = config;
  for (const Field& field : config_detail::config_fields(copy)) {
    if (field.key == key) return field.text();
  }
  throw ConfigError(fmt::format("unknown config key '{}'", key));
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  Config copy_a = a;
  Config copy_b = b;
  const std::vector<Field> fields_a = config_detail::config_fields(copy_a);
  const std::vector<Field> fields_b = config_detail::config_fields(copy_b);
  std::vector<std::string> changed;
  for (std::size_t i = 0; i < fields_a.size(); ++i) {
    if (fields_a[i].text() != fields_b[i].text()) changed.push_back(fields_a[i].key);
  }
  return changed;
}

}  // namespace synthgen
