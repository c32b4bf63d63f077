// The vae family: the ELBO terms against closed forms, the bound on a toy Gaussian data set, the
// network, training, checkpoints, the test-set ELBO in metrics.jsonl, and sample's vae modes.
#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/losses/vae_losses.h"
#include "synthgen/models/vae.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/tasks/train_task.h"
#include "synthgen/train/vae_trainer.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

Config tiny_vae_config(const std::string& likelihood = "bernoulli", std::int64_t num_classes = 0) {
  Config config;
  config.model.family = "vae";
  config.model.base_channels = 8;
  config.model.channel_mults = {1, 2};
  config.model.latent_dim = 4;
  config.vae.likelihood = likelihood;
  config.model.num_classes = num_classes;
  config.data.image_size = 8;
  config.data.channels = 1;
  config.train.batch_size = 32;
  config.train.lr = 2e-3;
  config.train.betas = {0.9, 0.999};
  config.run.device = "cpu";
  return config;
}

}  // namespace

TEST_CASE("the KL term equals KL(N(mu, sigma^2) || N(0, 1)) in closed form and by Monte Carlo", "[vae]") {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor mu = torch::tensor({{0.0, 1.5, -0.7}}, f64);
  const torch::Tensor logvar = torch::tensor({{0.0, -1.0, 0.8}}, f64);
  double expected = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double m = mu[0][i].item<double>();
    const double s = std::exp(0.5 * logvar[0][i].item<double>());
    expected += std::log(1.0 / s) + (s * s + m * m) / 2.0 - 0.5;
  }
  CHECK(losses::kl_to_standard_normal(mu, logvar).item<double>() == Approx(expected).epsilon(1e-12));
  // E_q[log q(z) - log p(z)] over 400k draws of z ~ q.
  torch::manual_seed(0);
  const torch::Tensor sigma = torch::exp(0.5 * logvar);
  const torch::Tensor eps = torch::randn({400000, 3}, f64);
  const torch::Tensor z = mu + sigma * eps;
  const torch::Tensor log_q = (-0.5 * eps.square() - torch::log(sigma)).sum(1);
  const torch::Tensor log_p = (-0.5 * z.square()).sum(1);
  CHECK((log_q - log_p).mean().item<double>() == Approx(expected).margin(0.01));
  CHECK(losses::kl_to_standard_normal(torch::zeros({2, 5}), torch::zeros({2, 5})).abs().max().item<float>() == 0.0f);
}

TEST_CASE("the likelihood terms are normalised negative log-densities", "[vae]") {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  // Gaussian: -log N(y; m, s^2) by hand.
  const torch::Tensor mean = torch::tensor({{0.2, 0.9}}, f64);
  const torch::Tensor target = torch::tensor({{0.5, 0.4}}, f64);
  const torch::Tensor log_sigma = torch::tensor({std::log(0.3)}, f64);
  double expected = 0.0;
  for (int i = 0; i < 2; ++i) {
    const double d = target[0][i].item<double>() - mean[0][i].item<double>();
    expected += 0.5 * d * d / 0.09 + std::log(0.3) + 0.5 * std::log(2 * M_PI);
  }
  CHECK(losses::gaussian_nll(mean, log_sigma, target).item<double>() == Approx(expected).epsilon(1e-12));
  // Bernoulli with a binary target: -log sigmoid(l) for 1, -log(1 - sigmoid(l)) for 0.
  const torch::Tensor logits = torch::tensor({{2.0, -1.0}}, f64);
  const double p0 = 1.0 / (1.0 + std::exp(-2.0));
  const double p1 = 1.0 / (1.0 + std::exp(1.0));
  CHECK(losses::bernoulli_nll(logits, torch::tensor({{1.0, 0.0}}, f64)).item<double>() ==
        Approx(-std::log(p0) - std::log(1.0 - p1)).epsilon(1e-12));
  // Bits per dimension: a Bernoulli code of D ln 2 nats is 1 bit per value; a Gaussian density adds
  // the 8-bit bins.
  CHECK(losses::bits_per_dim(784 * std::log(2.0), 784, "bernoulli") == Approx(1.0));
  CHECK(losses::bits_per_dim(0.0, 784, "gaussian") == Approx(std::log2(255.0)));
}

TEST_CASE("the ELBO never exceeds log p(x) on a linear Gaussian model, and meets it at the true posterior", "[vae]") {
  // p(z) = N(0, 1), p(x|z) = N(w z + b, s^2 I) in 3 dimensions: log p(x) = log N(x; b, w w^T + s^2 I).
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor w = torch::tensor({0.8, -0.5, 0.3}, f64);
  const torch::Tensor b = torch::tensor({0.1, 0.2, -0.3}, f64);
  const double s = 0.4;
  const torch::Tensor x = torch::tensor({0.9, -0.2, 0.1}, f64);
  const torch::Tensor covariance = torch::outer(w, w) + s * s * torch::eye(3, f64);
  const torch::Tensor d = (x - b).unsqueeze(1);
  const double log_px = -0.5 * (d.t().mm(torch::inverse(covariance)).mm(d).item<double>() +
                                torch::logdet(covariance).item<double>() + 3 * std::log(2 * M_PI));
  // The exact posterior N(m, v): v = 1 / (1 + w.w / s^2), m = v w.(x - b) / s^2.
  const double v = 1.0 / (1.0 + w.dot(w).item<double>() / (s * s));
  const double m = v * w.dot(x - b).item<double>() / (s * s);
  torch::manual_seed(1);
  constexpr std::int64_t kDraws = 200000;
  auto elbo = [&](double mu, double var) {
    const torch::Tensor mu_t = torch::full({kDraws, 1}, mu, f64);
    const torch::Tensor logvar_t = torch::full({kDraws, 1}, std::log(var), f64);
    const torch::Tensor z = mu_t + std::sqrt(var) * torch::randn({kDraws, 1}, f64);
    const torch::Tensor mean = z * w.unsqueeze(0) + b.unsqueeze(0);
    const torch::Tensor nll = losses::gaussian_nll(mean, torch::full({1}, std::log(s), f64), x.expand({kDraws, 3}));
    return (-(nll + losses::kl_to_standard_normal(mu_t, logvar_t))).mean().item<double>();
  };
  CHECK(elbo(m, v) == Approx(log_px).margin(0.01));
  // A worse q: the gap is KL(q || posterior) in closed form.
  const double mu = m + 0.5;
  const double var = 2.0 * v;
  const double gap = 0.5 * (var / v + (mu - m) * (mu - m) / v - 1.0 + std::log(v / var));
  CHECK(elbo(mu, var) < log_px);
  CHECK(elbo(mu, var) == Approx(log_px - gap).margin(0.02));
}

TEST_CASE("a trained Gaussian vae's mean ELBO stays below the data's mean log-density", "[vae]") {
  // Images whose 64 pixels (scaled to [0, 1]) are independent N(0.5, 0.1^2): E[log p(y)] =
  // -64 (log(0.1) + 0.5 log(2 pi e)). Every model's mean ELBO on these data lies below it.
  Config config = tiny_vae_config("gaussian");
  torch::manual_seed(2);
  train::VaeTrainer trainer(config, torch::kCPU);
  auto draw = [](std::int64_t count) { return (0.5 + 0.1 * torch::randn({count, 1, 8, 8})) * 2.0 - 1.0; };
  const double data_log_density = -64.0 * (std::log(0.1) + 0.5 * std::log(2 * M_PI * M_E));
  double first_loss = 0.0;
  double last_loss = 0.0;
  for (int i = 0; i < 150; ++i) {
    const train::StepMetrics metrics = trainer.step({draw(32), {}});
    (i == 0 ? first_loss : last_loss) = metrics[0].second.item<double>();
  }
  CHECK(last_loss < first_loss);
  data::ImageDataset held_out;
  // Quantised as the loaders quantise; the density of the quantised values differs by at most a
  // fraction of a nat over 64 pixels at this spread.
  held_out.images = ((draw(4000) + 1.0) * 127.5).round().clamp(0, 255).to(torch::kByte);
  const train::MetricValues values = trainer.evaluate(held_out);
  REQUIRE(values[0].first == "test_elbo_nats");
  const double elbo = values[0].second;
  INFO("ELBO " << elbo << " data " << data_log_density);
  CHECK(elbo < data_log_density + 1.0);
  CHECK(elbo > data_log_density - 100.0);  // a working model, not a broken bound far below
}

TEST_CASE("vae shapes, gradients, and a checkpoint that reproduces it bit for bit", "[vae]") {
  for (const std::string likelihood : {"bernoulli", "gaussian"}) {
    INFO(likelihood);
    Config config = tiny_vae_config(likelihood, 3);
    config.data.image_size = 28;
    config.model.channel_mults = {1, 2, 2};
    torch::manual_seed(0);
    train::VaeTrainer trainer(config, torch::kCPU, testing::data_info_with_classes(3));
    train::Batch batch{torch::rand({6, 1, 28, 28}) * 2 - 1, torch::tensor({0, 1, 2, 0, 1, 2}, torch::kLong)};
    const models::Posterior q = trainer.vae()->encode(batch.images, batch.labels);
    CHECK(q.mu.sizes() == torch::IntArrayRef({6, 4}));
    CHECK(trainer.vae()->decode(q.mu, batch.labels).sizes() == batch.images.sizes());
    const double before = trainer.step(batch)[0].second.item<double>();
    for (int i = 0; i < 30; ++i) trainer.step(batch);
    CHECK(trainer.step(batch)[0].second.item<double>() < before);
    for (const auto& param : trainer.vae()->named_parameters()) {
      INFO(param.key());
      CHECK(param.value().grad().defined());
    }
    train::VaeTrainer restored(config, torch::kCPU, testing::data_info_with_classes(3));
    testing::copy_trainer_state(trainer, restored);
    CHECK(trainer.preview(6, 3).equal(restored.preview(6, 3)));
  }
}

TEST_CASE("a vae run logs the test-set ELBO, and sample draws, reconstructs and interpolates", "[vae][slow]") {
  testing::TempDir dir;
  Config config = tiny_vae_config();
  config.data.source = "fashion-mnist";
  config.data.image_size = 28;
  config.data.max_images = 64;
  config.train.steps = 4;
  config.train.log_every = 2;
  config.vae.eval_every = 2;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 0;
  config.train.grid_size = 4;
  config.run.threads = 1;
  TrainRequest train;
  train.config_path = testing::write_config_file(dir, config);
  train.out_dir = (dir / "run").string();
  REQUIRE(run_train(train) == 0);
  int evaluations = 0;
  for (const std::string& line : testing::read_lines(dir / "run" / "metrics.jsonl")) {
    if (line.find("test_elbo_nats") != std::string::npos) {
      ++evaluations;
      CHECK_THAT(line, Contains("test_bits_per_dim"));
    }
  }
  CHECK(evaluations == 2);  // steps 2 and 4

  SampleRequest request;
  request.checkpoint = (dir / "run").string();
  request.num = 5;
  request.threads = 1;
  request.out_dir = (dir / "prior").string();
  REQUIRE(run_sample(request) == 0);
  CHECK(fs::exists(dir / "prior" / "000004.png"));

  for (int i = 0; i < 3; ++i) testing::write_test_png(dir / "inputs" / fmt::format("{}.png", i), 40, 30, 3, i);
  SampleRequest reconstruct = request;
  reconstruct.out_dir = (dir / "reconstructed").string();
  reconstruct.reconstruct_dir = (dir / "inputs").string();
  REQUIRE(run_sample(reconstruct) == 0);
  CHECK(testing::read_lines(dir / "reconstructed" / "manifest.csv").size() == 4);
  CHECK(io::read_image((dir / "reconstructed" / "000002.png").string(), 1).width == 28);

  // --num is optional with --reconstruct (all images), and caps the reconstructions when given.
  SampleRequest all_of_them = reconstruct;
  all_of_them.num = 0;
  all_of_them.out_dir = (dir / "all").string();
  REQUIRE(run_sample(all_of_them) == 0);
  CHECK(testing::read_lines(dir / "all" / "manifest.csv").size() == 4);
  SampleRequest first_two = reconstruct;
  first_two.num = 2;
  first_two.batch = 1;
  first_two.out_dir = (dir / "two").string();
  REQUIRE(run_sample(first_two) == 0);
  const std::vector<std::string> two = testing::read_lines(dir / "two" / "manifest.csv");
  REQUIRE(two.size() == 3);
  CHECK_THAT(two[2], Catch::EndsWith("inputs/1.png"));
  CHECK(testing::visible_entries(dir / "two") == std::vector<std::string>{"000000.png", "000001.png", "manifest.csv"});
  SampleRequest prior_without_num = request;
  prior_without_num.num = 0;
  prior_without_num.out_dir = (dir / "prior0").string();
  CHECK_THROWS_WITH(run_sample(prior_without_num), Contains("sample needs --num N"));

  SampleRequest walk = request;
  walk.out_dir.clear();
  walk.grid_path = (dir / "walk.png").string();
  walk.interpolate = true;
  REQUIRE(run_sample(walk) == 0);
  CHECK(fs::exists(dir / "walk.png"));

  SampleRequest bad = request;
  bad.generator.steps = 10;
  CHECK_THROWS_WITH(run_sample(bad), Contains("--steps") && Contains("ddpm"));
  bad = reconstruct;
  bad.reconstruct_dir = (dir / "nothing").string();
  CHECK_THROWS_AS(run_sample(bad), UsageError);
}
