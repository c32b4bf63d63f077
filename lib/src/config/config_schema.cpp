// The builder's calls: each binds one member to a Field that reads it strictly and writes it back.
#include "synthgen/config/config_schema.h"

#include <fmt/format.h>

#include "fields.h"
#include "synthgen/config/config.h"
#include "value_codecs.h"

namespace synthgen {
namespace {

using config_detail::Field;
using config_detail::FieldError;

void add_schema_field(std::vector<Field>& fields, const std::string& key, const std::string& doc,
                      std::function<void(const YAML::Node&)> read, std::function<std::string()> text) {
  fields.push_back({key, doc, std::move(read), std::move(text)});
}

template <class Int>
void add_integer_field(std::vector<Field>& fields, const std::string& key, Int& value, IntRange range,
                       const std::string& doc) {
  add_schema_field(
      fields, key, doc,
      [&value, range](const YAML::Node& n) { value = static_cast<Int>(config_detail::parse_int(n, range)); },
      [&value] { return std::to_string(value); });
}

}  // namespace

void ConfigSchema::flag(const std::string& key, bool& value, const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value](const YAML::Node& n) { value = config_detail::parse_bool(n); },
      [&value] { return std::string(value ? "true" : "false"); });
}

void ConfigSchema::integer(const std::string& key, int& value, IntRange range, const std::string& doc) {
  add_integer_field(fields_, key, value, range, doc);
}

void ConfigSchema::integer(const std::string& key, std::int64_t& value, IntRange range, const std::string& doc) {
  add_integer_field(fields_, key, value, range, doc);
}

void ConfigSchema::integer_choice(const std::string& key, int& value, std::vector<std::int64_t> choices,
                                  const std::string& doc) {
  add_schema_field(
      fields_, key, doc,
      [&value, choices](const YAML::Node& n) { value = static_cast<int>(config_detail::parse_int_choice(n, choices)); },
      [&value] { return std::to_string(value); });
}

void ConfigSchema::seed(const std::string& key, std::uint64_t& value, const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value](const YAML::Node& n) { value = config_detail::parse_uint64(n); },
      [&value] { return std::to_string(value); });
}

void ConfigSchema::real(const std::string& key, double& value, RealRange range, const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value, range](const YAML::Node& n) { value = config_detail::parse_real(n, range); },
      [&value] { return config_detail::format_real(value); });
}

void ConfigSchema::text(const std::string& key, std::string& value, const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value](const YAML::Node& n) { value = config_detail::parse_string(n); },
      [&value] { return config_detail::format_string(value); });
}

void ConfigSchema::choice(const std::string& key, std::string& value, std::vector<std::string> choices,
                          const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value, choices](const YAML::Node& n) { value = config_detail::parse_choice(n, choices); },
      [&value] { return config_detail::format_string(value); });
}

void ConfigSchema::word_list(const std::string& key, std::string& value, const std::string& none,
                             std::vector<std::string> words, const std::string& doc) {
  add_schema_field(
      fields_, key, doc,
      [&value, none, words](const YAML::Node& n) { value = config_detail::parse_word_list(n, none, words); },
      [&value] { return config_detail::format_string(value); });
}

void ConfigSchema::reals(const std::string& key, std::vector<double>& value, std::size_t count, RealRange range,
                         const std::string& doc) {
  add_schema_field(
      fields_, key, doc,
      [&value, count, range](const YAML::Node& n) { value = config_detail::parse_reals(n, count, range); },
      [&value] { return config_detail::format_reals(value); });
}

void ConfigSchema::ints(const std::string& key, std::vector<int>& value, std::size_t min_count, std::size_t max_count,
                        IntRange range, const std::string& doc) {
  add_schema_field(
      fields_, key, doc,
      [&value, min_count, max_count, range](const YAML::Node& n) {
        value = config_detail::parse_ints(n, min_count, max_count, range);
      },
      [&value] { return config_detail::format_ints(value); });
}

void ConfigSchema::auto_count(const std::string& key, int& value, int max, const std::string& doc) {
  add_schema_field(
      fields_, key, doc, [&value, max](const YAML::Node& n) { value = config_detail::parse_auto_count(n, max); },
      [&value] { return value == 0 ? std::string("auto") : std::to_string(value); });
}

void ConfigSchema::device(const std::string& key, std::string& value, const std::string& doc) {
  add_schema_field(
      fields_, key, doc,
      [&value](const YAML::Node& n) {
        const std::string text = config_detail::parse_string(n);
        const bool indexed = text.rfind("cuda:", 0) == 0 && text.size() > 5 &&
                             text.find_first_not_of("0123456789", 5) == std::string::npos;
        if (text != "auto" && text != "cpu" && text != "cuda" && !indexed) {
          throw FieldError(fmt::format("expected auto, cpu, cuda or cuda:N, got '{}'", text));
        }
        value = text;
      },
      [&value] { return config_detail::format_string(value); });
}

std::vector<std::string> described_keys(void (*describe)(ConfigSchema&, Config&)) {
  Config scratch;
  std::vector<Field> fields;
  ConfigSchema schema(fields);
  describe(schema, scratch);
  std::vector<std::string> keys;
  for (const Field& field : fields) keys.push_back(field.key);
  return keys;
}

}  // namespace synthgen
