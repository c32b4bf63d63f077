// Decoding, encoding, resizing and channel conversion of 8-bit images: libjpeg-turbo decodes JPEG,
// stb everything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace synthgen::io {

// Interleaved 8-bit pixels, row after row (HWC), contiguous: pixels.size() == height*width*channels.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;
};

struct DecodeLimits {
  int max_side = 16384;  // a larger width or height is refused before any pixel is decoded
};

// Decodes PNG, JPEG, BMP or TGA data into `channels` channels (1 grey, 3 RGB; 2 and 4 add alpha),
// converting as needed (alpha is dropped, not composited; 16-bit PNGs become 8-bit). `name` is
// used in messages. Throws RuntimeError "cannot decode 'name': <reason>" for an empty file, an
// unsupported format (GIF, PSD, HDR, PNM, WebP, TIFF, ...), corrupt or truncated data (a PNG must
// reach its IEND chunk and a JPEG its end-of-image marker: stb alone accepts some truncated
// ones), or a side over limits.max_side (read from the header, before decoding).
Image decode_image(const std::uint8_t* data, std::size_t size, int channels, const std::string& name,
                   const DecodeLimits& limits = {});

// Reads the file, then decodes it as decode_image does. Errors name the path.
Image read_image(const std::string& path, int channels, const DecodeLimits& limits = {});

// PNG bytes of an image with 1, 2, 3 or 4 channels. The same image always gives the same bytes.
std::vector<std::uint8_t> encode_png(const Image& image);

// Baseline JPEG bytes (quality 1..100) of an image with 1 or 3 channels; deterministic.
std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality);

// Uncompressed BMP and TGA bytes (translate keeps a file's own format).
std::vector<std::uint8_t> encode_bmp(const Image& image);
std::vector<std::uint8_t> encode_tga(const Image& image);

// Resampled to width x height with stbir_resize_uint8 (Mitchell filter when shrinking,
// Catmull-Rom when enlarging, clamped edges). Same size returns a copy.
Image resize_image(const Image& image, int width, int height);

// torchvision's Resize(size) + CenterCrop(size): the shorter side is resized to `size` keeping the
// aspect ratio (the longer side is truncated to an integer), then the centred size x size square is
// cut out (offsets rounded half to even, as Python's round does). No resampling when the shorter
// side is already `size`.
Image resize_and_center_crop(const Image& image, int size);

// resize_and_center_crop to size - 2 * border, then a black border of `border` pixels on each side:
// a size x size image whose content keeps its pixels when it already has that inner size.
Image fit_with_border(const Image& image, int size, int border);

// Between 1 and 3 channels: grey is replicated into R, G and B; RGB becomes grey with stb's weights,
// (77 R + 150 G + 29 B) >> 8. Same count returns a copy.
Image convert_channels(const Image& image, int channels);

}  // namespace synthgen::io
