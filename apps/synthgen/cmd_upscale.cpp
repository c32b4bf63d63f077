#include <memory>

#include "commands.h"
#include "synthgen/tasks/upscale_task.h"

namespace synthgen::app {

Command add_upscale_command(CLI::App& app) {
  auto request = std::make_shared<UpscaleRequest>();
  CLI::App* cmd = app.add_subcommand("upscale", "Enlarge images of any size with a super-resolution (srgan) model");
  cmd->add_option("--checkpoint", request->checkpoint, "srgan checkpoint file or run folder")->required();
  cmd->add_option("--input", request->input, "An image file, or a folder (searched recursively)")->required();
  cmd->add_option("--out", request->out_dir, "Output folder: the input's relative paths, as PNG")->required();
  cmd->add_option("--tile", request->tile, "Tile side in input pixels (0 = whole images)")->capture_default_str();
  cmd->add_option("--tile-overlap", request->tile_overlap, "Input pixels shared and blended by neighbouring tiles")
      ->capture_default_str();
  cmd->add_option("--device", request->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", request->threads, "CPU threads (0 = every core)")->capture_default_str();
  cmd->add_flag("--overwrite", request->overwrite, "Replace an earlier run's outputs in --out (refuses other files)");
  cmd->add_flag(
      "--no-ema", [request](std::int64_t) { request->use_ema = false; },
      "Use the raw generator weights instead of their EMA");
  return {cmd, [request] { return run_upscale(*request); }};
}

}  // namespace synthgen::app
