#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <sstream>

#include "synthgen/core/error.h"
#include "synthgen/train/ema.h"

using namespace synthgen;

namespace {

// Parameters in nested modules and BatchNorm buffers (float running stats, an integer counter).
struct SmallNetImpl : torch::nn::Module {
  SmallNetImpl()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3)))),
        norm(register_module("norm", torch::nn::BatchNorm2d(2))),
        head(register_module("head", torch::nn::Sequential(torch::nn::Linear(2, 3)))) {}
  torch::Tensor forward(const torch::Tensor& x) { return head->forward(norm->forward(conv->forward(x)).mean({2, 3})); }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d norm;
  torch::nn::Sequential head;
};
TORCH_MODULE(SmallNet);

// Moves every parameter and buffer of `net` away from its initial value.
void perturb_weights(SmallNet& net) {
  net->train();
  net->forward(torch::randn({4, 1, 5, 5}));  // updates the BatchNorm running stats and counter
  torch::NoGradGuard no_grad;
  for (auto& parameter : net->parameters()) parameter.add_(torch::randn_like(parameter));
}

// The EMA's tensors, read back through a module with the same names (buffers named "buffer ...").
std::map<std::string, torch::Tensor> tensors_of(const train::ParameterEma& ema) {
  SmallNet reader;
  ema.copy_to(*reader);
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : reader->named_parameters()) tensors[item.key()] = item.value().clone();
  for (const auto& item : reader->named_buffers()) tensors["buffer " + item.key()] = item.value().clone();
  return tensors;
}

}  // namespace

TEST_CASE("the EMA after one update is decay * old + (1 - decay) * new", "[ema]") {
  torch::manual_seed(0);
  SmallNet net;
  std::map<std::string, torch::Tensor> before;
  for (const auto& item : net->named_parameters()) before[item.key()] = item.value().detach().clone();
  train::ParameterEma ema(*net);
  perturb_weights(net);
  ema.update(*net, 0.9);

  const auto averages = tensors_of(ema);
  for (const auto& item : net->named_parameters()) {
    CAPTURE(item.key());
    const torch::Tensor expected = 0.9 * before.at(item.key()) + 0.1 * item.value().detach();
    CHECK(torch::allclose(averages.at(item.key()), expected, /*rtol=*/1e-6, /*atol=*/1e-7));
  }
  // Buffers are copied, not averaged.
  for (const auto& item : net->named_buffers()) {
    CAPTURE(item.key());
    CHECK(torch::equal(averages.at("buffer " + item.key()), item.value()));
  }
  CHECK(net->norm->num_batches_tracked.item<std::int64_t>() == 1);
}

TEST_CASE("an EMA update with decay 0 copies the weights", "[ema]") {
  torch::manual_seed(1);
  SmallNet net;
  train::ParameterEma ema(*net);
  perturb_weights(net);
  ema.update(*net, 0.0);
  const auto averages = tensors_of(ema);
  for (const auto& item : net->named_parameters()) {
    CAPTURE(item.key());
    CHECK(torch::equal(averages.at(item.key()), item.value()));
  }
}

TEST_CASE("an EMA saved and loaded is bit-identical", "[ema]") {
  torch::manual_seed(2);
  SmallNet net;
  train::ParameterEma ema(*net);
  perturb_weights(net);
  ema.update(*net, 0.7);

  std::stringstream stream;
  {
    torch::serialize::OutputArchive archive;
    ema.save(archive);
    archive.save_to(stream);
  }
  SmallNet other;  // different initial weights
  train::ParameterEma restored(*other);
  torch::serialize::InputArchive archive;
  archive.load_from(stream);
  restored.load(archive);

  const auto expected = tensors_of(ema);
  const auto actual = tensors_of(restored);
  REQUIRE(actual.size() == expected.size());
  for (const auto& [name, tensor] : expected) {
    CAPTURE(name);
    CHECK(torch::equal(actual.at(name), tensor));
  }
}

TEST_CASE("an EMA refuses a module or an archive whose tensors do not match", "[ema]") {
  SmallNet net;
  train::ParameterEma ema(*net);
  torch::nn::Linear other(2, 3);
  CHECK_THROWS_AS(ema.update(*other, 0.5), RuntimeError);
  CHECK_THROWS_AS(ema.copy_to(*other), RuntimeError);
  CHECK_THROWS_AS(ema.update(*net, 1.5), UsageError);

  // An archive saved from a module whose head has another shape.
  struct WideHeadImpl : torch::nn::Module {
    WideHeadImpl() {
      register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3)));
      register_module("norm", torch::nn::BatchNorm2d(2));
      register_module("head", torch::nn::Sequential(torch::nn::Linear(2, 4)));
    }
  };
  WideHeadImpl wide;
  train::ParameterEma wide_ema(wide);
  std::stringstream stream;
  {
    torch::serialize::OutputArchive archive;
    wide_ema.save(archive);
    archive.save_to(stream);
  }
  torch::serialize::InputArchive archive;
  archive.load_from(stream);
  CHECK_THROWS_WITH(ema.load(archive), Catch::Contains("head.0.weight") && Catch::Contains("[4, 2]"));

  torch::serialize::InputArchive empty_archive;
  std::stringstream empty_stream;
  {
    torch::serialize::OutputArchive archive_without_ema;
    archive_without_ema.write("other", torch::zeros({1}));
    archive_without_ema.save_to(empty_stream);
  }
  empty_archive.load_from(empty_stream);
  CHECK_THROWS_AS(ema.load(empty_archive), RuntimeError);
}

TEST_CASE("start_ema puts the network's weights into an eval-mode copy", "[ema]") {
  torch::manual_seed(3);
  SmallNet network;
  perturb_weights(network);
  SmallNet copy;
  copy->train();
  const std::unique_ptr<train::ParameterEma> ema = train::start_ema(*network, *copy, torch::kCPU);
  CHECK_FALSE(copy->is_training());
  const auto copied = copy->named_parameters();
  for (const auto& item : network->named_parameters()) CHECK(torch::equal(copied[item.key()], item.value()));
  const auto copied_buffers = copy->named_buffers();
  for (const auto& item : network->named_buffers()) CHECK(torch::equal(copied_buffers[item.key()], item.value()));
  const torch::Tensor head_weight = network->named_parameters()["head.0.weight"];
  CHECK(torch::equal(tensors_of(*ema).at("head.0.weight"), head_weight));
}
