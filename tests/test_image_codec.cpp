#include <catch2/catch.hpp>

#include <filesystem>
// Only the declarations: the implementation is compiled into synthgen_lib (io/stb_impl.cpp). Used
// to make BMP and TGA files, which the library itself never writes.
#include <stb/stb_image_write.h>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using synthgen::RuntimeError;
using synthgen::io::decode_image;
using synthgen::io::Image;
using synthgen::testing::pattern_image;

namespace {

Image decode(const std::vector<std::uint8_t>& bytes, int channels, synthgen::io::DecodeLimits limits = {}) {
  return decode_image(bytes.data(), bytes.size(), channels, "img.bin", limits);
}

std::vector<std::uint8_t> cut(const std::vector<std::uint8_t>& bytes, std::size_t size) {
  return std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(size));
}

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
}

}  // namespace

TEST_CASE("PNG encoding round-trips exactly and deterministically", "[io]") {
  for (int channels : {1, 2, 3, 4}) {
    SECTION("channels " + std::to_string(channels)) {
      const Image image = pattern_image(37, 21, channels);
      const std::vector<std::uint8_t> png = synthgen::io::encode_png(image);
      CHECK(synthgen::io::encode_png(image) == png);
      const Image back = decode(png, channels);
      CHECK(back.width == 37);
      CHECK(back.height == 21);
      CHECK(back.channels == channels);
      CHECK(back.pixels == image.pixels);
    }
  }
  SECTION("decoding converts grey to RGB by replication") {
    const Image grey = pattern_image(8, 8, 1);
    const Image rgb = decode(synthgen::io::encode_png(grey), 3);
    CHECK(rgb.pixels == synthgen::io::convert_channels(grey, 3).pixels);
  }
}

TEST_CASE("decode_image rejects bad data with a one-line message naming the file", "[io]") {
  const std::vector<std::uint8_t> png = synthgen::io::encode_png(pattern_image(40, 30, 3));
  const Image rgb = pattern_image(64, 48, 3);
  const std::vector<std::uint8_t> jpeg = synthgen::io::encode_jpeg(rgb, 90);

  SECTION("zero bytes") { CHECK_THROWS_WITH(decode({}, 3), Contains("'img.bin'") && Contains("empty")); }
  SECTION("GIF is unsupported") {
    std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 4, 0, 4, 0, 0x80, 0, 0};
    gif.resize(64, 0);
    CHECK_THROWS_WITH(decode(gif, 3), Contains("'img.bin'") && Contains("unsupported format GIF"));
  }
  SECTION("PNM is unsupported") {
    const std::string pgm = "P5\n2 2\n255\n\x01\x02\x03\x04";
    CHECK_THROWS_WITH(decode({pgm.begin(), pgm.end()}, 1), Contains("unsupported format PNM"));
  }
  SECTION("random bytes") {
    std::vector<std::uint8_t> noise(500);
    std::uint32_t state = 12345;
    for (auto& byte : noise) byte = static_cast<std::uint8_t>((state = state * 1103515245 + 12345) >> 24);
    CHECK_THROWS_AS(decode(noise, 3), RuntimeError);
  }
  SECTION("corrupt PNG pixel data") {
    std::vector<std::uint8_t> broken = png;
    for (std::size_t i = 45; i < broken.size() - 20; ++i) broken[i] ^= 0x5a;
    CHECK_THROWS_WITH(decode(broken, 3), Contains("'img.bin'") && Contains("PNG"));
  }
  SECTION("truncated PNG, cut anywhere") {
    for (std::size_t size : {png.size() - 1, png.size() - 12, png.size() / 2, std::size_t{40}}) {
      INFO("cut to " << size << " of " << png.size() << " bytes");
      CHECK_THROWS_WITH(decode(cut(png, size), 3), Contains("'img.bin'"));
    }
  }
  SECTION("the JPEG encoder's output decodes") {
    const Image back = decode(jpeg, 3);
    CHECK(back.width == 64);
    CHECK(back.height == 48);
    CHECK(synthgen::io::encode_jpeg(rgb, 90) == jpeg);
  }
  SECTION("bytes after a JPEG's end-of-image marker are tolerated") {
    std::vector<std::uint8_t> padded = jpeg;
    padded.insert(padded.end(), 16, 0);
    CHECK(decode(padded, 3).width == 64);
  }
  SECTION("truncated JPEG, including cuts stb alone would accept") {
    for (std::size_t size :
         {jpeg.size() - 1, jpeg.size() - 2, jpeg.size() - 10, jpeg.size() / 2, std::size_t{200}, std::size_t{4}}) {
      INFO("cut to " << size << " of " << jpeg.size() << " bytes");
      CHECK_THROWS_WITH(decode(cut(jpeg, size), 3), Contains("'img.bin'") && Contains("JPEG"));
    }
  }
  SECTION("BMP and TGA decode, and are refused when truncated") {
    const Image image = pattern_image(13, 9, 3);
    std::vector<std::uint8_t> bmp, tga;
    REQUIRE(stbi_write_bmp_to_func(append, &bmp, 13, 9, 3, image.pixels.data()));
    REQUIRE(stbi_write_tga_to_func(append, &tga, 13, 9, 3, image.pixels.data()));
    CHECK(decode(bmp, 3).pixels == image.pixels);
    CHECK(decode(tga, 3).pixels == image.pixels);
    CHECK_THROWS_WITH(decode(cut(bmp, bmp.size() - 50), 3), Contains("truncated") && Contains("BMP"));
    CHECK_THROWS_WITH(decode(cut(tga, tga.size() / 2), 3), Contains("truncated") && Contains("TGA"));
  }
}

TEST_CASE("decode_image checks the side limit before decoding", "[io]") {
  SECTION("a header claiming 100000x100000 is refused by the limit, not by the decoder") {
    const std::vector<std::uint8_t> png = synthgen::testing::png_claiming_size(100000, 100000);
    CHECK_THROWS_WITH(decode(png, 1),
                      Contains("'img.bin'") && Contains("100000x100000") && Contains("exceeds the limit of 16384"));
  }
  SECTION("the limit is configurable and inclusive") {
    const std::vector<std::uint8_t> png = synthgen::io::encode_png(pattern_image(64, 40, 1));
    CHECK_THROWS_WITH(decode(png, 1, {32}), Contains("exceeds the limit of 32"));
    CHECK(decode(png, 1, {64}).width == 64);
  }
}

TEST_CASE("read_image reads a file and names it in errors", "[io]") {
  synthgen::testing::TempDir dir;
  const Image image = pattern_image(5, 6, 3);
  const std::string path = dir.file("a.png");
  synthgen::testing::write_bytes(path, synthgen::io::encode_png(image));
  CHECK(synthgen::io::read_image(path, 3).pixels == image.pixels);
  const std::string missing = dir.file("missing.png");
  CHECK_THROWS_WITH(synthgen::io::read_image(missing, 3),
                    Contains("cannot read '" + missing + "'") && Contains("No such file"));
}

TEST_CASE("resize_and_center_crop follows torchvision's Resize + CenterCrop", "[io]") {
  using synthgen::io::resize_and_center_crop;
  SECTION("wide and tall inputs give size x size") {
    for (auto [w, h] : {std::pair{80, 40}, std::pair{30, 90}, std::pair{17, 17}, std::pair{5, 3}}) {
      const Image out = resize_and_center_crop(pattern_image(w, h, 3), 32);
      CHECK(out.width == 32);
      CHECK(out.height == 32);
      CHECK(out.channels == 3);
      CHECK(out.pixels.size() == 32u * 32u * 3u);
    }
  }
  SECTION("already square at the size: unchanged") {
    const Image image = pattern_image(32, 32, 1);
    CHECK(resize_and_center_crop(image, 32).pixels == image.pixels);
  }
  SECTION("shorter side already at the size: a pure crop of the centre") {
    Image wide{96, 32, 1, std::vector<std::uint8_t>(96 * 32, 0)};
    for (int y = 0; y < 32; ++y) {
      for (int x = 32; x < 64; ++x) wide.pixels[y * 96 + x] = 255;
    }
    const Image out = resize_and_center_crop(wide, 32);
    CHECK(out.pixels == std::vector<std::uint8_t>(32 * 32, 255));
  }
  SECTION("crop offsets round half to even, as Python's round does") {
    // 33 wide: offset round(0.5) = 0; 35 wide: round(1.5) = 2.
    const Image w33 = pattern_image(33, 32, 1);
    const Image w35 = pattern_image(35, 32, 1);
    CHECK(resize_and_center_crop(w33, 32).pixels[0] == w33.pixels[0]);
    CHECK(resize_and_center_crop(w35, 32).pixels[0] == w35.pixels[2]);
  }
}

TEST_CASE("fit_with_border keeps an inner-sized image's pixels inside a black border", "[io]") {
  using synthgen::io::fit_with_border;
  const Image image = pattern_image(28, 28, 3);
  const Image out = fit_with_border(image, 32, 2);
  REQUIRE(out.width == 32);
  REQUIRE(out.height == 32);
  REQUIRE(out.channels == 3);
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 32; ++x) {
      for (int c = 0; c < 3; ++c) {
        const bool inside = x >= 2 && x < 30 && y >= 2 && y < 30;
        const std::uint8_t expected = inside ? image.pixels[((y - 2) * 28 + (x - 2)) * 3 + c] : 0;
        REQUIRE(out.pixels[(y * 32 + x) * 3 + c] == expected);
      }
    }
  }
  // A larger image is first fitted to the inner size, as resize_and_center_crop does.
  const Image big = pattern_image(80, 56, 1);
  const Image inner = synthgen::io::resize_and_center_crop(big, 28);
  const Image fitted = fit_with_border(big, 32, 2);
  CHECK(fitted.pixels[2 * 32 + 2] == inner.pixels[0]);
  CHECK(fitted.pixels[29 * 32 + 29] == inner.pixels[27 * 28 + 27]);
  CHECK(fit_with_border(image, 28, 0).pixels == image.pixels);
  CHECK_THROWS_WITH(fit_with_border(image, 32, 16), Contains("border 16 does not fit in size 32"));
}

TEST_CASE("resize_image and convert_channels", "[io]") {
  SECTION("a constant image stays constant at any size") {
    const Image flat{10, 10, 3, std::vector<std::uint8_t>(300, 77)};
    const Image up = synthgen::io::resize_image(flat, 23, 31);
    CHECK(up.width == 23);
    CHECK(up.height == 31);
    CHECK(up.pixels == std::vector<std::uint8_t>(23 * 31 * 3, 77));
  }
  SECTION("grey to RGB replicates, and back is exact") {
    const Image grey = pattern_image(6, 4, 1);
    const Image rgb = synthgen::io::convert_channels(grey, 3);
    REQUIRE(rgb.channels == 3);
    for (std::size_t i = 0; i < grey.pixels.size(); ++i) {
      CHECK(rgb.pixels[3 * i] == grey.pixels[i]);
      CHECK(rgb.pixels[3 * i + 1] == grey.pixels[i]);
      CHECK(rgb.pixels[3 * i + 2] == grey.pixels[i]);
    }
    CHECK(synthgen::io::convert_channels(rgb, 1).pixels == grey.pixels);
  }
  SECTION("RGB to grey uses (77 r + 150 g + 29 b) >> 8") {
    const Image rgb{2, 1, 3, {255, 0, 0, 10, 200, 30}};
    const Image grey = synthgen::io::convert_channels(rgb, 1);
    CHECK(grey.pixels == std::vector<std::uint8_t>{(77 * 255) >> 8, (77 * 10 + 150 * 200 + 29 * 30) >> 8});
  }
  SECTION("other conversions are refused") {
    CHECK_THROWS_AS(synthgen::io::convert_channels(pattern_image(2, 2, 4), 1), synthgen::UsageError);
  }
}

TEST_CASE("a JPEG Huffman table with over 256 codes is refused", "[io]") {
  // Debian's stb writes past its tables on such files (a fuzzing finding); libjpeg refuses them.
  std::vector<std::uint8_t> jpeg = synthgen::io::encode_jpeg(pattern_image(32, 24, 3), 90);
  std::size_t dht = 0;
  for (std::size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc4) {
      dht = i;
      break;
    }
  }
  REQUIRE(dht != 0);
  // Segment: FF C4, length (2 bytes), class/id, 16 code counts. Raise the counts' sum past 256.
  for (int i = 0; i < 16; ++i) jpeg[dht + 5 + i] = 255;
  CHECK_THROWS_WITH(decode(jpeg, 3), Contains("'img.bin'") && Contains("corrupt JPEG data (libjpeg: "));
  // stb would take FF FF D8 for a start-of-image marker and decode the file itself; it must go
  // to libjpeg as well.
  jpeg.insert(jpeg.begin(), 0xff);
  CHECK_THROWS_WITH(decode(jpeg, 3), Contains("corrupt JPEG data (libjpeg: "));
}

TEST_CASE("the fuzzers' seeds and past findings decode or are refused, never crash", "[io]") {
  namespace fs = std::filesystem;
  const fs::path fuzz_dir = fs::path(SYNTHGEN_SOURCE_DIR) / "tests" / "fuzz";
  // Seeds named after what they hold: whole files of supported formats must decode; damaged ones
  // (truncated, huge header, empty, unsupported) must be refused with an error.
  int seeds = 0;
  for (const auto& entry : fs::directory_iterator(fuzz_dir / "corpus" / "image")) {
    const std::string name = entry.path().filename().string();
    const bool damaged = name.rfind("truncated", 0) == 0 || name.rfind("huge", 0) == 0 ||
                         name.rfind("unsupported", 0) == 0 || name.rfind("empty", 0) == 0;
    INFO(name);
    const std::vector<std::uint8_t> bytes = synthgen::io::read_file_bytes(entry.path().string());
    if (damaged) {
      CHECK_THROWS_AS(decode(bytes, 3), RuntimeError);
    } else {
      const Image image = decode(bytes, 3);
      CHECK(image.width == 10);
      CHECK(image.height == 12);
    }
    ++seeds;
  }
  CHECK(seeds >= 20);
  for (const auto& entry : fs::directory_iterator(fuzz_dir / "regressions" / "image")) {
    INFO(entry.path().filename().string());
    const std::vector<std::uint8_t> bytes = synthgen::io::read_file_bytes(entry.path().string());
    CHECK_THROWS_AS(decode(bytes, 3), RuntimeError);
  }
}
