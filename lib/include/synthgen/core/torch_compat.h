// The few places where LibTorch 1.13 (Debian, CPU) and LibTorch 2.x (CUDA builds) differ.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#define SYNTHGEN_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace synthgen::compat {

// CUDA autocast on or off. 2.4 replaced the CUDA-only functions with per-device ones and
// deprecated the old names.
inline void set_cuda_autocast_enabled(bool enabled) {
#if SYNTHGEN_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_enabled(enabled);
#endif
}

// The lower-precision type CUDA autocast casts to: kBFloat16 or kHalf.
inline void set_cuda_autocast_dtype(at::ScalarType dtype) {
#if SYNTHGEN_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
  at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

inline bool cuda_autocast_enabled() {
#if SYNTHGEN_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

}  // namespace synthgen::compat
