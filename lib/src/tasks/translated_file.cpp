#include "translated_file.h"

#include <stb_image_write.h>

#include <algorithm>
#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

void write_image_as_named(const std::string& path, const io::Image& image) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::uint8_t> bytes;
  if (extension == ".jpg" || extension == ".jpeg") {
    bytes = io::encode_jpeg(image, 95);
  } else if (extension == ".bmp" || extension == ".tga") {
    const int ok = extension == ".bmp"
                       ? stbi_write_bmp_to_func(append_bytes, &bytes, image.width, image.height, image.channels,
                                                image.pixels.data())
                       : stbi_write_tga_to_func(append_bytes, &bytes, image.width, image.height, image.channels,
                                                image.pixels.data());
    if (!ok) throw RuntimeError("cannot encode '" + path + "'");
  } else {
    bytes = io::encode_png(image);
  }
  io::write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/false);
}

}  // namespace synthgen
