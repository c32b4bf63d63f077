#include "synthgen/io/checkpoint.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>

#include "little_endian.h"
#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

namespace synthgen::io {
namespace {

namespace fs = std::filesystem;

// Footer: 8-byte magic, payload size (u64, little endian), CRC-32 of the payload (u32), 4 zero bytes.
constexpr char kFooterMagic[8] = {'S', 'G', 'C', 'K', 'P', 'T', '0', '1'};
constexpr std::size_t kFooterSize = 24;

std::uint32_t checksum(const std::uint8_t* data, std::size_t size) {
  return static_cast<std::uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0), data, size));
}

template <class T>
T read_meta_value(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue value;
  if (!archive.try_read("synthgen/" + key, value)) {
    throw RuntimeError(
        fmt::format("checkpoint '{}' has no 'synthgen/{}' entry: not a synthgen "
                    "checkpoint or a damaged one",
                    path, key));
  }
  if constexpr (std::is_same_v<T, std::string>) {
    return value.toStringRef();
  } else {
    return value.toInt();
  }
}

}  // namespace

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const ArchiveWriter& write_body) {
  torch::serialize::OutputArchive archive;
  archive.write("synthgen/format", c10::IValue(meta.format));
  archive.write("synthgen/family", c10::IValue(meta.family));
  archive.write("synthgen/config", c10::IValue(meta.config_yaml));
  archive.write("synthgen/step", c10::IValue(meta.step));
  archive.write("synthgen/version", c10::IValue(meta.version));
  write_body(archive);

  std::vector<std::uint8_t> bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) -> std::size_t {
    const auto* begin = static_cast<const std::uint8_t*>(data);
    bytes.insert(bytes.end(), begin, begin + size);
    return size;
  });
  const std::size_t payload_size = bytes.size();
  const std::uint32_t crc = checksum(bytes.data(), payload_size);
  bytes.insert(bytes.end(), kFooterMagic, kFooterMagic + sizeof(kFooterMagic));
  put_le(bytes, payload_size, 8);
  put_le(bytes, crc, 4);
  put_le(bytes, 0, 4);
  write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/true);
}

LoadedCheckpoint load_checkpoint(const std::string& path, const torch::Device& device) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  if (bytes.size() < kFooterSize ||
      std::memcmp(bytes.data() + bytes.size() - kFooterSize, kFooterMagic, sizeof(kFooterMagic)) != 0) {
    throw RuntimeError(
        fmt::format("checkpoint '{}' is incomplete or not a synthgen checkpoint: its closing record is missing "
                    "({} bytes)",
                    path, bytes.size()));
  }
  const std::uint8_t* footer = bytes.data() + bytes.size() - kFooterSize + sizeof(kFooterMagic);
  const std::uint64_t payload_size = get_le(footer, 8);
  const auto stored_crc = static_cast<std::uint32_t>(get_le(footer + 8, 4));
  if (payload_size != bytes.size() - kFooterSize) {
    throw RuntimeError(fmt::format("checkpoint '{}' is damaged: footer says {} bytes, file holds {}", path,
                                   payload_size, bytes.size() - kFooterSize));
  }
  if (checksum(bytes.data(), payload_size) != stored_crc) {
    throw RuntimeError(fmt::format("checkpoint '{}' is damaged: checksum mismatch", path));
  }

  LoadedCheckpoint loaded;
  try {
    loaded.archive.load_from(reinterpret_cast<const char*>(bytes.data()), payload_size, device);
  } catch (const c10::Error& e) {
    throw RuntimeError(fmt::format("checkpoint '{}' cannot be read: {}", path, e.what_without_backtrace()));
  }
  CheckpointMeta& meta = loaded.meta;
  meta.format = read_meta_value<std::int64_t>(loaded.archive, "format", path);
  if (meta.format != kCheckpointFormat) {
    throw RuntimeError(fmt::format("checkpoint '{}' has format version {}; this synthgen reads version {}", path,
                                   meta.format, kCheckpointFormat));
  }
  meta.family = read_meta_value<std::string>(loaded.archive, "family", path);
  meta.config_yaml = read_meta_value<std::string>(loaded.archive, "config", path);
  meta.step = read_meta_value<std::int64_t>(loaded.archive, "step", path);
  meta.version = read_meta_value<std::string>(loaded.archive, "version", path);
  return loaded;
}

CheckpointMeta read_checkpoint_meta(const std::string& path) { return load_checkpoint(path).meta; }

std::string resolve_checkpoint_path(const std::string& file_or_run_dir) {
  std::error_code ec;
  if (fs::is_directory(file_or_run_dir, ec)) {
    const fs::path latest = fs::path(file_or_run_dir) / "checkpoints" / "latest.ckpt";
    if (!fs::exists(latest, ec)) {
      throw UsageError(
          fmt::format("'{}' is a folder without checkpoints/latest.ckpt: expected a "
                      "checkpoint file or a run folder",
                      file_or_run_dir));
    }
    return latest.string();
  }
  if (!fs::exists(file_or_run_dir, ec)) {
    throw UsageError(fmt::format("checkpoint '{}' does not exist", file_or_run_dir));
  }
  return file_or_run_dir;
}

}  // namespace synthgen::io
