// Tiled inference for image-to-image networks that enlarge by an integer factor (srgan's G), so
// that memory stays bounded by the tile size whatever the image size. Tiles of `tile` input
// pixels overlap by `overlap`; each output tile is weighted by a window that ramps linearly over
// the overlap on the sides that have a neighbour (and is 1 elsewhere), and the weighted tiles are
// accumulated and divided by the summed weights, so that no seam shows. Tiles lie flush with the
// image edges, so no padding is needed and an image within one tile is processed whole.
#pragma once

#include <torch/torch.h>

#include <functional>

namespace synthgen::models {

using ImageNetwork = std::function<torch::Tensor(const torch::Tensor&)>;

// `network` maps [1, C, h, w] to [1, C_out, scale*h, scale*w]. `image` is [1, C, H, W]. tile = 0
// runs the whole image at once. Requires tile > overlap >= 0 when tile > 0; throws UsageError
// otherwise. The result is float [1, C_out, scale*H, scale*W] on the image's device.
torch::Tensor upscale_tiled(const ImageNetwork& network, const torch::Tensor& image, int scale, int tile, int overlap);

// The 1-D blending weights of a tile `length` output pixels long whose first (last) `ramp` pixels
// overlap a neighbour when has_before (has_after): (i + 0.5) / ramp, capped at 1; always > 0.
torch::Tensor tile_ramp(std::int64_t length, std::int64_t ramp, bool has_before, bool has_after);

// For networks whose input sides must be multiples of `stride` (a U-Net's 2^levels) and whose
// output has the input's size (translation generators): pads `image` [N, C, H, W] on all four
// sides to the next multiples of `stride` (mirrored, or repeated edge pixels where the image is
// too small to mirror), runs `network`, and crops the result back to H x W. An image whose sides
// are already multiples of `stride` goes through unchanged. Sides below `min_side` are padded up
// to it first (a ResNet generator's reflection padding needs a few pixels in its middle).
torch::Tensor translate_padded(const ImageNetwork& network, const torch::Tensor& image, std::int64_t stride,
                               std::int64_t min_side = 0);

}  // namespace synthgen::models
