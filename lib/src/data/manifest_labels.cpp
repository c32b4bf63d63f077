#include "manifest_labels.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/io/file_io.h"

namespace synthgen::data {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxClasses = 100000;  // model.num_classes' limit

std::int64_t parse_label(const std::string& text, const std::string& where) {
  const std::int64_t label = parse_index(text);
  if (label < 0 || label >= kMaxClasses) {
    throw UsageError(
        fmt::format("{}: label '{}' is not a class index (expected an integer 0..{})", where, text, kMaxClasses - 1));
  }
  return label;
}

// Column `name`'s index in the header, or -1.
int column(const std::vector<std::string>& header, const std::string& name) {
  const auto found = std::find(header.begin(), header.end(), name);
  return found == header.end() ? -1 : static_cast<int>(found - header.begin());
}

}  // namespace

std::optional<ManifestLabels> read_manifest_labels(const fs::path& root) {
  const fs::path file = root / "manifest.csv";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  const std::vector<std::uint8_t> bytes = io::read_file_bytes(file.string());
  const std::vector<CsvRow> rows = parse_csv(std::string(bytes.begin(), bytes.end()), file.string());
  if (rows.empty()) return std::nullopt;
  const std::vector<std::string>& header = rows.front().fields;
  const int file_column = column(header, "file");
  const int label_column = column(header, "label");
  const int class_column = column(header, "class");
  if (file_column < 0 || label_column < 0) return std::nullopt;

  ManifestLabels labels;
  labels.path = file.string();
  std::map<std::int64_t, std::pair<std::string, std::size_t>> named;  // label -> name, line that named it
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const std::string where = fmt::format("{}:{}", labels.path, row.line);
    if (row.fields.size() != header.size()) {
      throw UsageError(fmt::format("{}: expected {} fields ({}), found {}", where, header.size(),
                                   fmt::join(header, ","), row.fields.size()));
    }
    const std::string image = fs::path(row.fields[file_column]).lexically_normal().generic_string();
    const std::int64_t label = parse_label(row.fields[label_column], where);
    if (!labels.label_by_file.emplace(image, label).second) {
      throw UsageError(fmt::format("{}: '{}' is listed twice", where, image));
    }
    const std::string name = class_column < 0 ? "" : row.fields[class_column];
    if (name.empty()) continue;
    const auto [it, fresh] = named.emplace(label, std::make_pair(name, row.line));
    if (!fresh && it->second.first != name) {
      throw UsageError(fmt::format("{}: label {} is named '{}' here and '{}' on line {}", where, label, name,
                                   it->second.first, it->second.second));
    }
  }
  std::int64_t classes = 0;
  for (const auto& [image, label] : labels.label_by_file) classes = std::max(classes, label + 1);
  for (std::int64_t label = 0; label < classes; ++label) {
    const auto found = named.find(label);
    labels.class_names.push_back(found == named.end() ? std::to_string(label) : found->second.first);
  }
  return labels;
}

}  // namespace synthgen::data
