// The ddpm family: noise schedules, the forward process, v conversions, the samplers, guidance,
// the U-Net, training and checkpoints, and sampling through `synthgen sample`.
#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/eval/distribution_eval.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/models/ddpm_unet.h"
#include "synthgen/models/diffusion_sampler.h"
#include "synthgen/models/diffusion_schedule.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/tasks/train_task.h"
#include "synthgen/train/ddpm_trainer.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

// A tiny conditional U-Net on 8x8 grey images with T = 20: fast enough for many sampler runs.
Config tiny_ddpm_config(std::int64_t num_classes = 0) {
  Config config;
  config.model.family = "ddpm";
  config.model.base_channels = 8;
  config.model.channel_mults = {1, 2};
  config.ddpm.res_blocks = 1;
  config.ddpm.attention_max_size = 4;
  config.ddpm.dropout = 0.0;
  config.ddpm.timesteps = 20;
  config.model.num_classes = num_classes;
  config.data.image_size = 8;
  config.data.channels = 1;
  config.train.batch_size = 8;
  config.train.lr = 1e-3;
  config.train.betas = {0.9, 0.999};
  config.train.ema_decay = 0.9;
  config.run.device = "cpu";
  return config;
}

// The zero-initialised output layers make a fresh U-Net predict 0; small random ones make the
// samplers' outputs depend on the weights and the labels. (Sample with a v-predicting model: one
// that predicts eps near 0 takes x_T for data and clamps nearly every pixel to +-1.)
void randomise(torch::nn::Module& module, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& param : module.parameters()) {
    if (param.abs().max().item<double>() == 0.0) param.normal_(0.0, 0.05);
  }
}

std::vector<std::uint64_t> seeds_from(std::uint64_t first, int count) {
  std::vector<std::uint64_t> seeds;
  for (int i = 0; i < count; ++i) seeds.push_back(first + static_cast<std::uint64_t>(i));
  return seeds;
}

}  // namespace

TEST_CASE("alpha_bar is decreasing and inside (0, 1) for both schedules", "[diffusion]") {
  for (const std::string schedule : {"linear", "cosine"}) {
    for (const std::int64_t steps : {10, 1000}) {
      INFO(schedule << " T=" << steps);
      models::DiffusionSchedule s(schedule, steps);
      const torch::Tensor a = s->alpha_bars;
      REQUIRE(a.size(0) == steps);
      CHECK(a.gt(0.0).all().item<bool>());
      CHECK(a.lt(1.0).all().item<bool>());
      CHECK((a.slice(0, 1) < a.slice(0, 0, steps - 1)).all().item<bool>());
      CHECK(s->betas.gt(0.0).all().item<bool>());
    }
  }
  // Ho et al.'s values at T = 1000 and the cosine schedule's alpha_bar at t = T/2.
  models::DiffusionSchedule linear("linear", 1000);
  CHECK(linear->betas[0].item<double>() == Approx(1e-4));
  CHECK(linear->betas[999].item<double>() == Approx(0.02));
  models::DiffusionSchedule cosine("cosine", 1000);
  const double f0 = std::pow(std::cos(0.008 / 1.008 * M_PI / 2), 2);
  const double f500 = std::pow(std::cos((0.5 + 0.008) / 1.008 * M_PI / 2), 2);
  CHECK(cosine->alpha_bars[499].item<double>() == Approx(f500 / f0).epsilon(1e-9));
}

TEST_CASE("the schedule is a set of registered buffers that a checkpoint carries", "[diffusion]") {
  models::DiffusionModel model(tiny_ddpm_config());
  const auto buffers = model->named_buffers();
  REQUIRE(buffers.contains("schedule.betas"));
  REQUIRE(buffers.contains("schedule.alpha_bars"));
  CHECK(buffers["schedule.alpha_bars"].scalar_type() == torch::kDouble);
}

TEST_CASE("q(x_t | x_0) in closed form matches iterated one-step noising in distribution", "[diffusion]") {
  models::DiffusionSchedule schedule("linear", 100);
  torch::manual_seed(3);
  constexpr std::int64_t kDraws = 20000;
  // Every draw starts from the same 4 "pixels".
  const torch::Tensor x0 =
      torch::tensor({-0.8, 0.0, 0.5, 1.0}, torch::kDouble).view({1, 1, 1, 4}).expand({kDraws, 1, 1, 4});
  for (const std::int64_t t : {0, 9, 60, 99}) {
    INFO("t = " << t);
    torch::Tensor x = x0.clone();
    for (std::int64_t s = 0; s <= t; ++s) {
      x = schedule->noised_one_step(x, torch::full({kDraws}, s, torch::kLong), torch::randn_like(x));
    }
    const torch::Tensor index = torch::full({kDraws}, t, torch::kLong);
    const torch::Tensor closed = schedule->noised(x0, index, torch::randn_like(x0));
    const double a = schedule->alpha_bars[t].item<double>();
    const torch::Tensor expected_mean = std::sqrt(a) * x0[0].flatten();
    // Standard errors: sqrt(var / n) < 0.0071 for the mean, about var * sqrt(2 / n) for the variance.
    CHECK(torch::allclose(x.mean(0).flatten(), expected_mean, 0.0, 0.03));
    CHECK(torch::allclose(closed.mean(0).flatten(), expected_mean, 0.0, 0.03));
    CHECK(torch::allclose(x.var(0).flatten(), torch::full({4}, 1.0 - a, torch::kDouble), 0.0, 0.04));
    CHECK(torch::allclose(closed.var(0).flatten(), x.var(0).flatten(), 0.0, 0.05));
  }
}

TEST_CASE("the v target converts back to eps and x_0", "[diffusion]") {
  models::DiffusionSchedule schedule("cosine", 50);
  torch::manual_seed(5);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor x0 = torch::rand({6, 1, 4, 4}, f64) * 2 - 1;
  const torch::Tensor eps = torch::randn({6, 1, 4, 4}, f64);
  const torch::Tensor t = torch::tensor({0, 5, 20, 30, 48, 49}, torch::kLong);
  const torch::Tensor x_t = schedule->noised(x0, t, eps);
  const torch::Tensor v = schedule->v_target(x0, t, eps);
  CHECK(torch::allclose(schedule->eps_from_v(x_t, t, v), eps, 1e-12, 1e-12));
  CHECK(torch::allclose(schedule->x0_from_v(x_t, t, v), x0, 1e-12, 1e-12));
  CHECK(torch::allclose(schedule->x0_from_eps(x_t, t, eps), x0, 1e-9, 1e-9));
  CHECK(torch::allclose(schedule->eps_from_output(x_t, t, v, "v"), eps, 1e-12, 1e-12));
  CHECK(schedule->eps_from_output(x_t, t, eps, "eps").equal(eps));
}

TEST_CASE("DDIM visits T-1 first, strictly decreasing, every step when S = T", "[diffusion]") {
  CHECK(models::ddim_timesteps(10, 10) == std::vector<std::int64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  CHECK(models::ddim_timesteps(1000, 4) == std::vector<std::int64_t>{999, 749, 499, 249});
  const std::vector<std::int64_t> fifty = models::ddim_timesteps(1000, 50);
  REQUIRE(fifty.size() == 50);
  CHECK(std::is_sorted(fifty.rbegin(), fifty.rend()));
  CHECK(std::adjacent_find(fifty.begin(), fifty.end()) == fifty.end());
}

TEST_CASE("sampler options out of range are refused, naming the flag", "[diffusion]") {
  models::SamplerOptions options;
  options.steps = 30;
  CHECK_THROWS_WITH(models::check_sampler_options(options, 20), Contains("--steps") && Contains("1..20"));
  options.kind = "ddpm";
  options.steps = 10;
  CHECK_THROWS_WITH(models::check_sampler_options(options, 20), Contains("--sampler ddim"));
  options = {};
  options.steps = 10;
  options.eta = 1.5;
  CHECK_THROWS_WITH(models::check_sampler_options(options, 20), Contains("--eta"));
  options.eta = 0.0;
  options.kind = "euler";
  CHECK_THROWS_AS(models::check_sampler_options(options, 20), UsageError);
  options.kind = "dpm++2m";
  CHECK_NOTHROW(models::check_sampler_options(options, 20));
  options.eta = 0.5;
  CHECK_THROWS_WITH(models::check_sampler_options(options, 20), Contains("--eta") && Contains("ddim"));
}

namespace {

// Data N(0, s^2) per pixel: the exact data prediction E[x_0 | x_t] is linear in x_t, and the
// probability-flow ODE from alpha_bar a to the data scales x by s / sqrt(a s^2 + 1 - a).
struct GaussianData {
  double s = 0.3;
  torch::Tensor predict_x0(const torch::Tensor& x, double a) const {
    return std::sqrt(a) * s * s / (a * s * s + 1.0 - a) * x;
  }
  torch::Tensor ode_end(const torch::Tensor& x, double a) const { return s / std::sqrt(a * s * s + 1.0 - a) * x; }
};

// The largest error, relative to the largest exact value, of `steps` solver steps from T - 1 to the
// data, with or without the second-order multistep correction.
double ode_error(std::int64_t steps, bool second_order) {
  const models::DiffusionSchedule schedule("linear", 1000);
  const GaussianData data;
  const std::vector<std::int64_t> visits = models::ddim_timesteps(1000, steps);
  torch::manual_seed(0);
  const torch::Tensor start = torch::randn({4096}, torch::kFloat64);
  const torch::Tensor exact = data.ode_end(start, schedule->alpha_bar_value(visits.front()));
  torch::Tensor x = start;
  torch::Tensor x0_before;
  double a_before = 0.0;
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const double a = schedule->alpha_bar_value(visits[i]);
    const torch::Tensor x0 = data.predict_x0(x, a);
    const double a_next = schedule->alpha_bar_value(i + 1 < visits.size() ? visits[i + 1] : -1);
    x = models::dpm_solver_pp_step(x, x0, second_order ? x0_before : torch::Tensor(), a_before, a, a_next);
    x0_before = x0;
    a_before = a;
  }
  return ((x - exact).abs().max() / exact.abs().max()).item<double>();
}

}  // namespace

TEST_CASE("DPM-Solver++: first order is DDIM, second order solves the ODE of Gaussian data more exactly",
          "[diffusion]") {
  // The first-order step equals DDIM (eta 0): sqrt(a') x_0 + sqrt(1 - a') eps.
  const torch::Tensor x = torch::randn({64}, torch::kFloat64);
  const torch::Tensor x0 = torch::randn({64}, torch::kFloat64).clamp(-1.0, 1.0);
  const double a = 0.3;
  const double a_next = 0.6;
  const torch::Tensor eps = (x - std::sqrt(a) * x0) / std::sqrt(1.0 - a);
  const torch::Tensor ddim = std::sqrt(a_next) * x0 + std::sqrt(1.0 - a_next) * eps;
  CHECK(torch::allclose(models::dpm_solver_pp_step(x, x0, {}, 0.0, a, a_next), ddim, 1e-12, 1e-12));
  CHECK(models::dpm_solver_pp_step(x, x0, x0 * 0.5, 0.1, a, 1.0).equal(x0));

  // Against the exact ODE solution: both converge as the steps grow, the 2M error much faster.
  const double first_50 = ode_error(50, false);
  const double second_50 = ode_error(50, true);
  const double second_100 = ode_error(100, true);
  INFO("first order " << first_50 << ", 2M " << second_50 << " (50 steps), 2M " << second_100 << " (100)");
  CHECK(first_50 < 0.15);
  CHECK(second_50 < first_50 / 3.0);
  CHECK(second_100 < second_50 / 4.0);
}

TEST_CASE("U-Net keeps the image shape at odd low resolutions and passes gradients to every parameter", "[diffusion]") {
  Config config = tiny_ddpm_config(3);
  config.data.image_size = 28;
  config.model.channel_mults = {1, 2, 2};  // 28 -> 14 -> 7
  config.ddpm.attention_max_size = 7;
  models::DiffusionModel model(config);
  randomise(*model, 1);
  const torch::Tensor x = torch::randn({2, 1, 28, 28});
  const torch::Tensor out =
      model->unet->forward(x, torch::tensor({0, 19}, torch::kLong), torch::tensor({2, 3}, torch::kLong));
  REQUIRE(out.sizes() == x.sizes());
  out.square().mean().backward();
  for (const auto& param : model->named_parameters()) {
    INFO(param.key());
    REQUIRE(param.value().grad().defined());
    CHECK(param.value().grad().abs().sum().item<double>() > 0.0);
  }
}

TEST_CASE("DDIM with eta 0 is deterministic and each image depends on its seed only", "[diffusion]") {
  Config config = tiny_ddpm_config();
  config.ddpm.prediction = "v";  // samples in range, so that the samplers' outputs can differ
  models::DiffusionModel model(config);
  randomise(*model, 2);
  torch::NoGradGuard no_grad;
  models::SamplerOptions options;
  options.steps = 5;
  const torch::Device cpu(torch::kCPU);
  const torch::Tensor first = models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu);
  const torch::Tensor again = models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu);
  CHECK(first.equal(again));
  // Seed 11 alone gives the same image as in the batch of three (up to the float rounding of
  // convolutions over another batch size, which the steps amplify).
  const torch::Tensor alone = models::sample_diffusion(model, seeds_from(11, 1), {}, options, cpu);
  INFO("largest difference " << (alone[0] - first[1]).abs().max().item<double>());
  CHECK(torch::allclose(alone[0], first[1], 1e-3, 1e-3));
  CHECK(!torch::allclose(first[0], first[1]));
  // Eta > 0 adds noise per step: still reproducible from the seeds, but another image.
  options.eta = 1.0;
  const torch::Tensor noisy = models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu);
  CHECK(noisy.equal(models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu)));
  CHECK(!torch::allclose(noisy, first, 1e-3, 1e-3));
  // DPM-Solver++(2M) is deterministic and per-seed too, and makes other images than DDIM.
  options = {};
  options.kind = "dpm++2m";
  options.steps = 5;
  const torch::Tensor solver = models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu);
  CHECK(solver.equal(models::sample_diffusion(model, seeds_from(10, 3), {}, options, cpu)));
  CHECK(
      torch::allclose(models::sample_diffusion(model, seeds_from(11, 1), {}, options, cpu)[0], solver[1], 1e-3, 1e-3));
  CHECK(!torch::allclose(solver, first, 1e-2, 1e-2));
  // Ancestral DDPM over all T steps runs and stays in range.
  options = {};
  options.kind = "ddpm";
  options.steps = 20;
  const torch::Tensor ancestral = models::sample_diffusion(model, seeds_from(10, 2), {}, options, cpu);
  CHECK(ancestral.sizes() == torch::IntArrayRef({2, 1, 8, 8}));
  CHECK(ancestral.abs().max().item<double>() <= 1.0);
}

TEST_CASE("guidance w = 0 gives the unconditional prediction, w = 1 the conditional one", "[diffusion]") {
  const torch::Tensor conditional = torch::tensor({1.0, 2.0});
  const torch::Tensor unconditional = torch::tensor({-1.0, 0.5});
  CHECK(models::guided(conditional, unconditional, 0.0).equal(unconditional));
  CHECK(models::guided(conditional, unconditional, 1.0).equal(conditional));
  CHECK(torch::allclose(models::guided(conditional, unconditional, 3.0), torch::tensor({5.0, 5.0})));

  // Through the model: w = 0 with labels is the no-label prediction, w = 1 the labelled one, and
  // w = 3 extrapolates from the one to the other.
  models::DiffusionModel model(tiny_ddpm_config(4));
  randomise(*model, 4);
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({2, 1, 8, 8});
  const torch::Tensor labels = torch::tensor({0, 3}, torch::kLong);
  const torch::Tensor steps = torch::full({2}, 7, torch::kLong);
  const torch::Tensor none = model->unet->forward(x, steps, torch::full({2}, 4, torch::kLong));
  const torch::Tensor labelled = model->unet->forward(x, steps, labels);
  REQUIRE(!torch::allclose(none, labelled, 1e-4, 1e-4));  // the labels matter to this model
  CHECK(torch::allclose(models::guided_noise(model, x, 7, labels, 0.0), none, 1e-5, 1e-5));
  CHECK(torch::allclose(models::guided_noise(model, x, 7, labels, 1.0), labelled, 1e-5, 1e-5));
  CHECK(torch::allclose(models::guided_noise(model, x, 7, labels, 3.0), none + 3.0 * (labelled - none), 1e-5, 1e-5));
  CHECK(torch::allclose(models::guided_noise(model, x, 7, {}, 2.0), none, 1e-5, 1e-5));
  // A v-predicting model's output goes through the v conversion first.
  model->prediction = "v";
  const torch::Tensor eps_none = model->schedule->eps_from_v(x, steps, none);
  const torch::Tensor eps_labelled = model->schedule->eps_from_v(x, steps, labelled);
  CHECK(torch::allclose(models::guided_noise(model, x, 7, labels, 2.0), eps_none + 2.0 * (eps_labelled - eps_none),
                        1e-5, 1e-5));
}

TEST_CASE("label dropout replaces labels by the no-label index at the given rate", "[diffusion]") {
  torch::manual_seed(0);
  const torch::Tensor labels = torch::zeros({20000}, torch::kLong);
  const torch::Tensor dropped = train::drop_labels(labels, 10, 0.25);
  CHECK(dropped.eq(10).to(torch::kDouble).mean().item<double>() == Approx(0.25).margin(0.015));
  CHECK((dropped.eq(10) | dropped.eq(0)).all().item<bool>());
  CHECK(train::drop_labels(labels, 10, 0.0).equal(labels));
}

TEST_CASE("ddpm training lowers the loss on a fixed batch and a checkpoint reproduces it bit for bit", "[diffusion]") {
  for (const std::string prediction : {"eps", "v"}) {
    INFO(prediction);
    Config config = tiny_ddpm_config(2);
    config.ddpm.prediction = prediction;
    torch::manual_seed(0);
    train::DdpmTrainer trainer(config, torch::kCPU, testing::data_info_with_classes(2));
    train::Batch batch;
    // Smooth images: easy to denoise, so the loss falls quickly.
    const torch::Tensor ramp = torch::linspace(-1, 1, 8);
    batch.images = (ramp.view({1, 1, 1, 8}) * ramp.view({1, 1, 8, 1})).expand({8, 1, 8, 8}).contiguous();
    batch.labels = torch::tensor({0, 1, 0, 1, 0, 1, 0, 1}, torch::kLong);
    // The loss at fixed timesteps and noise, before and after training.
    torch::manual_seed(1);
    const torch::Tensor t = torch::randint(0, 20, {8}, torch::kLong);
    const torch::Tensor noise = torch::randn_like(batch.images);
    auto fixed_loss = [&] {
      torch::NoGradGuard no_grad;
      auto& model = trainer.model();
      const torch::Tensor out = model->unet->forward(model->schedule->noised(batch.images, t, noise), t, batch.labels);
      return (out - train::diffusion_target(model, batch.images, t, noise)).square().mean().item<double>();
    };
    const double before = fixed_loss();
    for (int i = 0; i < 60; ++i) trainer.step(batch);
    CHECK(fixed_loss() < 0.7 * before);
    CHECK(trainer.state_is_finite());

    train::DdpmTrainer restored(config, torch::kCPU, testing::data_info_with_classes(2));
    testing::copy_trainer_state(trainer, restored);
    const auto a = trainer.model()->named_parameters();
    const auto b = restored.model()->named_parameters();
    for (const auto& item : a) CHECK(item.value().equal(b[item.key()]));
    CHECK(trainer.preview(4, 9).equal(restored.preview(4, 9)));
  }
}

TEST_CASE("synthgen sample makes ddpm images through the ddim and ddpm samplers, batch-independent", "[diffusion]") {
  testing::TempDir dir;
  for (int i = 0; i < 8; ++i) testing::write_test_png(dir / "images" / fmt::format("{}.png", i), 8, 8, 1, i);
  Config config = tiny_ddpm_config();
  config.data.source = "folder";
  config.data.path = (dir / "images").string();
  config.train.steps = 4;
  config.train.log_every = 2;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 0;
  config.train.grid_size = 4;
  config.run.threads = 1;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, config);
  train.out_dir = (dir / "run").string();
  REQUIRE(run_train(train) == 0);

  SampleRequest request;
  request.checkpoint = (dir / "run").string();
  request.num = 3;
  request.threads = 1;
  request.generator.steps = 5;
  request.generator.eta = 0.5;
  request.out_dir = (dir / "batch3").string();
  REQUIRE(run_sample(request) == 0);
  request.batch = 1;
  request.out_dir = (dir / "batch1").string();
  REQUIRE(run_sample(request) == 0);
  for (const std::string name : {"000000.png", "000001.png", "000002.png"}) {
    const io::Image a = io::read_image((dir / "batch3" / name).string(), 1);
    const io::Image b = io::read_image((dir / "batch1" / name).string(), 1);
    CHECK(a.pixels == b.pixels);
  }
  CHECK(fs::exists(dir / "batch1" / "manifest.csv"));

  SampleRequest ancestral;
  ancestral.checkpoint = request.checkpoint;
  ancestral.num = 2;
  ancestral.threads = 1;
  ancestral.generator.sampler = "ddpm";
  ancestral.grid_path = (dir / "grid.png").string();
  REQUIRE(run_sample(ancestral) == 0);
  CHECK(fs::exists(dir / "grid.png"));

  // Options that do not apply are refused before any work.
  SampleRequest bad = ancestral;
  bad.generator.eta = 0.3;
  CHECK_THROWS_WITH(run_sample(bad), Contains("--eta"));
  bad.generator.sampler = "dpm++2m";
  CHECK_THROWS_WITH(run_sample(bad), Contains("--eta") && Contains("dpm++2m"));
  bad = ancestral;
  bad.generator.sampler = "";
  bad.generator.guidance = 2.0;
  CHECK_THROWS_WITH(run_sample(bad), Contains("--guidance") && Contains("class-conditional"));
  bad = ancestral;
  bad.generator.truncation = 0.5;
  CHECK_THROWS_WITH(run_sample(bad), Contains("--truncation"));
  bad = ancestral;
  bad.generator.sampler = "";
  bad.interpolate = true;
  CHECK_THROWS_WITH(run_sample(bad), Contains("--interpolate") && Contains("vae"));

  // eval samples a generator with sample's flags, and gets the very images sample wrote.
  eval::SourceOptions source_options;
  source_options.format = {1, 0};
  source_options.limit = 3;
  source_options.generator = request.generator;
  const std::unique_ptr<eval::ImageSource> source = eval::open_image_source(request.checkpoint, source_options);
  CHECK_THAT(source->describe(), Contains("ddim, 5 steps, eta 0.5"));
  const eval::ImageBatch batch = source->next(3);
  REQUIRE(batch.images.size(0) == 3);
  for (int i = 0; i < 3; ++i) {
    const io::Image written = io::read_image((dir / "batch3" / fmt::format("00000{}.png", i)).string(), 1);
    CHECK(batch.images[i].equal(io::image_to_tensor(written)));
  }
  DistributionEvalRequest folders_only;
  folders_only.real = folders_only.fake = (dir / "images").string();
  folders_only.features = "classifier:unused.ckpt";
  folders_only.metrics = {"fid"};
  folders_only.generator.guidance = 2.0;
  CHECK_THROWS_WITH(run_distribution_eval(folders_only), Contains("--guidance") && Contains("neither"));

  // Sampling a ddpm for eval on the CPU says how many images and that it is slow before it starts.
  const auto evaluated = testing::run_command(testing::synthgen_binary() + " eval --real '" +
                                              (dir / "images").string() + "' --fake '" + request.checkpoint +
                                              "' --features inception:" SYNTHGEN_FIXTURE_DIR
                                              "/inception_standin.pt --metrics kid --num 3 --steps 2 "
                                              "--device cpu --threads 1");
  INFO(evaluated.output);
  CHECK(evaluated.exit_code == 0);
  CHECK_THAT(evaluated.output, Contains("sampling 3 images from") && Contains("2 network passes each on the CPU"));
  CHECK(evaluated.output.find("on the CPU") < evaluated.output.find("fake: "));
}
