// The results of `synthgen eval`: a JSON object built key by key (every figure with its settings)
// and a plain table for the terminal.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace synthgen::eval {

// A JSON object in insertion order. Non-finite numbers become null (JSON has no infinity).
class JsonObject {
 public:
  JsonObject& add(const std::string& key, double value);
  JsonObject& add(const std::string& key, std::int64_t value);
  JsonObject& add(const std::string& key, const std::string& value);
  JsonObject& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  JsonObject& add(const std::string& key, bool value) { return add_raw(key, value ? "true" : "false"); }
  JsonObject& add(const std::string& key, const JsonObject& value);
  JsonObject& add(const std::string& key, const std::vector<JsonObject>& items);  // an array of objects
  JsonObject& add(const std::string& key, const std::vector<double>& values);     // an array of numbers
  bool empty() const { return entries_.empty(); }
  // Two-space indented text, starting at `indent` levels.
  std::string dump(int indent = 0) const;

 private:
  JsonObject& add_raw(const std::string& key, std::string json);
  std::vector<std::pair<std::string, std::string>> entries_;  // key, rendered value
};

std::string json_quote(const std::string& text);

// Rows of (name, value, detail) printed as aligned columns.
class Table {
 public:
  void row(const std::string& name, const std::string& value, const std::string& detail = "");
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// Prints the table on stdout and, when json_path is set, writes the JSON there atomically (a
// RuntimeError names the path when that fails).
void publish_report(const Table& table, const JsonObject& json, const std::string& json_path);

}  // namespace synthgen::eval
