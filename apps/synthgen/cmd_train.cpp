#include <memory>

#include "commands.h"
#include "synthgen/tasks/train_task.h"

namespace synthgen::app {

Command add_train_command(CLI::App& app) {
  auto request = std::make_shared<TrainRequest>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model from a YAML config into a run folder");
  cmd->add_option("--config", request->config_path, "YAML config (see configs/)");
  cmd->add_option("--set", request->overrides, "Override a config key: --set train.steps=100 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--out", request->out_dir, "Run folder (default: <run.out_root>/<config>-<time>)");
  cmd->add_option("--resume", request->resume_dir, "Continue this run folder from its latest checkpoint");
  cmd->add_option("--init", request->init_checkpoint,
                  "Start from this checkpoint's (or run folder's) generator weights (srgan's GAN stage)");
  cmd->add_flag("--print-config", request->print_config, "Print the resolved config and exit");
  cmd->add_flag("--list-keys", request->list_keys,
                "Print every config key with its default, the families that read it and its meaning (Markdown)");
  return {cmd, [request] { return run_train(*request); }};
}

}  // namespace synthgen::app
