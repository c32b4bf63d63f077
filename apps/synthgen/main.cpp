// synthgen: one binary, one subcommand per task. Exit codes: 0 success, 1 failure at run time,
// 2 bad usage or bad config, 128 + signal when stopped by SIGINT/SIGTERM after saving.
#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "parse_errors.h"
#include "synthgen/core/error.h"
#include "synthgen/core/interrupt.h"
#include "synthgen/core/log.h"
#include "synthgen/core/runtime.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One "synthgen: error: ..." line per line of the message (config errors can list several).
void print_error(const std::string& message) {
  synthgen::log_status_done();
  std::istringstream lines(message);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) std::fprintf(stderr, "synthgen: error: %s\n", line.c_str());
  }
}

int run_guarded(const std::function<int()>& run) {
  try {
    return run();
  } catch (const synthgen::UsageError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const c10::Error& e) {
    print_error(e.what_without_backtrace());
    return kExitFailure;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  synthgen::ignore_file_size_signal();
  CLI::App app{"synthgen: train image generative models and turn them into synthetic data sets"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return synthgen::version_string(); });
  const std::vector<synthgen::app::Command> commands = {
      synthgen::app::add_train_command(app),     synthgen::app::add_sample_command(app),
      synthgen::app::add_eval_command(app),      synthgen::app::add_upscale_command(app),
      synthgen::app::add_translate_command(app),
  };
  std::vector<std::string> command_names;
  for (const auto& command : commands) command_names.push_back(command.subcommand->get_name());
  const std::string unknown = synthgen::app::unknown_command_message(argc, argv, command_names);
  if (!unknown.empty()) {
    print_error(unknown + " (see 'synthgen --help')");
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    print_error(synthgen::app::parse_error_message(e, app));
    return kExitUsage;
  }
  for (const auto& command : commands) {
    if (command.subcommand->parsed()) return run_guarded(command.run);
  }
  return kExitUsage;
}
