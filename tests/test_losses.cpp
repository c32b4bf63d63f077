#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "synthgen/core/error.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/losses/mode_seeking.h"
#include "synthgen/losses/penalties.h"

using namespace synthgen;
using losses::GanLoss;

namespace {

double bce_with_logits(const torch::Tensor& logits, double target) {
  return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target)).item<double>();
}

// critic(x) = <x, w> per sample: its input gradient is w everywhere.
losses::Critic linear_critic(const torch::Tensor& w) {
  return [w](const torch::Tensor& x) { return (x * w).sum({1, 2, 3}); };
}

// A weight of shape [C, H, W] with the given Euclidean norm.
torch::Tensor weight_with_norm(double norm) {
  torch::manual_seed(1);
  const torch::Tensor w = torch::randn({2, 3, 3});
  return w * (norm / w.norm().item<double>());
}

// A small smooth critic: conv, tanh, linear, in double precision for finite differences. The
// linear layer has no bias because the penalty, a function of input gradients, cannot see it.
struct TinyCriticImpl : torch::nn::Module {
  TinyCriticImpl()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3).padding(1)))),
        head(register_module("head", torch::nn::Linear(torch::nn::LinearOptions(3 * 3 * 3, 1).bias(false)))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    return head->forward(torch::tanh(conv->forward(x)).flatten(1)).squeeze(1);
  }
  torch::nn::Conv2d conv;
  torch::nn::Linear head;
};
TORCH_MODULE(TinyCritic);

// ||d critic / d x|| per sample by central differences, one input element at a time.
torch::Tensor finite_difference_gradient_norms(const losses::Critic& critic, const torch::Tensor& x) {
  const double h = 1e-5;
  torch::NoGradGuard no_grad;
  torch::Tensor grad = torch::zeros_like(x);
  torch::Tensor flat_x = x.clone().flatten(1);
  torch::Tensor flat_grad = grad.view({x.size(0), -1});
  for (std::int64_t i = 0; i < flat_x.size(1); ++i) {
    const torch::Tensor saved = flat_x.select(1, i).clone();
    flat_x.select(1, i).add_(h);
    const torch::Tensor up = critic(flat_x.view(x.sizes()));
    flat_x.select(1, i).copy_(saved - h);
    const torch::Tensor down = critic(flat_x.view(x.sizes()));
    flat_x.select(1, i).copy_(saved);
    // Samples are independent, so one pass perturbs element i of every sample at once.
    flat_grad.select(1, i).copy_((up - down) / (2 * h));
  }
  return grad.flatten(1).norm(2, 1);
}

}  // namespace

TEST_CASE("D's loss is binary cross-entropy with 1 on real and 0 on fake", "[losses]") {
  torch::manual_seed(0);
  const torch::Tensor real = torch::randn({32}) * 3;
  const torch::Tensor fake = torch::randn({32}) * 3;
  const double expected = bce_with_logits(real, 1.0) + bce_with_logits(fake, 0.0);
  for (GanLoss loss : {GanLoss::kNonSaturating, GanLoss::kMinimax}) {
    CHECK(losses::discriminator_loss(loss, real, fake).item<double>() == Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("the non-saturating G loss is -log D(G(z))", "[losses]") {
  const torch::Tensor fake = torch::tensor({-3.0f, -0.5f, 0.0f, 2.0f});
  const double expected = -torch::log(torch::sigmoid(fake)).mean().item<double>();
  CHECK(losses::generator_loss(GanLoss::kNonSaturating, fake).item<double>() == Approx(expected));
  CHECK(losses::generator_loss(GanLoss::kNonSaturating, fake).item<double>() == Approx(bce_with_logits(fake, 1.0)));
}

TEST_CASE("the minimax G loss is log(1 - D(G(z)))", "[losses]") {
  const torch::Tensor fake = torch::tensor({-3.0f, -0.5f, 0.0f, 2.0f});
  const double expected = torch::log(1 - torch::sigmoid(fake)).mean().item<double>();
  CHECK(losses::generator_loss(GanLoss::kMinimax, fake).item<double>() == Approx(expected));
  // Minimising it pushes D(G(z)) up, like the non-saturating loss, but its gradient vanishes
  // where D rejects the fakes confidently (very negative logits).
  const torch::Tensor confident = torch::tensor({-8.0f}, torch::requires_grad());
  losses::generator_loss(GanLoss::kMinimax, confident).backward();
  const double minimax_grad = confident.grad().item<double>();
  const torch::Tensor again = torch::tensor({-8.0f}, torch::requires_grad());
  losses::generator_loss(GanLoss::kNonSaturating, again).backward();
  CHECK(minimax_grad < 0.0);
  CHECK(std::abs(minimax_grad) < 1e-3 * std::abs(again.grad().item<double>()));
}

TEST_CASE("the WGAN-GP losses are the critic's mean score difference", "[losses]") {
  const torch::Tensor real = torch::tensor({-2.0f, 0.5f, 3.0f});
  const torch::Tensor fake = torch::tensor({-1.0f, 1.5f, 4.0f, 0.25f});
  CHECK(losses::discriminator_loss_real(GanLoss::kWganGp, real).item<double>() == Approx(-(-2.0 + 0.5 + 3.0) / 3));
  CHECK(losses::discriminator_loss_fake(GanLoss::kWganGp, fake).item<double>() ==
        Approx((-1.0 + 1.5 + 4.0 + 0.25) / 4));
  CHECK(losses::generator_loss(GanLoss::kWganGp, fake).item<double>() == Approx(-(-1.0 + 1.5 + 4.0 + 0.25) / 4));
  CHECK(losses::needs_gradient_penalty(GanLoss::kWganGp));
}

TEST_CASE("the hinge losses are relu(1 - real) and relu(1 + fake) for D and -fake for G", "[losses]") {
  const torch::Tensor real = torch::tensor({-2.0f, 0.5f, 3.0f});
  const torch::Tensor fake = torch::tensor({-3.0f, -0.5f, 2.0f});
  // relu(1 - real) = 3, 0.5, 0; relu(1 + fake) = 0, 0.5, 3.
  CHECK(losses::discriminator_loss_real(GanLoss::kHinge, real).item<double>() == Approx(3.5 / 3));
  CHECK(losses::discriminator_loss_fake(GanLoss::kHinge, fake).item<double>() == Approx(3.5 / 3));
  CHECK(losses::discriminator_loss(GanLoss::kHinge, real, fake).item<double>() == Approx(7.0 / 3));
  CHECK(losses::generator_loss(GanLoss::kHinge, fake).item<double>() == Approx(1.5 / 3));
  CHECK_FALSE(losses::needs_gradient_penalty(GanLoss::kHinge));
}

TEST_CASE("the least-squares losses use targets 1 for real and 0 for fake in D, 1 in G", "[losses]") {
  const torch::Tensor real = torch::tensor({-1.0f, 0.5f, 3.0f});
  const torch::Tensor fake = torch::tensor({-2.0f, 0.5f, 1.0f});
  // (real - 1)^2 = 4, 0.25, 4; fake^2 = 4, 0.25, 1; (fake - 1)^2 = 9, 0.25, 0.
  CHECK(losses::discriminator_loss_real(GanLoss::kLsgan, real).item<double>() == Approx(0.5 * 8.25 / 3));
  CHECK(losses::discriminator_loss_fake(GanLoss::kLsgan, fake).item<double>() == Approx(0.5 * 5.25 / 3));
  CHECK(losses::generator_loss(GanLoss::kLsgan, fake).item<double>() == Approx(0.5 * 9.25 / 3));
  CHECK_FALSE(losses::needs_gradient_penalty(GanLoss::kLsgan));
}

TEST_CASE("every D loss pushes real logits up and fake ones down, and G's pushes fake ones up", "[losses]") {
  // Inside (-1, 1) no hinge is flat, and the fake logits are above LSGAN's fake target 0.
  const std::vector<float> real_values = {-0.5f, 0.2f, 0.8f};
  const std::vector<float> fake_values = {0.1f, 0.5f, 0.9f};
  for (GanLoss loss :
       {GanLoss::kNonSaturating, GanLoss::kMinimax, GanLoss::kWganGp, GanLoss::kHinge, GanLoss::kLsgan}) {
    CAPTURE(static_cast<int>(loss));
    const torch::Tensor real = torch::tensor(real_values, torch::requires_grad());
    const torch::Tensor fake = torch::tensor(fake_values, torch::requires_grad());
    losses::discriminator_loss(loss, real, fake).backward();
    // Gradient descent moves each logit against its gradient.
    CHECK((real.grad() < 0).all().item<bool>());
    CHECK((fake.grad() > 0).all().item<bool>());
    const torch::Tensor g_fake = torch::tensor(fake_values, torch::requires_grad());
    losses::generator_loss(loss, g_fake).backward();
    CHECK((g_fake.grad() < 0).all().item<bool>());
  }
}

TEST_CASE("GAN losses stay finite for extreme logits", "[losses]") {
  const torch::Tensor logits = torch::tensor({-1e4f, 1e4f});
  for (GanLoss loss :
       {GanLoss::kNonSaturating, GanLoss::kMinimax, GanLoss::kWganGp, GanLoss::kHinge, GanLoss::kLsgan}) {
    CHECK(std::isfinite(losses::discriminator_loss(loss, logits, logits).item<double>()));
    CHECK(std::isfinite(losses::generator_loss(loss, logits).item<double>()));
  }
}

TEST_CASE("GAN loss names parse and unknown ones are refused", "[losses]") {
  CHECK(losses::parse_gan_loss("nonsaturating") == GanLoss::kNonSaturating);
  CHECK(losses::parse_gan_loss("minimax") == GanLoss::kMinimax);
  CHECK(losses::parse_gan_loss("wgan-gp") == GanLoss::kWganGp);
  CHECK(losses::parse_gan_loss("hinge") == GanLoss::kHinge);
  CHECK(losses::parse_gan_loss("lsgan") == GanLoss::kLsgan);
  CHECK_THROWS_AS(losses::parse_gan_loss("hinge2"), ConfigError);
  CHECK_THROWS_WITH(losses::parse_gan_loss("wgan"),
                    "train.loss: expected nonsaturating, minimax, wgan-gp, hinge or lsgan, got 'wgan'");
}

TEST_CASE("the gradient penalty is zero for a critic whose input gradient has norm 1", "[losses]") {
  const losses::Critic critic = linear_critic(weight_with_norm(1.0));
  torch::manual_seed(2);
  const torch::Tensor real = torch::randn({4, 2, 3, 3});
  const torch::Tensor fake = torch::randn({4, 2, 3, 3});
  CHECK(losses::gradient_penalty(critic, real, fake).item<double>() == Approx(0.0).margin(1e-10));
}

TEST_CASE("the gradient penalty of a linear critic with weight norm 3 is (3 - 1)^2 = 4", "[losses]") {
  const losses::Critic critic = linear_critic(weight_with_norm(3.0));
  torch::manual_seed(3);
  const torch::Tensor real = torch::randn({5, 2, 3, 3});
  const torch::Tensor fake = torch::randn({5, 2, 3, 3});
  CHECK(losses::gradient_penalty(critic, real, fake).item<double>() == Approx(4.0).epsilon(1e-6));
  const torch::Tensor epsilon = torch::tensor({0.0f, 0.25f, 0.5f, 0.75f, 1.0f});
  CHECK(losses::gradient_penalty(critic, real, fake, epsilon).item<double>() == Approx(4.0).epsilon(1e-6));
}

TEST_CASE("the gradient penalty matches finite differences and trains the critic by double backward", "[losses]") {
  torch::manual_seed(4);
  TinyCritic network;
  network->to(torch::kDouble);
  const losses::Critic critic = [network](const torch::Tensor& x) mutable { return network->forward(x); };
  const torch::Tensor real = torch::randn({3, 2, 3, 3}, torch::kDouble);
  const torch::Tensor fake = torch::randn({3, 2, 3, 3}, torch::kDouble);
  const torch::Tensor epsilon = torch::tensor({0.2, 0.5, 0.9}, torch::kDouble).view({3, 1, 1, 1});

  const torch::Tensor penalty = losses::gradient_penalty(critic, real, fake, epsilon);
  const torch::Tensor mixed = epsilon * real + (1 - epsilon) * fake;
  const torch::Tensor fd_norms = finite_difference_gradient_norms(critic, mixed);
  const double fd_penalty = (fd_norms - 1).square().mean().item<double>();
  CHECK(penalty.item<double>() == Approx(fd_penalty).margin(1e-6));

  penalty.backward();
  for (const auto& item : network->named_parameters()) {
    CAPTURE(item.key());
    REQUIRE(item.value().grad().defined());
    CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
  }
  // The double-backward gradient of one conv weight against finite differences of the penalty.
  const torch::Tensor weight = network->conv->weight;
  const double autograd_slope = weight.grad().flatten()[5].item<double>();
  const double h = 1e-6;
  double sides[2];
  for (int side = 0; side < 2; ++side) {
    {
      torch::NoGradGuard no_grad;
      weight.flatten()[5].add_(side == 0 ? h : -2 * h);
    }
    sides[side] = losses::gradient_penalty(critic, real, fake, epsilon).item<double>();
  }
  CHECK(autograd_slope == Approx((sides[0] - sides[1]) / (2 * h)).margin(1e-6));
}

TEST_CASE("the R1 penalty of a linear critic is the squared weight norm", "[losses]") {
  const losses::Critic critic = linear_critic(weight_with_norm(3.0));
  torch::manual_seed(5);
  const torch::Tensor real = torch::randn({4, 2, 3, 3});
  CHECK(losses::r1_penalty(critic, real).item<double>() == Approx(9.0).epsilon(1e-6));
}

TEST_CASE("the drift penalty is the mean square of the real logits", "[losses]") {
  const torch::Tensor logits = torch::tensor({-2.0f, 1.0f, 3.0f});
  CHECK(losses::drift_penalty(logits).item<double>() == Approx((4.0 + 1.0 + 9.0) / 3));
}

TEST_CASE("mode-seeking partners are the next sample of the same class, wrapping within it", "[losses]") {
  const torch::Tensor labels = torch::tensor({0, 1, 0, 2, 1, 0}, torch::kLong);
  const torch::Tensor partners = losses::same_class_partners(labels, 6);
  CHECK(torch::equal(partners, torch::tensor({2, 4, 5, 3, 1, 0}, torch::kLong)));  // 3 is alone
  // Without labels the batch is one class.
  CHECK(torch::equal(losses::same_class_partners(torch::Tensor(), 3), torch::tensor({1, 2, 0}, torch::kLong)));
}

TEST_CASE("the mode-seeking penalty is the inverse ratio of image to latent distances", "[losses]") {
  // Pairs (0, 1) and (1, 0) of class 0; sample 2 is alone and left out. |image difference| is 0.5
  // everywhere, |latent difference| 2 everywhere: the ratio is 0.25, the penalty 1 / 0.25.
  const torch::Tensor images =
      torch::stack({torch::zeros({1, 2, 2}), torch::full({1, 2, 2}, 0.5), torch::full({1, 2, 2}, 9.0)});
  const torch::Tensor latents = torch::tensor({{0.0f, 1.0f}, {2.0f, -1.0f}, {7.0f, 7.0f}});
  const torch::Tensor labels = torch::tensor({0, 0, 1}, torch::kLong);
  CHECK(losses::mode_seeking_penalty(images, latents, labels).item<double>() == Approx(1.0 / (0.25 + 1e-5)));
  // No sample shares a class: no pair, no penalty.
  CHECK(losses::mode_seeking_penalty(images, latents, torch::tensor({0, 1, 2}, torch::kLong)).item<double>() == 0.0);
}

TEST_CASE("descending the mode-seeking penalty moves images of one class apart", "[losses]") {
  torch::manual_seed(3);
  const torch::Tensor latents = torch::randn({8, 4});
  const torch::Tensor labels = torch::tensor({0, 1, 0, 1, 0, 1, 0, 1}, torch::kLong);
  torch::Tensor images = (0.01 * torch::randn({8, 1, 4, 4})).requires_grad_(true);
  auto spread = [&] { return (images - images.roll(2, 0)).abs().mean().item<double>(); };
  const double before = spread();
  const double penalty_before = losses::mode_seeking_penalty(images, latents, labels).item<double>();
  torch::optim::SGD optimizer({images}, torch::optim::SGDOptions(1e-4));
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    losses::mode_seeking_penalty(images, latents, labels).backward();
    optimizer.step();
  }
  CHECK(losses::mode_seeking_penalty(images, latents, labels).item<double>() < penalty_before);
  CHECK(spread() > before);
}
