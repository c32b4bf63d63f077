#include "image_format.h"

#include <cstring>

namespace synthgen::io {
namespace {

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}
std::uint32_t read_le16(const std::uint8_t* p) { return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8); }
std::uint32_t read_le32(const std::uint8_t* p) { return read_le16(p) | (read_le16(p + 2) << 16); }

// The offset just past the start-of-image marker, or 0 when there is none. Like stb, any number of
// FF fill bytes may come before the D8 (stb decodes FF FF D8 ... as a JPEG).
std::size_t jpeg_soi_end(const std::uint8_t* data, std::size_t size) {
  std::size_t pos = 0;
  if (size == 0 || data[0] != 0xff) return 0;
  while (pos < size && data[pos] == 0xff) ++pos;
  return pos < size && data[pos] == 0xd8 ? pos + 1 : 0;
}

// Calls visit(code, segment) for each marker segment from SOI up to the first SOS (segment points
// at the two length bytes, which are known to lie inside the data). Returns the offset just past
// the SOS segment, or 0 when the segments are broken or end before a scan.
template <class Visit>
std::size_t walk_jpeg_headers(const std::uint8_t* data, std::size_t size, Visit&& visit) {
  std::size_t pos = jpeg_soi_end(data, size);
  if (pos == 0) return 0;
  for (;;) {
    if (pos >= size || data[pos] != 0xff) return 0;
    while (pos < size && data[pos] == 0xff) ++pos;  // fill bytes may precede a marker
    if (pos >= size) return 0;
    const std::uint8_t code = data[pos++];
    if (code == 0xd9) return 0;                                    // EOI before any scan: no image
    if ((code >= 0xd0 && code <= 0xd7) || code == 0x01) continue;  // markers without a segment
    if (size - pos < 2) return 0;
    const std::size_t length = (std::size_t{data[pos]} << 8) | data[pos + 1];
    if (length < 2 || size - pos < length) return 0;
    visit(code, data + pos);
    pos += length;
    if (code == 0xda) return pos;  // SOS: entropy-coded data follows
  }
}

}  // namespace

ImageFormat sniff_format(const std::uint8_t* data, std::size_t size) {
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n", 8)) return ImageFormat::kPng;
  if (jpeg_soi_end(data, size) != 0) return ImageFormat::kJpeg;
  if (starts_with(data, size, "BM", 2)) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

std::string sniff_unsupported_format(const std::uint8_t* data, std::size_t size) {
  if (starts_with(data, size, "GIF87a", 6) || starts_with(data, size, "GIF89a", 6)) return "GIF";
  if (starts_with(data, size, "8BPS", 4)) return "PSD";
  if (starts_with(data, size, "#?RADIANCE", 10) || starts_with(data, size, "#?RGBE", 6)) {
    return "HDR";
  }
  if (starts_with(data, size, "\x53\x80\xf6\x34", 4)) return "PIC";
  if (size >= 3 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7' &&
      (data[2] == '\n' || data[2] == '\r' || data[2] == ' ' || data[2] == '\t')) {
    return "PNM";
  }
  if (size >= 12 && starts_with(data, size, "RIFF", 4) && std::memcmp(data + 8, "WEBP", 4) == 0) {
    return "WebP";
  }
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) return "TIFF";
  if (size >= 12 && std::memcmp(data + 4, "ftyp", 4) == 0) return "HEIF/AVIF";
  if (starts_with(data, size, "qoif", 4)) return "QOI";
  return "";
}

bool header_dimensions(ImageFormat format, const std::uint8_t* data, std::size_t size, std::uint32_t* width,
                       std::uint32_t* height) {
  switch (format) {
    case ImageFormat::kPng:
      // The signature, then IHDR: length, type, width, height.
      if (size < 24 || std::memcmp(data + 12, "IHDR", 4) != 0) return false;
      *width = read_be32(data + 16);
      *height = read_be32(data + 20);
      return true;
    case ImageFormat::kJpeg: {
      bool found = false;
      walk_jpeg_headers(data, size, [&](std::uint8_t code, const std::uint8_t* segment) {
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width.
        const bool frame = code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc;
        const std::size_t length = (std::size_t{segment[0]} << 8) | segment[1];
        if (frame && !found && length >= 7) {
          *height = (std::uint32_t{segment[3]} << 8) | segment[4];
          *width = (std::uint32_t{segment[5]} << 8) | segment[6];
          found = true;
        }
      });
      return found;
    }
    case ImageFormat::kBmp: {
      if (size < 26) return false;
      if (read_le32(data + 14) == 12) {  // OS/2 BITMAPCOREHEADER
        *width = read_le16(data + 18);
        *height = read_le16(data + 20);
        return true;
      }
      const auto signed_height = static_cast<std::int32_t>(read_le32(data + 22));
      *width = read_le32(data + 18);
      *height = signed_height < 0 ? 0u - static_cast<std::uint32_t>(signed_height)
                                  : static_cast<std::uint32_t>(signed_height);
      return true;
    }
    case ImageFormat::kUnknown:
      break;
  }
  return false;
}

bool png_is_complete(const std::uint8_t* data, std::size_t size) {
  std::size_t pos = 8;  // after the signature
  while (size - pos >= 12) {
    const std::uint32_t length = read_be32(data + pos);
    if (length > 0x7fffffffu) return false;  // the PNG spec's limit
    if (size - pos - 12 < length) return false;
    if (std::memcmp(data + pos + 4, "IEND", 4) == 0) return true;
    pos += 12 + length;
  }
  return false;
}

bool jpeg_is_complete(const std::uint8_t* data, std::size_t size) {
  const std::size_t scan = walk_jpeg_headers(data, size, [](std::uint8_t, const std::uint8_t*) {});
  if (scan == 0) return false;
  // Inside entropy-coded data a 0xFF byte is always followed by 0x00 or a marker, so the first
  // FF D9 after the first scan is the end of the image; search from the end, where it usually is.
  for (std::size_t i = size - 1; i > scan; --i) {
    if (data[i] == 0xd9 && data[i - 1] == 0xff) return true;
  }
  return false;
}

bool bmp_is_complete(const std::uint8_t* data, std::size_t size) {
  if (size < 26) return false;
  const std::uint64_t offset = read_le32(data + 10);
  const std::uint32_t header_size = read_le32(data + 14);
  std::uint64_t width, height, bits, compression;
  if (header_size == 12) {  // OS/2 BITMAPCOREHEADER
    width = read_le16(data + 18);
    height = read_le16(data + 20);
    bits = read_le16(data + 24);
    compression = 0;
  } else {
    if (size < 34) return false;
    width = read_le32(data + 18);
    const auto signed_height = static_cast<std::int32_t>(read_le32(data + 22));
    height = signed_height < 0 ? -static_cast<std::int64_t>(signed_height) : signed_height;
    bits = read_le16(data + 28);
    compression = read_le32(data + 30);
  }
  // Only uncompressed rows (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS) have a known length.
  if (compression != 0 && compression != 3 && compression != 6) return true;
  if (width == 0 || height == 0 || width > 0xffffff || height > 0xffffff) return true;
  const std::uint64_t stride = (width * bits + 31) / 32 * 4;
  const std::uint64_t last_row = (width * bits + 7) / 8;  // some writers omit the final padding
  return offset + stride * (height - 1) + last_row <= size;
}

bool tga_is_complete(const std::uint8_t* data, std::size_t size) {
  if (size < 18) return false;
  const std::uint32_t id_length = data[0];
  const std::uint32_t colormap_type = data[1];
  const std::uint32_t image_type = data[2];
  const std::uint32_t colormap_length = read_le16(data + 5);
  const std::uint32_t colormap_bits = data[7];
  const std::uint64_t pixels = std::uint64_t{read_le16(data + 12)} * read_le16(data + 14);
  const std::uint32_t pixel_bytes = (data[16] + 7u) / 8u;
  if (pixel_bytes == 0) return false;
  std::uint64_t pos = 18 + id_length;
  if (colormap_type == 1) pos += std::uint64_t{colormap_length} * ((colormap_bits + 7) / 8);
  if (image_type < 8) return pos + pixels * pixel_bytes <= size;
  // RLE: each packet is a header byte, then one pixel repeated or up to 128 literal pixels.
  std::uint64_t covered = 0;
  while (covered < pixels) {
    if (pos >= size) return false;
    const std::uint8_t header = data[pos++];
    const std::uint64_t count = (header & 0x7fu) + 1u;
    pos += (header & 0x80u) ? pixel_bytes : count * pixel_bytes;
    covered += count;
  }
  return pos <= size;
}

}  // namespace synthgen::io
