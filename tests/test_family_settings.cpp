// The families' keys as the registry derives them from each family's settings: read by the
// families that declare (or list) them, refused by the others, documented, and with the defaults
// that their settings headers give.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"

using namespace synthgen;
using Catch::Contains;

namespace {

// The smallest config of a family: translation and super-resolution need their data layouts.
std::string family_yaml(const ModelFamily& family) {
  std::string data;
  if (family.name == "pix2pix") data = "data: {source: paired, path: x}\n";
  if (family.name == "cyclegan") data = "data: {source: unpaired, path: x}\n";
  if (family.kind == FamilyKind::kSuperResolution) data = "data: {source: patches, path: x, image_size: 96}\n";
  return "model: {family: " + family.name + "}\n" + data;
}

Config load_family(const ModelFamily& family, const std::vector<std::string>& overrides = {}) {
  return load_config_text(family_yaml(family), "family.yaml", overrides);
}

// The message of the ConfigError that loading throws, or "" when it loads.
std::string load_error(const ModelFamily& family, const std::string& key, const std::string& value) {
  try {
    load_family(family, {key + "=" + value});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool is_number(const std::string& text, double& value) {
  std::istringstream in(text);
  in >> value;
  return !in.fail() && in.eof();
}

// Values of every kind to try for `key`: the choices the reader itself names for a wrong value,
// free text, numbers near the default, flags and lists.
std::vector<std::string> candidate_values(const ModelFamily& family, const std::string& key,
                                          const std::string& default_text) {
  std::vector<std::string> values;
  const std::string wrong = load_error(family, key, "not-a-value");
  for (const std::string marker : {"expected one of ", "a comma list of "}) {
    const std::size_t begin = wrong.find(marker);
    if (begin == std::string::npos) continue;
    const std::string list = wrong.substr(begin + marker.size(), wrong.find(", got", begin) - begin - marker.size());
    std::istringstream items(list);
    for (std::string item; std::getline(items, item, ',');) values.push_back(item.substr(item.find_first_not_of(' ')));
  }
  values.push_back("not-a-value");
  double value = 0.0;
  if (is_number(default_text, value)) {
    for (const double other : {value + 1, value - 1, 2 * value, value / 2, value + 0.5, 0.5, 1.0, 2.0, 4.0}) {
      values.push_back(fmt::format("{}", other));
    }
  }
  for (const std::string other : {"true", "false", "[2]", "[1, 2]", "[4, 4]"}) values.push_back(other);
  return values;
}

// A value for `key` away from its default that the family's reader takes: one that loads if there
// is one, else one that only breaks a cross-field rule (train.perceptual_weight > 0 needs a
// train.perceptual_net). Empty when nothing fits.
std::string other_value(const ModelFamily& family, const std::string& key) {
  const std::string default_text = config_value(load_family(family), key);
  double default_number = 0.0;
  const bool numeric = is_number(default_text, default_number);
  std::string fallback;
  for (const std::string& value : candidate_values(family, key, default_text)) {
    double number = 0.0;
    if (value == default_text || (numeric && is_number(value, number) && number == default_number)) continue;
    const std::string error = load_error(family, key, value);
    if (error.empty()) return value;
    if (fallback.empty() && error.find(key + ": ") == std::string::npos) fallback = value;
  }
  return fallback;
}

// "a", "a and b", "a, b and c".
std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return text;
}

// The default of every settings member as its header writes it: `type name = value;` with the
// key path at the start of its comment, on the same line or the line above.
std::map<std::string, std::string> header_defaults() {
  const std::regex declaration(R"(^\s*[\w:<>]+\s+\w+\s*=\s*(.*?);\s*(?://\s*((?:model|train)\.\w+):.*)?$)");
  const std::regex key_comment(R"(^\s*//\s*((?:model|train)\.\w+):.*$)");
  std::map<std::string, std::string> defaults;
  const std::filesystem::path root = std::filesystem::path(SYNTHGEN_SOURCE_DIR) / "lib" / "include";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 11 || name.compare(name.size() - 11, 11, "_settings.h") != 0) continue;
    std::ifstream in(entry.path());
    std::string pending_key;
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      if (std::regex_match(line, match, key_comment)) {
        pending_key = match[1];
      } else if (std::regex_match(line, match, declaration)) {
        const std::string key = match[2].matched ? match[2].str() : pending_key;
        if (!key.empty()) defaults[key] = match[1];
        pending_key.clear();
      }
    }
  }
  return defaults;
}

// A C++ default (`0.1`, `"eps"`, `{1, 2}`, `false`) against a value of the printed YAML config.
bool same_value(const std::string& literal, const YAML::Node& printed) {
  if (literal.front() == '{') {
    std::vector<std::string> items;
    std::istringstream list(literal.substr(1, literal.size() - 2));
    for (std::string item; std::getline(list, item, ',');) items.push_back(item);
    if (!printed.IsSequence() || printed.size() != items.size()) return false;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!same_value(items[i].substr(items[i].find_first_not_of(' ')), printed[i])) return false;
    }
    return true;
  }
  if (!printed.IsScalar()) return false;
  if (literal.front() == '"') return printed.Scalar() == literal.substr(1, literal.size() - 2);
  double expected = 0.0;
  double actual = 0.0;
  if (is_number(literal, expected)) return is_number(printed.Scalar(), actual) && actual == expected;
  return printed.Scalar() == literal;
}

}  // namespace

TEST_CASE("each family's keys are read by it and refused by the families that do not read them", "[config][families]") {
  std::vector<std::string> specific;
  for (const ModelFamily& family : model_families()) {
    for (const std::string& key : family.keys) {
      if (std::find(specific.begin(), specific.end(), key) == specific.end()) specific.push_back(key);
    }
  }
  CHECK(specific == family_specific_keys());
  // Every settings key is one of the schema's keys (a GAN's settings are in the schema once).
  const std::vector<std::string> schema_keys = config_keys();
  for (const std::string& key : specific) CHECK(std::count(schema_keys.begin(), schema_keys.end(), key) == 1);

  for (const ModelFamily& reader : model_families()) {
    for (const std::string& key : reader.keys) {
      const std::string value = other_value(reader, key);
      INFO(key << "=" << value << " with " << reader.name);
      REQUIRE(!value.empty());
      const std::string refusal_of_reader = fmt::format(", not {}: remove it", reader.name);
      CHECK_THAT(load_error(reader, key, value), !Contains(refusal_of_reader));
      for (const ModelFamily& other : model_families()) {
        if (other.reads_key(key)) continue;
        INFO("refused by " << other.name);
        CHECK_THAT(load_error(other, key, value),
                   Contains(fmt::format("--set {}={}: {} is only used by {}, not {}: remove it", key, value, key,
                                        listed(families_reading(key)), other.name)));
      }
    }
  }
  // A key that no family lists is read by all of them.
  CHECK_NOTHROW(load_family(find_model_family("srgan"), {"train.steps=3", "model.base_channels=8"}));
  // train.eval_every is the vae's alone.
  CHECK(families_reading("train.eval_every") == std::vector<std::string>{"vae"});
  CHECK_THROWS_WITH(load_family(find_model_family("dcgan"), {"train.eval_every=5"}),
                    Contains("train.eval_every is only used by vae, not dcgan"));
}

TEST_CASE("every key has a doc line in the printed config", "[config][families]") {
  const std::vector<std::string> keys = config_keys();
  const std::string text = dump_config(Config{});
  std::istringstream lines(text);
  std::size_t documented = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#' || line.back() == ':') continue;  // the header and sections
    INFO(line);
    const std::size_t hash = line.find("  # ");
    REQUIRE(hash != std::string::npos);
    CHECK(line.find_first_not_of(' ', hash + 4) != std::string::npos);
    ++documented;
  }
  CHECK(documented == keys.size());
}

TEST_CASE("the settings headers' defaults are what --print-config writes for each family", "[config][families]") {
  const std::map<std::string, std::string> defaults = header_defaults();
  std::set<std::string> compared;
  for (const ModelFamily& family : model_families()) {
    const YAML::Node printed = YAML::Load(dump_config(load_family(family)));
    for (const std::string& key : family.keys) {
      if (std::find(family.shared_keys.begin(), family.shared_keys.end(), key) != family.shared_keys.end()) continue;
      INFO(family.name << ": " << key);
      const auto found = defaults.find(key);
      REQUIRE(found != defaults.end());  // every settings key has a member whose comment names it
      const std::size_t dot = key.find('.');
      const YAML::Node value = printed[key.substr(0, dot)][key.substr(dot + 1)];
      INFO("header: " << found->second << ", printed: " << YAML::Dump(value));
      CHECK(same_value(found->second, value));
      compared.insert(key);
    }
  }
  CHECK(compared.size() == defaults.size());  // and no header declares a key that no family reads
  // The comparison can fail: a printed value other than the header's is caught.
  CHECK_FALSE(same_value("1000", YAML::Load("999")));
  CHECK_FALSE(same_value("\"linear\"", YAML::Load("cosine")));
  CHECK_FALSE(same_value("{1, 2, 2}", YAML::Load("[1, 2]")));
  CHECK(same_value("2e-4", YAML::Load("0.0002")));
}
