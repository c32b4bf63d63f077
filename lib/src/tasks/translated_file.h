// Writing a translated image in the format its name says, atomically.
#pragma once

#include <string>

#include "synthgen/io/image_codec.h"

namespace synthgen {

// Encodes `image` as the extension of `path` asks (.png; .jpg/.jpeg at quality 95; .bmp; .tga)
// and replaces `path` atomically: a temporary file renamed into place, never a partial image.
void write_image_as_named(const std::string& path, const io::Image& image);

}  // namespace synthgen
