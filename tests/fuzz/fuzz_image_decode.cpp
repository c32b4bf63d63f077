// libFuzzer target for the image decoder: any bytes either decode to a well-formed image or throw
// RuntimeError; a crash, a sanitizer report or a wrong-sized pixel buffer is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "synthgen/core/error.h"
#include "synthgen/io/image_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Callers ask for 1, 3 or 4 channels; the input's length picks one, so the seeds stay plain files.
  const int channels = (size % 3 == 0) ? 1 : (size % 3 == 1) ? 3 : 4;
  synthgen::io::DecodeLimits limits;
  limits.max_side = 2048;  // keeps each input's work small; larger claims must be refused unread
  try {
    const synthgen::io::Image image = synthgen::io::decode_image(data, size, channels, "fuzz-input", limits);
    const std::size_t expected = static_cast<std::size_t>(image.width) * image.height * image.channels;
    if (image.channels != channels || image.width <= 0 || image.height <= 0 || image.width > limits.max_side ||
        image.height > limits.max_side || image.pixels.size() != expected) {
      std::abort();
    }
  } catch (const synthgen::RuntimeError&) {
    // A refused file is the expected outcome for most inputs.
  }
  return 0;
}
