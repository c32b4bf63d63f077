#include "synthgen/data/idx.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <cstring>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen::data {
namespace {

std::uint32_t big_endian_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& compressed, const std::string& path) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw RuntimeError("zlib initialisation failed");
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(1 << 20);
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      throw RuntimeError(fmt::format("'{}' is not valid gzip data (zlib: {})", path,
                                     stream.msg != nullptr ? stream.msg : "truncated"));
    }
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      throw RuntimeError(fmt::format("'{}' is a truncated gzip file", path));
    }
  }
  inflateEnd(&stream);
  return out;
}

// Checks the header and returns the dimensions; the payload starts after 4 + 4 * dims bytes.
std::vector<std::int64_t> idx_dims(const std::vector<std::uint8_t>& bytes, std::uint32_t magic,
                                   const std::string& path) {
  if (bytes.size() < 4 || big_endian_u32(bytes.data()) != magic) {
    throw RuntimeError(fmt::format("'{}' is not an IDX file of this kind: expected magic 0x{:08x}, found {}", path,
                                   magic,
                                   bytes.size() < 4 ? std::string("a file under 4 bytes")
                                                    : fmt::format("0x{:08x}", big_endian_u32(bytes.data()))));
  }
  const std::size_t rank = magic & 0xFF;
  if (bytes.size() < 4 + 4 * rank) throw RuntimeError(fmt::format("'{}' has a truncated IDX header", path));
  std::vector<std::int64_t> dims;
  std::size_t expected = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * i));
    expected *= static_cast<std::size_t>(dims.back());
  }
  const std::size_t payload = bytes.size() - 4 - 4 * rank;
  if (payload != expected) {
    throw RuntimeError(fmt::format("'{}' holds {} bytes of data, its header says {} ({}): {}", path, payload, expected,
                                   fmt::join(dims, "x"), payload < expected ? "truncated" : "corrupt"));
  }
  return dims;
}

torch::Tensor payload_tensor(const std::vector<std::uint8_t>& bytes, std::size_t header,
                             const std::vector<std::int64_t>& dims) {
  torch::Tensor tensor = torch::empty(dims, torch::kUInt8);
  std::memcpy(tensor.data_ptr<std::uint8_t>(), bytes.data() + header, bytes.size() - header);
  return tensor;
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path) {
  std::vector<std::uint8_t> bytes = io::read_file_bytes(path);
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return gunzip(bytes, path);
  return bytes;
}

torch::Tensor read_idx_images(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzipped(path);
  const std::vector<std::int64_t> dims = idx_dims(bytes, 0x00000803, path);
  return payload_tensor(bytes, 16, dims);
}

torch::Tensor read_idx_labels(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzipped(path);
  const std::vector<std::int64_t> dims = idx_dims(bytes, 0x00000801, path);
  return payload_tensor(bytes, 8, dims).to(torch::kInt64);
}

}  // namespace synthgen::data
