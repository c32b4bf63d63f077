#include "synthgen/io/image_codec.h"

#include <fmt/format.h>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>

#include "image_format.h"
#include "jpeg_decoder.h"
#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen::io {
namespace {

[[noreturn]] void throw_decode_error(const std::string& name, const std::string& reason) {
  throw RuntimeError("cannot decode '" + name + "': " + reason);
}

std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown error";
}

const char* format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kUnknown:
      break;
  }
  return "TGA";
}

bool is_complete(ImageFormat format, const std::uint8_t* data, std::size_t size) {
  switch (format) {
    case ImageFormat::kPng:
      return png_is_complete(data, size);
    case ImageFormat::kJpeg:
      return jpeg_is_complete(data, size);
    case ImageFormat::kBmp:
      return bmp_is_complete(data, size);
    case ImageFormat::kUnknown:
      break;
  }
  return tga_is_complete(data, size);
}

void check_image(const Image& image, const char* what) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels) {
    throw UsageError(std::string(what) + ": malformed image (" + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + "x" + std::to_string(image.channels) + ", " +
                     std::to_string(image.pixels.size()) + " bytes)");
  }
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

// Runs one of stb's *_to_func writers (`write(callback, context)`) into a byte vector; `what` names
// the encoder in errors.
template <typename Write>
std::vector<std::uint8_t> encode_with_stb(const Image& image, const char* what, Write&& write) {
  std::vector<std::uint8_t> out;
  if (!write(append_bytes, &out)) {
    throw RuntimeError(std::string(what) + ": stb could not encode a " + std::to_string(image.width) + "x" +
                       std::to_string(image.height) + " image");
  }
  return out;
}

// The rows [top, top+height) and columns [left, left+width) of an image.
Image crop(const Image& image, int left, int top, int width, int height) {
  Image out{width, height, image.channels, {}};
  out.pixels.resize(static_cast<std::size_t>(width) * height * image.channels);
  const std::size_t row_bytes = static_cast<std::size_t>(width) * image.channels;
  for (int y = 0; y < height; ++y) {
    const std::size_t from = (static_cast<std::size_t>(top + y) * image.width + left) * image.channels;
    std::copy_n(image.pixels.data() + from, row_bytes, out.pixels.data() + y * row_bytes);
  }
  return out;
}

}  // namespace

Image decode_image(const std::uint8_t* data, std::size_t size, int channels, const std::string& name,
                   const DecodeLimits& limits) {
  if (channels < 1 || channels > 4) {
    throw UsageError("decode_image: channels must be 1 to 4, got " + std::to_string(channels));
  }
  if (size == 0) throw_decode_error(name, "empty file (0 bytes)");
  if (size > static_cast<std::size_t>(INT_MAX)) throw_decode_error(name, "file over 2 GiB");
  const std::string unsupported = sniff_unsupported_format(data, size);
  if (!unsupported.empty()) {
    throw_decode_error(name, "unsupported format " + unsupported + " (supported: PNG, JPEG, BMP, TGA)");
  }
  const ImageFormat format = sniff_format(data, size);
  const int length = static_cast<int>(size);
  auto check_sides = [&](std::uint64_t width, std::uint64_t height) {
    if (width > static_cast<std::uint64_t>(limits.max_side) || height > static_cast<std::uint64_t>(limits.max_side)) {
      throw_decode_error(name, std::to_string(width) + "x" + std::to_string(height) + " pixels exceeds the limit of " +
                                   std::to_string(limits.max_side) + " per side");
    }
  };

  // The header alone: sides are checked before a single pixel is decoded or allocated. Our own
  // reading of it comes first, as stb refuses some huge headers as "unknown image type".
  std::uint32_t header_width = 0, header_height = 0;
  if (format != ImageFormat::kUnknown) {
    if (!header_dimensions(format, data, size, &header_width, &header_height)) {
      throw_decode_error(name, std::string("corrupt or truncated ") + format_name(format) + " header");
    }
    check_sides(header_width, header_height);
  }
  if (format == ImageFormat::kJpeg) {
    if (!jpeg_is_complete(data, size)) throw_decode_error(name, "truncated or corrupt JPEG data");
    return decode_jpeg(data, size, channels, name);
  }
  int width = 0, height = 0, file_channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &file_channels)) {
    if (format == ImageFormat::kUnknown) {
      throw_decode_error(name, "not a PNG, JPEG, BMP or TGA image");
    }
    throw_decode_error(name, std::string("corrupt ") + format_name(format) + " header");
  }
  if (width <= 0 || height <= 0) throw_decode_error(name, "image has no pixels");
  check_sides(static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height));
  if (!is_complete(format, data, size)) {
    throw_decode_error(name, std::string("truncated or corrupt ") + format_name(format) + " data");
  }

  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(data, length, &width, &height, &file_channels, channels), stbi_image_free);
  if (!pixels) {
    throw_decode_error(name, std::string("corrupt ") + format_name(format) + " data (stb: " + stb_reason() + ")");
  }
  Image image{width, height, channels, {}};
  image.pixels.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(width) * height * channels);
  return image;
}

Image read_image(const std::string& path, int channels, const DecodeLimits& limits) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return decode_image(bytes.data(), bytes.size(), channels, path, limits);
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  check_image(image, "encode_png");
  return encode_with_stb(image, "encode_png", [&](stbi_write_func* write, void* out) {
    return stbi_write_png_to_func(write, out, image.width, image.height, image.channels, image.pixels.data(),
                                  image.width * image.channels);
  });
}

std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality) {
  check_image(image, "encode_jpeg");
  if (image.channels != 1 && image.channels != 3) {
    throw UsageError("encode_jpeg: needs 1 or 3 channels, got " + std::to_string(image.channels));
  }
  if (quality < 1 || quality > 100) {
    throw UsageError("encode_jpeg: quality must be 1 to 100, got " + std::to_string(quality));
  }
  return encode_with_stb(image, "encode_jpeg", [&](stbi_write_func* write, void* out) {
    return stbi_write_jpg_to_func(write, out, image.width, image.height, image.channels, image.pixels.data(), quality);
  });
}

std::vector<std::uint8_t> encode_bmp(const Image& image) {
  check_image(image, "encode_bmp");
  return encode_with_stb(image, "encode_bmp", [&](stbi_write_func* write, void* out) {
    return stbi_write_bmp_to_func(write, out, image.width, image.height, image.channels, image.pixels.data());
  });
}

std::vector<std::uint8_t> encode_tga(const Image& image) {
  check_image(image, "encode_tga");
  return encode_with_stb(image, "encode_tga", [&](stbi_write_func* write, void* out) {
    return stbi_write_tga_to_func(write, out, image.width, image.height, image.channels, image.pixels.data());
  });
}

Image resize_image(const Image& image, int width, int height) {
  check_image(image, "resize_image");
  if (width <= 0 || height <= 0) {
    throw UsageError("resize_image: target size must be positive, got " + std::to_string(width) + "x" +
                     std::to_string(height));
  }
  if (width == image.width && height == image.height) return image;
  Image out{width, height, image.channels, {}};
  out.pixels.resize(static_cast<std::size_t>(width) * height * image.channels);
  if (!stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out.pixels.data(), width, height, 0,
                          image.channels)) {
    throw RuntimeError("resize_image: stb could not resize " + std::to_string(image.width) + "x" +
                       std::to_string(image.height) + " to " + std::to_string(width) + "x" + std::to_string(height));
  }
  return out;
}

Image resize_and_center_crop(const Image& image, int size) {
  check_image(image, "resize_and_center_crop");
  if (size <= 0) {
    throw UsageError("resize_and_center_crop: size must be positive, got " + std::to_string(size));
  }
  if (image.width == size && image.height == size) return image;
  // torchvision: the longer side becomes int(size * long / short), truncated.
  const bool wide = image.width >= image.height;
  const int short_side = wide ? image.height : image.width;
  const int long_side = wide ? image.width : image.height;
  const int new_long = std::max(size, static_cast<int>(static_cast<std::int64_t>(size) * long_side / short_side));
  const Image resized = short_side == size ? image
                        : wide             ? resize_image(image, new_long, size)
                                           : resize_image(image, size, new_long);
  // torchvision's CenterCrop: offset int(round((side - size) / 2)), Python rounding half to even.
  const int left = static_cast<int>(std::nearbyint((resized.width - size) / 2.0));
  const int top = static_cast<int>(std::nearbyint((resized.height - size) / 2.0));
  return crop(resized, left, top, size, size);
}

Image fit_with_border(const Image& image, int size, int border) {
  const int inner = size - 2 * border;
  if (border < 0 || inner <= 0) {
    throw UsageError(fmt::format("fit_with_border: border {} does not fit in size {}", border, size));
  }
  const Image content = resize_and_center_crop(image, inner);
  if (border == 0) return content;
  Image out{size, size, content.channels,
            std::vector<std::uint8_t>(static_cast<std::size_t>(size) * size * content.channels, 0)};
  const std::size_t row_bytes = static_cast<std::size_t>(inner) * content.channels;
  for (int y = 0; y < inner; ++y) {
    const std::size_t to = (static_cast<std::size_t>(border + y) * size + border) * content.channels;
    std::copy_n(content.pixels.data() + y * row_bytes, row_bytes, out.pixels.data() + to);
  }
  return out;
}

Image convert_channels(const Image& image, int channels) {
  check_image(image, "convert_channels");
  if (image.channels == channels) return image;
  const std::size_t count = static_cast<std::size_t>(image.width) * image.height;
  Image out{image.width, image.height, channels, std::vector<std::uint8_t>(count * channels)};
  const std::uint8_t* in = image.pixels.data();
  std::uint8_t* dst = out.pixels.data();
  if (image.channels == 1 && channels == 3) {
    for (std::size_t i = 0; i < count; ++i) dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = in[i];
  } else if (image.channels == 3 && channels == 1) {
    for (std::size_t i = 0; i < count; ++i) {
      dst[i] = static_cast<std::uint8_t>((77 * in[3 * i] + 150 * in[3 * i + 1] + 29 * in[3 * i + 2]) >> 8);
    }
  } else {
    throw UsageError("convert_channels: only 1 <-> 3 channels are supported, not " + std::to_string(image.channels) +
                     " -> " + std::to_string(channels));
  }
  return out;
}

}  // namespace synthgen::io
