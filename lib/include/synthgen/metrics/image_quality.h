// Paired image metrics for super-resolution and translation, as BasicSR / Real-ESRGAN's
// calculate_psnr and calculate_ssim. Images are [C, H, W] tensors holding 0..255 values (any real
// dtype, converted to float64; not rounded), channels in RGB order where it matters.
#pragma once

#include <torch/torch.h>

namespace synthgen::metrics {

// The luma of an RGB image [3, H, W] -> [1, H, W] on the same 0..255 scale, ITU-R BT.601 studio
// range as BasicSR's bgr2ycbcr(y_only=True) / MATLAB's rgb2ycbcr: Y = 16 + (65.481 R + 128.553 G +
// 24.966 B) / 255, so Y lies in [16, 235]. Not rounded.
torch::Tensor rgb_to_y(const torch::Tensor& rgb);

// The image without its outer `border` pixels on each side: [C, H - 2k, W - 2k]. k = 0 returns
// the image. Throws RuntimeError for k < 0 or nothing left.
torch::Tensor crop_border(const torch::Tensor& image, int border);

// 10 log10(255² / MSE) in dB, MSE over every channel and pixel; +infinity for identical images.
// Throws RuntimeError when the shapes differ.
double psnr(const torch::Tensor& a, const torch::Tensor& b);

// Mean SSIM (Wang et al. 2004): 11x11 Gaussian window with σ = 1.5 (the normalised 1-D kernel's
// outer product, as cv2.getGaussianKernel), C1 = (0.01·255)², C2 = (0.03·255)², averaged over the
// window positions lying fully inside the image, per channel, then over channels. Throws
// RuntimeError when the shapes differ or the image is smaller than 11x11.
double ssim(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace synthgen::metrics
