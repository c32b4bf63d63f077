// Keys that only some model families read: the registry derives them from each family's settings
// and shared-key list. Set away from its default where nothing reads it, such a key would change
// nothing, silently; the user meant something by it, so it is an error.
#include <fmt/format.h>

#include <algorithm>

#include "fields.h"
#include "synthgen/config/load.h"
#include "synthgen/families/registry.h"

namespace synthgen::config_detail {
namespace {

// "a", "a and b", "a, b and c".
std::string spoken_list(const std::vector<std::string>& items) {
  if (items.size() < 2) return items.empty() ? std::string() : items.front();
  const std::vector<std::string> head(items.begin(), items.end() - 1);
  return fmt::format("{} and {}", fmt::join(head, ", "), items.back());
}

}  // namespace

void family_key_errors(const Config& config, std::vector<std::pair<std::string, std::string>>& errors) {
  const ModelFamily& family = find_model_family(config.model.family);
  const std::vector<std::string> specific = family_specific_keys();
  // In schema order, as a file lists them.
  for (const std::string& key : changed_keys(Config{}, config)) {
    if (family.reads_key(key) || std::find(specific.begin(), specific.end(), key) == specific.end()) continue;
    errors.emplace_back(key, fmt::format("{} is only used by {}, not {}: remove it (or choose one of those "
                                         "families)",
                                         key, spoken_list(families_reading(key)), family.name));
  }
}

}  // namespace synthgen::config_detail
