#include <memory>

#include "commands.h"
#include "synthgen/tasks/translate_task.h"

namespace synthgen::app {

Command add_translate_command(CLI::App& app) {
  auto request = std::make_shared<TranslateRequest>();
  CLI::App* cmd = app.add_subcommand(
      "translate", "Translate a folder of images with a pix2pix or cyclegan model, keeping paths and names");
  cmd->add_option("--checkpoint", request->checkpoint, "pix2pix or cyclegan checkpoint file or run folder")->required();
  cmd->add_option("--input", request->input, "Folder searched recursively (or one image file)")->required();
  cmd->add_option("--out", request->out_dir, "Output folder: the input's tree, names and label files")->required();
  cmd->add_option("--direction", request->direction, "AtoB | BtoA (cyclegan only)")->capture_default_str();
  cmd->add_option("--batch", request->batch, "Images of equal size translated together")->capture_default_str();
  cmd->add_option("--tile", request->tile, "Tile side in pixels for large images (0 = whole images)")
      ->capture_default_str();
  cmd->add_option("--tile-overlap", request->tile_overlap, "Pixels shared and blended by neighbouring tiles")
      ->capture_default_str();
  cmd->add_option("--device", request->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", request->threads, "CPU threads (0 = every core)")->capture_default_str();
  cmd->add_flag("--overwrite", request->overwrite, "Replace an earlier run's outputs in --out (refuses other files)");
  return {cmd, [request] { return run_translate(*request); }};
}

}  // namespace synthgen::app
