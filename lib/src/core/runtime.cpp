#include "synthgen/core/runtime.h"

#include <malloc.h>
#include <sched.h>

#include <thread>

#include "synthgen/core/error.h"
#include "synthgen/core/torch_compat.h"

namespace synthgen {

torch::Device resolve_device(const std::string& device) {
  const bool cuda_usable = torch::cuda::is_available();
  if (device == "auto") return cuda_usable ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (device == "cpu") return torch::kCPU;
  if (device.rfind("cuda", 0) != 0) {
    throw UsageError(fmt::format("run.device: expected auto, cpu, cuda or cuda:N, got '{}'", device));
  }
  if (!cuda_usable) {
    throw UsageError(
        fmt::format("run.device is '{}' but CUDA is not usable in this build or machine (LibTorch {}); use "
                    "run.device=cpu or auto",
                    device, TORCH_VERSION));
  }
  int index = 0;
  if (device.size() > 4) {
    if (device[4] != ':' || device.size() == 5 || device.find_first_not_of("0123456789", 5) != std::string::npos) {
      throw UsageError(fmt::format("run.device: expected cuda or cuda:N, got '{}'", device));
    }
    index = std::stoi(device.substr(5));
  }
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count) {
    throw UsageError(fmt::format("run.device is '{}' but only {} CUDA device(s) exist", device, count));
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  // Cores this process may run on (respects taskset and container CPU sets).
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // the most glibc allows
  mallopt(M_TRIM_THRESHOLD, -1);                // never give the heap top back
}

Runtime setup_runtime(const RuntimeSettings& settings) {
  Runtime runtime;
  runtime.threads = resolve_threads(settings.threads);
  torch::set_num_threads(runtime.threads);
  static bool interop_set = false;
  if (!interop_set) {
    // The inter-op pool can only be sized before its first use, once per process.
    torch::set_num_interop_threads(1);
    interop_set = true;
  }
  runtime.device = resolve_device(settings.device);
  if (runtime.device.is_cuda()) {
    at::globalContext().setBenchmarkCuDNN(settings.cudnn_benchmark);
  } else if (settings.precision != "fp32") {
    throw UsageError(
        fmt::format("run.precision is '{}' but autocast is only used on CUDA and run.device resolved to cpu; "
                    "use run.precision=fp32",
                    settings.precision));
  }
  return runtime;
}

torch::ScalarType precision_dtype(const std::string& precision) {
  if (precision == "fp32") return torch::kFloat;
  if (precision == "bf16") return torch::kBFloat16;
  if (precision == "fp16") return torch::kHalf;
  throw UsageError(fmt::format("run.precision: expected fp32, bf16 or fp16, got '{}'", precision));
}

AutocastScope::AutocastScope(const torch::Device& device, torch::ScalarType dtype) {
  if (!device.is_cuda() || dtype == torch::kFloat) return;
  compat::set_cuda_autocast_dtype(dtype);
  compat::set_cuda_autocast_enabled(true);
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Leaving the outermost scope frees the casted weight copies, as torch.autocast does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  compat::set_cuda_autocast_enabled(false);
}

std::string version_string() {
  const std::string cuda =
      torch::cuda::is_available() ? fmt::format("yes, {} device(s)", torch::cuda::device_count()) : std::string("no");
  return fmt::format("synthgen {} (LibTorch {}, CUDA: {})", SYNTHGEN_VERSION, TORCH_VERSION, cuda);
}

}  // namespace synthgen
