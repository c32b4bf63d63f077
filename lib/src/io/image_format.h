// Format sniffing and cheap completeness checks on encoded image bytes, run before stb decodes:
// stb reads past the end of truncated data as zeros and so accepts some cut-off files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace synthgen::io {

enum class ImageFormat { kPng, kJpeg, kBmp, kUnknown };

// The format named by the leading magic bytes. TGA has no magic and reads as kUnknown.
ImageFormat sniff_format(const std::uint8_t* data, std::size_t size);

// The name of a well-known format we do not decode (GIF, PSD, WebP, ...), or "" when the bytes do
// not start like one.
std::string sniff_unsupported_format(const std::uint8_t* data, std::size_t size);

// The sides a PNG, JPEG or BMP header announces, read without stb (whose header parser refuses
// some huge sizes with a vague message); false when the header is cut short or has no frame.
bool header_dimensions(ImageFormat format, const std::uint8_t* data, std::size_t size, std::uint32_t* width,
                       std::uint32_t* height);

// Whether the chunks run intact up to IEND.
bool png_is_complete(const std::uint8_t* data, std::size_t size);
// Whether the marker segments lead to a scan, and an end-of-image marker (FF D9) follows it. The
// segments are walked with their lengths, so an EOI inside an embedded thumbnail does not count.
bool jpeg_is_complete(const std::uint8_t* data, std::size_t size);
// Whether an uncompressed bitmap holds every row its header announces (other kinds: true).
bool bmp_is_complete(const std::uint8_t* data, std::size_t size);
// Whether TGA data holds every pixel its header announces, walking RLE packets when compressed.
bool tga_is_complete(const std::uint8_t* data, std::size_t size);

}  // namespace synthgen::io
