// Keys that only some model families (or one loss) read, as the family registry lists them. Set
// away from its default where nothing reads it, such a key would change nothing, silently; the user
// meant something by it, so it is an error.
#include <fmt/format.h>

#include <algorithm>

#include "fields.h"
#include "synthgen/config/load.h"
#include "synthgen/families/registry.h"

namespace synthgen::config_detail {
namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// "a", "a and b", "a, b and c".
std::string spoken_list(const std::vector<std::string>& items) {
  if (items.size() < 2) return items.empty() ? std::string() : items.front();
  const std::vector<std::string> head(items.begin(), items.end() - 1);
  return fmt::format("{} and {}", fmt::join(head, ", "), items.back());
}

}  // namespace

void family_key_errors(const Config& config, std::vector<std::pair<std::string, std::string>>& errors) {
  const ModelFamily& family = find_model_family(config.model.family);
  const std::vector<std::string> set_keys = changed_keys(Config{}, config);
  for (const std::string& key : family_specific_keys()) {
    if (family.reads_key(key) || !contains(set_keys, key)) continue;
    errors.emplace_back(key, fmt::format("{} is only used by {}, not {}: remove it (or choose one of those "
                                         "families)",
                                         key, spoken_list(families_reading(key)), family.name));
  }
  // The GAN trainer adds the gradient penalty only to the wgan-gp loss (R1 and drift go with any).
  if (family.kind == FamilyKind::kGan && contains(set_keys, "train.gp_weight") && config.train.loss != "wgan-gp") {
    errors.emplace_back("train.gp_weight", fmt::format("train.gp_weight is only used by train.loss wgan-gp, not "
                                                       "{}: remove it (or use train.r1_gamma, which works "
                                                       "with any loss)",
                                                       config.train.loss));
  }
}

}  // namespace synthgen::config_detail
