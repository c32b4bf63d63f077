#include "jpeg_decoder.h"

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <csetjmp>
#include <cstdio>

#include "synthgen/core/error.h"

namespace synthgen::io {
namespace {

// libjpeg reports fatal errors through error_exit, which must not return: jump back to the
// setjmp in decode_into, the documented way out of a C library.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

extern "C" void on_jpeg_error(j_common_ptr info) {
  auto* errors = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

// Warnings (extraneous bytes, premature end) are not fatal: truncation is checked before
// decoding, and stray bytes are common in files that every viewer shows.
extern "C" void ignore_jpeg_message(j_common_ptr, int) {}

// Decodes into `pixels` (grey or RGB as `grey` says); returns "" or libjpeg's error message.
// No C++ object is created between setjmp and longjmp, so the jump skips no destructor.
std::string decode_into(const std::uint8_t* data, std::size_t size, bool grey, Image& out) {
  jpeg_decompress_struct info{};
  ErrorManager errors{};
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_jpeg_error;
  errors.base.emit_message = ignore_jpeg_message;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    return errors.message;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
  info.out_color_space = grey && !cmyk ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&info);
  const std::size_t width = info.output_width, height = info.output_height;
  const std::size_t components = static_cast<std::size_t>(info.output_components);
  out.width = static_cast<int>(width);
  out.height = static_cast<int>(height);
  out.channels = static_cast<int>(components);
  out.pixels.resize(width * height * components);  // sized before any row is read
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out.pixels.data() + info.output_scanline * width * components;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return "";
}

std::uint8_t scaled(int a, int b) { return static_cast<std::uint8_t>((a * b + 127) / 255); }

// Adobe's inverted CMYK to RGB, as stb and browsers convert it: R = C * K / 255, and so on.
Image cmyk_to_rgb(const Image& cmyk) {
  Image rgb{cmyk.width, cmyk.height, 3, {}};
  const std::size_t pixels = static_cast<std::size_t>(cmyk.width) * cmyk.height;
  rgb.pixels.resize(pixels * 3);
  for (std::size_t i = 0; i < pixels; ++i) {
    const std::uint8_t* in = &cmyk.pixels[i * 4];
    for (int c = 0; c < 3; ++c) rgb.pixels[i * 3 + c] = scaled(in[c], in[3]);
  }
  return rgb;
}

Image with_opaque_alpha(const Image& image) {
  Image out{image.width, image.height, image.channels + 1, {}};
  const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
  out.pixels.resize(pixels * static_cast<std::size_t>(out.channels));
  for (std::size_t i = 0; i < pixels; ++i) {
    for (int c = 0; c < image.channels; ++c) {
      out.pixels[i * out.channels + c] = image.pixels[i * image.channels + c];
    }
    out.pixels[i * out.channels + image.channels] = 255;
  }
  return out;
}

}  // namespace

Image decode_jpeg(const std::uint8_t* data, std::size_t size, int channels, const std::string& name) {
  const bool grey = channels <= 2;
  Image image;
  const std::string error = decode_into(data, size, grey, image);
  if (!error.empty()) {
    throw RuntimeError("cannot decode '" + name + "': corrupt JPEG data (libjpeg: " + error + ")");
  }
  if (image.channels == 4) image = cmyk_to_rgb(image);
  image = convert_channels(image, grey ? 1 : 3);
  return channels == 2 || channels == 4 ? with_opaque_alpha(image) : image;
}

}  // namespace synthgen::io
