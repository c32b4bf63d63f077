// The config keys as a Markdown table: the reference in docs/config.md is this output.
#include <fmt/format.h>

#include "fields.h"
#include "synthgen/config/load.h"
#include "synthgen/families/registry.h"

namespace synthgen {
namespace {

// A table cell: '|' would end it.
std::string cell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string config_keys_markdown() {
  Config defaults;
  std::string table = "| key | default | read by | meaning |\n|---|---|---|---|\n";
  const std::size_t all = model_families().size();
  for (const config_detail::Field& field : config_detail::config_fields(defaults)) {
    const std::vector<std::string> readers = families_reading(field.key);
    const std::string read_by = readers.size() == all ? "all" : fmt::format("{}", fmt::join(readers, ", "));
    table += fmt::format("| `{}` | `{}` | {} | {} |\n", field.key, cell(field.text()), read_by, cell(field.doc));
  }
  return table;
}

}  // namespace synthgen
