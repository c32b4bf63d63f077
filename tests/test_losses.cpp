#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "synthgen/core/error.h"
#include "synthgen/losses/gan_losses.h"

using namespace synthgen;
using losses::GanLoss;

namespace {

double bce_with_logits(const torch::Tensor& logits, double target) {
  return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target)).item<double>();
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
  CHECK(losses::generator_loss(GanLoss::kNonSaturating, fake).item<double>() ==
        Approx(bce_with_logits(fake, 1.0)));
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

TEST_CASE("GAN losses stay finite for extreme logits", "[losses]") {
  const torch::Tensor logits = torch::tensor({-1e4f, 1e4f});
  for (GanLoss loss : {GanLoss::kNonSaturating, GanLoss::kMinimax}) {
    CHECK(std::isfinite(losses::discriminator_loss(loss, logits, logits).item<double>()));
    CHECK(std::isfinite(losses::generator_loss(loss, logits).item<double>()));
  }
}

TEST_CASE("GAN loss names parse and unknown ones are refused", "[losses]") {
  CHECK(losses::parse_gan_loss("nonsaturating") == GanLoss::kNonSaturating);
  CHECK(losses::parse_gan_loss("minimax") == GanLoss::kMinimax);
  CHECK_THROWS_AS(losses::parse_gan_loss("hinge2"), ConfigError);
}
