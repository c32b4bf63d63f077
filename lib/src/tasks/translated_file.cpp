#include "translated_file.h"

#include <algorithm>
#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen {

void write_image_as_named(const std::string& path, const io::Image& image) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::uint8_t> bytes;
  if (extension == ".jpg" || extension == ".jpeg") {
    bytes = io::encode_jpeg(image, 95);
  } else if (extension == ".bmp") {
    bytes = io::encode_bmp(image);
  } else if (extension == ".tga") {
    bytes = io::encode_tga(image);
  } else {
    bytes = io::encode_png(image);
  }
  io::write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/false);
}

}  // namespace synthgen
