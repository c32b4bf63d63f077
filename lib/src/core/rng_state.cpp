#include "synthgen/core/rng_state.h"

#include <ATen/Context.h>

#include <mutex>

namespace synthgen {
namespace {

at::Generator default_generator(const torch::Device& device) {
  if (device.is_cuda()) {
    const c10::DeviceIndex index = device.has_index() ? device.index() : 0;
    return at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, index));
  }
  return at::globalContext().defaultGenerator(c10::Device(c10::kCPU));
}

}  // namespace

void seed_everything(std::uint64_t seed) { torch::manual_seed(seed); }

torch::Tensor get_rng_state(const torch::Device& device) {
  at::Generator generator = default_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_rng_state(const torch::Device& device, const torch::Tensor& state) {
  at::Generator generator = default_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace synthgen
