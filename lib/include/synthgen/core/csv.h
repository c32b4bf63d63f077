// CSV as synthgen writes it (manifest.csv): comma-separated fields, quoted when they hold a comma,
// quote or newline, a quote inside doubled (RFC 4180).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace synthgen {

// A CSV field, quoted when it holds a comma, quote or newline (class names are free text).
std::string csv_field(const std::string& text);

struct CsvRow {
  std::size_t line = 0;             // 1-based line of the file where the row starts
  std::vector<std::string> fields;  // unquoted
};

// The rows of a CSV text, empty lines skipped; "\r\n" ends a line as "\n" does. Throws
// UsageError naming `name` and the line for a quoted field that is never closed.
std::vector<CsvRow> parse_csv(const std::string& text, const std::string& name);

}  // namespace synthgen
