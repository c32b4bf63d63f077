#include <memory>

#include "commands.h"
#include "sampling_flags.h"
#include "synthgen/tasks/sample_task.h"

namespace synthgen::app {

Command add_sample_command(CLI::App& app) {
  auto request = std::make_shared<SampleRequest>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate an image data set (PNGs + manifest.csv) or a grid");
  cmd->add_option("--checkpoint", request->checkpoint, "Checkpoint file or run folder")->required();
  cmd->add_option("--num", request->num, "Number of images (--reconstruct: at most this many; default all)");
  cmd->add_option("--out", request->out_dir, "Output folder for the PNG files and manifest.csv");
  cmd->add_option("--grid", request->grid_path, "Write one PNG grid of the images here instead");
  cmd->add_option("--batch", request->batch, "Images per generator call")->capture_default_str();
  cmd->add_option("--seed", request->seed, "Image i is made from seed + i")->capture_default_str();
  cmd->add_option("--device", request->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", request->threads, "CPU threads (0 = every core)")->capture_default_str();
  cmd->add_flag("--overwrite", request->overwrite, "Replace an earlier run's outputs in --out (refuses other files)");
  // Two flags for one setting, so that giving both is named as the conflict it is.
  CLI::Option* one_class = cmd->add_option(
      "--class", request->classes, "Class-conditional models: every image of this class (index or name in labels.txt)");
  cmd->add_option("--classes", request->classes, "Class-conditional models: balanced (image i gets class i mod K)")
      ->capture_default_str()
      ->excludes(one_class);
  add_sampling_flags(cmd, request->generator);
  SampleFilter& filter = request->filter;
  cmd->add_option("--keep-if", filter.keep_if,
                  "classifier:CKPT: draw until --num images pass the classifier (needs --min-confidence)");
  cmd->add_option("--min-confidence", filter.min_confidence,
                  "--keep-if: the probability in [0, 1] the classifier must give the image's class (conditional "
                  "models) or some class (unconditional: the image's label)");
  cmd->add_option("--max-attempts", filter.max_attempts,
                  "--keep-if: candidates to judge before giving up with an error (default 20 x --num)");
  cmd->add_option("--reject-copies-of", filter.reject_copies_of,
                  "--keep-if: the generator's training set (fashion-mnist:train, a folder); reject near-copies of "
                  "its images in the classifier's features");
  cmd->add_option("--copy-distance", filter.copy_distance,
                  "--reject-copies-of: the near-copy distance (default: the copy check's threshold on that set)");
  cmd->add_option("--reconstruct", request->reconstruct_dir,
                  "vae models: encode and decode every image under this folder into --out");
  cmd->add_flag("--interpolate", request->interpolate,
                "vae models: --grid gets --num images on the latent line from seed's z to seed+1's");
  return {cmd, [request] { return run_sample(*request); }};
}

}  // namespace synthgen::app
