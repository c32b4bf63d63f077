#include <memory>

#include "commands.h"
#include "sampling_flags.h"
#include "synthgen/tasks/eval_task.h"

namespace synthgen::app {

Command add_eval_command(CLI::App& app) {
  auto request = std::make_shared<EvalRequest>();
  DistributionEvalRequest& distribution = request->distribution;
  PairedEvalRequest& paired = request->paired;
  CasRequest& cas = request->cas;

  CLI::App* cmd = app.add_subcommand(
      "eval", "Score a generator or data set: FID, KID, IS, precision/recall, accuracy, PSNR/SSIM, CAS");
  cmd->require_subcommand(0, 1);
  cmd->add_option("--real", distribution.real,
                  "Real set: image folder, fashion-mnist:train|test, checkpoint or run folder, or .npy features");
  cmd->add_option("--fake", distribution.fake, "Generated set, in the same forms as --real");
  cmd->add_option("--features", distribution.features, "Feature network: inception:FILE.pt or classifier:CHECKPOINT");
  cmd->add_option("--metrics", request->metrics,
                  "Comma-separated: fid,kid,is,pr,accuracy,copies (sets) or psnr,ssim,l1 (pairs); default: fid,kid,pr "
                  "for --real and --fake, is for --fake, accuracy for --real, psnr,ssim for pairs")
      ->delimiter(',');
  cmd->add_option("--num", distribution.num, "Images per set (0 = all; generators: 10000)")->capture_default_str();
  cmd->add_option("--json", request->json_path, "Write every figure with its settings to this JSON file");
  cmd->add_option("--save-features", distribution.save_features, "Write PREFIX.real.npy and PREFIX.fake.npy");
  cmd->add_option("--per-image", distribution.per_image_path,
                  "Write one CSV row per image of --fake (--real when alone): file, label, prediction, nearest "
                  "--real image, realism");
  cmd->add_option("--copies-grid", distribution.copies_grid,
                  "copies: PNG of the 16 closest (generated, training) pairs (default: beside --json as "
                  "NAME.copies.png)");
  cmd->add_option("--batch", distribution.batch, "Images per network call")->capture_default_str();
  cmd->add_option("--seed", distribution.seed, "Generator seeds and KID subsets")->capture_default_str();
  cmd->add_option("--kid-subsets", distribution.kid_subsets, "KID: number of subsets")->capture_default_str();
  cmd->add_option("--kid-subset-size", distribution.kid_subset_size, "KID: images per subset")->capture_default_str();
  cmd->add_option("--pred", paired.pred, "Paired metrics: folder of produced images");
  cmd->add_option("--target", paired.target, "Paired metrics: folder of ground truth with the same file names");
  cmd->add_flag("--y-channel", paired.y_channel, "Paired metrics on the BT.601 luma only");
  cmd->add_option("--crop-border", paired.crop_border, "Pixels cut from each side before paired metrics")
      ->capture_default_str();
  cmd->add_option("--device", request->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", request->threads, "CPU threads (0 = every core)")->capture_default_str();
  add_sampling_flags(cmd, distribution.generator);

  CLI::App* cas_cmd = cmd->add_subcommand(
      "cas", "Classification accuracy score: train the built-in classifier on synthetic data, test on real");
  cas_cmd
      ->add_option("--train", cas.train,
                   "Training source, repeatable (concatenated): folder with class sub-folders or a labelled "
                   "manifest.csv, generator (unconditional ones with --label-with), fashion-mnist:SPLIT; each "
                   "optionally :N images (real sets: a class-balanced subset, :N:seed=S another one)")
      ->required();
  cas_cmd->add_option("--test", cas.test, "Real labelled test set")->capture_default_str();
  cas_cmd->add_option("--baseline", cas.baseline,
                      "Real-only training source for the comparison, repeatable (default: the fashion-mnist "
                      "sources of --train, or fashion-mnist:train when it has none; none = skip)");
  cas_cmd
      ->add_option("--repeats", cas.repeats,
                   "Classifier pairs trained with seeds run.seed + r: mean and sample std of each accuracy "
                   "and of the paired gain")
      ->capture_default_str();
  cas_cmd->add_option("--config", cas.config,
                      "Classifier config (default: built in, the same as configs/classifier_fashion.yaml)");
  cas_cmd->add_option("--set", cas.overrides, "Override a key of the classifier config: key=value");
  cas_cmd->add_option("--baseline-set", cas.baseline_overrides,
                      "Override a key of the baseline's classifier only, after --set: key=value");
  cas_cmd->add_option("--label-with", cas.label_with, "Classifier checkpoint that labels unlabelled --train sources");
  cas_cmd->add_option("--num", cas.num, "Images of a --train source without its own :N (0 = all; generators: 10000)")
      ->capture_default_str();
  cas_cmd->add_option("--seed", cas.seed, "Generator seeds")->capture_default_str();
  cas_cmd->add_option("--json", cas.json_path, "Write the figures with their settings to this JSON file");
  cas_cmd->add_option("--device", cas.device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cas_cmd->add_option("--threads", cas.threads, "CPU threads (0 = every core)")->capture_default_str();
  add_sampling_flags(cas_cmd, cas.generator);

  return {cmd, [request, cas_cmd] {
            request->cas_given = cas_cmd->parsed();
            return run_eval(*request);
          }};
}

}  // namespace synthgen::app
