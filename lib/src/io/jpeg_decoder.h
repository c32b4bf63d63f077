// JPEG decoding with libjpeg-turbo. Files from unchecked folders are hostile input, and the stb in
// Debian 12 (2022-09) has JPEG decoder bugs that write or read outside its tables (found by
// tests/fuzz, see docs/reliability.md); libjpeg-turbo is fuzzed continuously by OSS-Fuzz.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "synthgen/io/image_codec.h"

namespace synthgen::io {

// Decodes JPEG data into `channels` channels (1 grey; 2 grey + opaque alpha; 3 RGB; 4 RGB +
// opaque alpha). CMYK and YCCK files are converted as Adobe writes them (inverted CMYK).
// Throws RuntimeError "cannot decode 'name': corrupt JPEG data (libjpeg: <reason>)".
Image decode_jpeg(const std::uint8_t* data, std::size_t size, int channels, const std::string& name);

}  // namespace synthgen::io
