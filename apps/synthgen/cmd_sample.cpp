#include <memory>

#include "commands.h"
#include "synthgen/tasks/sample_task.h"

namespace synthgen::app {

Command add_sample_command(CLI::App& app) {
  auto request = std::make_shared<SampleRequest>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate an image data set (PNGs + manifest.csv) or a grid");
  cmd->add_option("--checkpoint", request->checkpoint, "Checkpoint file or run folder")->required();
  cmd->add_option("--num", request->num, "Number of images")->required();
  cmd->add_option("--out", request->out_dir, "Output folder for the PNG files and manifest.csv");
  cmd->add_option("--grid", request->grid_path, "Write one PNG grid of the images here instead");
  cmd->add_option("--batch", request->batch, "Images per generator call")->capture_default_str();
  cmd->add_option("--seed", request->seed, "Image i is made from seed + i")->capture_default_str();
  cmd->add_option("--device", request->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", request->threads, "CPU threads (0 = every core)")->capture_default_str();
  cmd->add_flag("--overwrite", request->overwrite, "Allow a non-empty --out folder");
  cmd->add_option("--class,--classes", request->classes,
                  "Class-conditional models: a class index, or balanced (image i gets class i mod K)")
      ->capture_default_str();
  cmd->add_option("--truncation", request->truncation, "Truncation trick psi in [0, 1] (progan); 1 = none")
      ->capture_default_str();
  cmd->add_option("--sampler", request->sampler, "ddpm models: ddpm (ancestral, all T steps) | ddim (default)");
  cmd->add_option("--steps", request->steps,
                  "ddpm models: denoising steps (default: T for --sampler ddpm, min(T, 50) for ddim)");
  cmd->add_option("--eta", request->eta, "ddpm models, ddim sampler: noise eta in [0, 1] (default 0: deterministic)");
  cmd->add_option("--guidance", request->guidance,
                  "conditional ddpm models: classifier-free guidance w (0 = unconditional, default 1 = conditional)");
  cmd->add_option("--reconstruct", request->reconstruct_dir,
                  "vae models: encode and decode every image under this folder into --out");
  cmd->add_flag("--interpolate", request->interpolate,
                "vae models: --grid gets --num images on the latent line from seed's z to seed+1's");
  cmd->add_flag("--no-ema", [request](std::int64_t) { request->use_ema = false; },
                "Sample from the raw generator weights instead of their EMA");
  return {cmd, [request] { return run_sample(*request); }};
}

}  // namespace synthgen::app
