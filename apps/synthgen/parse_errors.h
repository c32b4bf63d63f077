// One-line messages for command-line mistakes, in place of CLI11's wording where that misleads
// ("A subcommand is required" for a misspelt command, "At Most 1 required" for a repeated flag).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace synthgen::app {

// "unknown command 'sampel' (did you mean 'sample'?)" when the first argument is neither an
// option nor one of `commands`; "" otherwise (CLI11 then parses as usual).
std::string unknown_command_message(int argc, const char* const* argv, const std::vector<std::string>& commands);

// The message for a parse error of `app`, on one line, ending with where the flags are listed.
std::string parse_error_message(const CLI::ParseError& error, const CLI::App& app);

}  // namespace synthgen::app
