// Each subcommand binds its flags into a request struct and calls one library entry point.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace synthgen::app {

struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> run;  // called when `subcommand` was given; returns the exit code
};

Command add_train_command(CLI::App& app);
Command add_sample_command(CLI::App& app);
Command add_eval_command(CLI::App& app);
Command add_upscale_command(CLI::App& app);
Command add_translate_command(CLI::App& app);

}  // namespace synthgen::app
