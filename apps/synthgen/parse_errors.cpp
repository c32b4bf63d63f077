#include "parse_errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <regex>

#include "synthgen/config/closest_key.h"

namespace synthgen::app {
namespace {

// The subcommand being parsed when the error came (its flags are the ones to read about).
std::string command_path(const CLI::App& app) {
  std::string path = "synthgen";
  const CLI::App* current = &app;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const CLI::App* sub : current->get_subcommands({})) {
      if (sub->parsed()) {
        path += " " + sub->get_name();
        current = sub;
        deeper = true;
        break;
      }
    }
  }
  return path;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

}  // namespace

std::string unknown_command_message(int argc, const char* const* argv, const std::vector<std::string>& commands) {
  if (argc < 2) return "";
  const std::string word = argv[1];
  if (word.empty() || word[0] == '-') return "";
  if (std::find(commands.begin(), commands.end(), word) != commands.end()) return "";
  const std::string hint = did_you_mean(word, commands);
  return fmt::format("unknown command '{}'{}", word,
                     hint.empty() ? fmt::format("; expected one of {}", fmt::join(commands, ", ")) : hint);
}

std::string parse_error_message(const CLI::ParseError& error, const CLI::App& app) {
  std::string message = error.what();
  std::smatch match;
  // CLI11's wording of these three says what it counted, not what the user did.
  static const std::regex repeated("^(\\S+): At Most 1 required but received (\\d+)$");
  static const std::regex excludes("^(\\S+) excludes (\\S+)$");
  if (message == "A subcommand is required") {
    message = fmt::format("a command is required: one of {}", fmt::join(command_names(app), ", "));
  } else if (std::regex_match(message, match, repeated)) {
    message = fmt::format("{} was given {} times; it takes one value", match[1].str(), match[2].str());
  } else if (std::regex_match(message, match, excludes)) {
    message = fmt::format("{} and {} exclude each other", match[1].str(), match[2].str());
  }
  return fmt::format("{} (see '{} --help')", message, command_path(app));
}

}  // namespace synthgen::app
