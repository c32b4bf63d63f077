#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <fstream>

#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/metrics_log.h"
#include "synthgen/train/trainer.h"
#include "test_support.h"

using namespace synthgen;

TEST_CASE("the fp16 loss scaler skips non-finite steps and adapts its scale", "[train]") {
  torch::Tensor weight = torch::ones({3}, torch::requires_grad());
  torch::optim::SGD optimizer({weight}, torch::optim::SGDOptions(0.5));
  train::GradScaler scaler(/*enabled=*/true, /*initial_scale=*/8.0, /*growth_interval=*/2);

  SECTION("finite gradients are unscaled before the step") {
    optimizer.zero_grad();
    scaler.backward((weight * 2).sum());  // gradient 2 per element, scaled to 16
    CHECK(scaler.step(optimizer));
    CHECK(torch::allclose(weight, torch::full({3}, 0.0)));  // 1 - 0.5 * 2
  }
  SECTION("an inf gradient skips the step and halves the scale") {
    optimizer.zero_grad();
    scaler.backward((weight * std::numeric_limits<float>::infinity()).sum());
    CHECK_FALSE(scaler.step(optimizer));
    CHECK(torch::equal(weight, torch::ones({3})));
    CHECK(scaler.scale() == 4.0);
  }
  SECTION("the scale doubles after growth_interval good steps") {
    for (int i = 0; i < 2; ++i) {
      optimizer.zero_grad();
      scaler.backward(weight.sum());
      scaler.step(optimizer);
    }
    CHECK(scaler.scale() == 16.0);
  }
  SECTION("disabled, it is a plain backward and step") {
    train::GradScaler plain(false);
    optimizer.zero_grad();
    plain.backward(weight.sum());
    CHECK(plain.step(optimizer));
    CHECK(torch::allclose(weight, torch::full({3}, 0.5)));
  }
}

TEST_CASE("metrics lines, truncation on resume and durations", "[train]") {
  testing::TempDir dir;
  const std::string path = (dir / "metrics.jsonl").string();
  {
    train::MetricsLog log(path, -1);
    for (int step : {10, 20, 30}) log.write(step, {{"loss", 0.5}, {"bad", std::nan("")}});
  }
  train::truncate_metrics(path, 20);
  std::ifstream in(path);
  std::string first;
  std::string second;
  std::string third;
  std::getline(in, first);
  std::getline(in, second);
  CHECK(first == "{\"step\":10,\"loss\":0.5,\"bad\":null}");
  CHECK(second.rfind("{\"step\":20,", 0) == 0);
  CHECK_FALSE(std::getline(in, third));
  CHECK(train::format_duration(37) == "37s");
  CHECK(train::format_duration(252) == "4m12s");
  CHECK(train::format_duration(3720) == "1h02m");
  CHECK(train::format_progress(5, 10, {{"loss_d", 0.25}}, 100, 30) == "step 5/10 | loss_d 0.25 | 100 img/s | ETA 30s");
}

TEST_CASE("a class-conditional model needs data with exactly its number of classes", "[train]") {
  ModelConfig model;
  train::DataInfo data;
  CHECK_NOTHROW(train::check_data_classes(model, data, "GAN"));  // unconditional: labels unused
  model.num_classes = 3;
  CHECK_THROWS_WITH(train::check_data_classes(model, data, "vae"),
                    "model.num_classes is 3 but the data has no labels; a class-conditional vae needs labelled "
                    "data with as many classes");
  data.num_classes = 2;
  CHECK_THROWS_WITH(train::check_data_classes(model, data, "GAN"), Catch::Contains("has 2 classes"));
  data.num_classes = 3;
  CHECK_NOTHROW(train::check_data_classes(model, data, "ddpm"));
}
