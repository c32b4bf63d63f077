#include "synthgen/eval/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "synthgen/core/log.h"
#include "synthgen/io/file_io.h"

namespace synthgen::eval {

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

JsonObject& JsonObject::add_raw(const std::string& key, std::string json) {
  entries_.emplace_back(key, std::move(json));
  return *this;
}

JsonObject& JsonObject::add(const std::string& key, double value) {
  // 17 significant digits: the double reads back exactly.
  return add_raw(key, std::isfinite(value) ? fmt::format("{:.17g}", value) : "null");
}

JsonObject& JsonObject::add(const std::string& key, std::int64_t value) { return add_raw(key, std::to_string(value)); }

JsonObject& JsonObject::add(const std::string& key, const std::string& value) {
  return add_raw(key, json_quote(value));
}

JsonObject& JsonObject::add(const std::string& key, const JsonObject& value) {
  // Rendered at depth 0 now; dump() indents it to its place.
  return add_raw(key, value.dump(0));
}

JsonObject& JsonObject::add(const std::string& key, const std::vector<JsonObject>& items) {
  if (items.empty()) return add_raw(key, "[]");
  std::string array = "[\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    array += "  " + items[i].dump(1) + (i + 1 < items.size() ? ",\n" : "\n");
  }
  return add_raw(key, array + "]");
}

JsonObject& JsonObject::add(const std::string& key, const std::vector<double>& values) {
  std::string array = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    array += (i > 0 ? ", " : "") + (std::isfinite(values[i]) ? fmt::format("{:.17g}", values[i]) : std::string("null"));
  }
  return add_raw(key, array + "]");
}

std::string JsonObject::dump(int indent) const {
  if (entries_.empty()) return "{}";
  const std::string pad(static_cast<std::size_t>(2 * (indent + 1)), ' ');
  std::string out = "{\n";
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    std::string value = entries_[i].second;
    // Nested objects were rendered at depth 0: shift their inner lines.
    std::string shifted;
    for (const char c : value) {
      shifted += c;
      if (c == '\n') shifted += pad;
    }
    out += pad + json_quote(entries_[i].first) + ": " + shifted + (i + 1 < entries_.size() ? ",\n" : "\n");
  }
  return out + std::string(static_cast<std::size_t>(2 * indent), ' ') + "}";
}

void Table::row(const std::string& name, const std::string& value, const std::string& detail) {
  rows_.push_back({name, value, detail});
}

std::string Table::str() const {
  std::size_t name_width = 0;
  std::size_t value_width = 0;
  for (const auto& row : rows_) {
    name_width = std::max(name_width, row[0].size());
    value_width = std::max(value_width, row[1].size());
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line = fmt::format("  {:<{}}  {:>{}}  {}", row[0], name_width, row[1], value_width, row[2]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

void publish_report(const Table& table, const JsonObject& json, const std::string& json_path) {
  std::printf("%s", table.str().c_str());
  std::fflush(stdout);
  if (json_path.empty()) return;
  const std::string text = json.dump() + "\n";
  io::write_file_atomic(json_path, text.data(), text.size(), /*sync=*/true);
  log_info("wrote {}", json_path);
}

}  // namespace synthgen::eval
