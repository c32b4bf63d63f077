// GPU tests: hidden from the default run ([.cuda]); on a CUDA machine build with
// -DSYNTHGEN_CUDA_TESTS=ON and run `ctest -L cuda` (or synthgen_tests "[cuda]").
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "synthgen/config/run_settings.h"
#include "synthgen/core/runtime.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/models/blocks.h"
#include "synthgen/train/gan_trainer.h"
#include "test_support.h"

using namespace synthgen;

namespace {

Config cuda_config(const std::string& precision) {
  Config config = testing::tiny_config("unused");
  config.data.image_size = 32;
  config.run.device = "cuda";
  config.run.precision = precision;
  return config;
}

}  // namespace

TEST_CASE("CUDA is usable and picked by auto", "[.cuda]") {
  REQUIRE(torch::cuda::is_available());
  CHECK(resolve_device("auto").is_cuda());
  CHECK(resolve_device("cuda:0") == torch::Device(torch::kCUDA, 0));
}

TEST_CASE("transposed convolution on CUDA matches the CPU", "[.cuda]") {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({4, 16, 8, 8});
  const torch::Tensor w = torch::randn({16, 8, 4, 4});
  const torch::Tensor cpu = models::transposed_conv2d(x, w, 2, 1);
  const torch::Tensor gpu = models::transposed_conv2d(x.cuda(), w.cuda(), 2, 1).cpu();
  CHECK(torch::allclose(cpu, gpu, 1e-3, 1e-3));
}

TEST_CASE("GAN training steps run on CUDA in fp32, bf16 and fp16", "[.cuda]") {
  for (const char* precision : {"fp32", "bf16", "fp16"}) {
    INFO(precision);
    const Config config = cuda_config(precision);
    const Runtime runtime = setup_runtime(runtime_settings(config.run));
    torch::manual_seed(1);
    train::GanTrainer trainer(config, runtime.device);
    const torch::Tensor before = trainer.generator().parameters()[0].detach().clone();
    for (int i = 0; i < 3; ++i) {
      const train::StepMetrics metrics = trainer.step({(torch::rand({8, 3, 32, 32}) * 2 - 1).to(runtime.device), {}});
      for (const auto& [name, value] : metrics) {
        INFO(name);
        CHECK(std::isfinite(value.item<double>()));
      }
    }
    CHECK_FALSE(torch::equal(before, trainer.generator().parameters()[0].detach()));
  }
}

TEST_CASE("a checkpoint written on CUDA samples the same images on the CPU", "[.cuda]") {
  testing::TempDir dir;
  const Config config = cuda_config("fp32");
  const Runtime runtime = setup_runtime(runtime_settings(config.run));
  torch::manual_seed(2);
  train::GanTrainer trainer(config, runtime.device);
  trainer.step({(torch::rand({8, 3, 32, 32}) * 2 - 1).to(runtime.device), {}});
  const std::string path = (dir / "gpu.ckpt").string();
  io::CheckpointMeta meta;
  meta.family = "dcgan";
  io::save_checkpoint(path, meta, [&](auto& archive) { trainer.save(archive); });

  io::LoadedCheckpoint on_gpu = io::load_checkpoint(path, runtime.device);
  io::LoadedCheckpoint on_cpu = io::load_checkpoint(path, torch::kCPU);
  auto gpu = train::load_generator(config, on_gpu.archive, runtime.device).network;
  auto cpu = train::load_generator(config, on_cpu.archive, torch::kCPU).network;
  const torch::Tensor z = train::latents_for_seeds(0, 4, config.model.latent_dim, torch::kCPU);
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(gpu->forward(z.to(runtime.device)).cpu(), cpu->forward(z), 1e-3, 1e-3));
}
