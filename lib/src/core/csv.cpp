#include "synthgen/core/csv.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"

namespace synthgen {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::vector<CsvRow> parse_csv(const std::string& text, const std::string& name) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1;
  bool quoted = false;
  bool row_has_text = false;
  auto end_row = [&] {
    row.fields.push_back(field);
    if (row_has_text || row.fields.size() > 1) rows.push_back(row);
    row = CsvRow{};
    field.clear();
    row_has_text = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (row.fields.empty() && field.empty() && !row_has_text) row.line = line;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      row_has_text = true;
    } else if (c == ',') {
      row.fields.push_back(field);
      field.clear();
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      end_row();
      ++line;
    } else {
      field += c;
      row_has_text = true;
    }
  }
  if (quoted) throw UsageError(fmt::format("{}:{}: a quoted field is never closed", name, row.line));
  if (row_has_text || !row.fields.empty()) end_row();
  return rows;
}

}  // namespace synthgen
