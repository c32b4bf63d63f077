#include "synthgen/io/npy.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>

#include "little_endian.h"
#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"

// The data bytes are copied as they are: the host must be little-endian, like the files.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy.cpp assumes a little-endian host");

namespace synthgen::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr std::size_t kAlign = 64;  // numpy's ARRAY_ALIGN
// numpy leaves room for the first axis to grow to this many digits (GROWTH_AXIS_MAX_DIGITS).
constexpr std::size_t kGrowthDigits = 21;

struct NpyDtype {
  const char* descr;
  torch::ScalarType type;
};
constexpr NpyDtype kDtypes[] = {
    {"<f4", torch::kFloat32}, {"<f8", torch::kFloat64}, {"|u1", torch::kUInt8},
    {"<i4", torch::kInt32},   {"<i8", torch::kInt64},
};
constexpr const char* kExpectedDtypes = "float32/float64/uint8/int32/int64";

std::optional<torch::ScalarType> dtype_of_descr(const std::string& descr) {
  for (const NpyDtype& dtype : kDtypes) {
    if (descr == dtype.descr) return dtype.type;
  }
  return std::nullopt;
}

const char* descr_of_dtype(torch::ScalarType type) {
  for (const NpyDtype& dtype : kDtypes) {
    if (type == dtype.type) return dtype.descr;
  }
  return nullptr;
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

// Parses the Python dict literal numpy writes, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = parse_string();
      expect(':');
      if (key == "descr") {
        header.descr = parse_string();
        seen_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = parse_bool();
        seen_order = true;
      } else if (key == "shape") {
        header.shape = parse_shape();
        seen_shape = true;
      } else {
        fail(fmt::format("unexpected key '{}'", key));
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!seen_descr || !seen_order || !seen_shape) {
      fail("expected the keys 'descr', 'fortran_order' and 'shape'");
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw RuntimeError(fmt::format("'{}' has a malformed npy header: {} in \"{}\"", path_, what, trimmed()));
  }

  std::string trimmed() const {
    const std::size_t end = text_.find_last_not_of(" \n");
    return text_.substr(0, end == std::string::npos ? 0 : end + 1);
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }

  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!accept(c)) fail(fmt::format("expected '{}' at offset {}", c, pos_));
  }

  std::string parse_string() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail(fmt::format("expected a quoted string at offset {}", pos_));
    }
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) fail("unterminated string");
    std::string value = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return value;
  }

  bool parse_bool() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::size_t size = std::strlen(word);
      if (text_.compare(pos_, size, word) == 0) {
        pos_ += size;
        return value;
      }
    }
    fail(fmt::format("expected True or False at offset {}", pos_));
  }

  std::vector<std::int64_t> parse_shape() {
    std::vector<std::int64_t> shape;
    expect('(');
    while (!accept(')')) {
      skip_space();
      const std::size_t start = pos_;
      std::int64_t value = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const int digit = text_[pos_++] - '0';
        if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
          fail("a dimension is too large");
        }
        value = value * 10 + digit;
      }
      if (pos_ == start) fail(fmt::format("expected a dimension at offset {}", start));
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2's long suffix
      shape.push_back(value);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  const std::string& text_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

[[noreturn]] void throw_read_error(const std::string& path) {
  throw RuntimeError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
}

// numpy's repr of the shape tuple: (), (5,), (2, 3).
std::string shape_repr(const torch::IntArrayRef& sizes) {
  std::string text = "(";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(sizes[i]);
  }
  if (sizes.size() == 1) text += ",";
  return text + ")";
}

}  // namespace

torch::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_read_error(path);
  in.seekg(0, std::ios::end);
  const std::streamoff file_size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (file_size < 0 || !in) throw_read_error(path);

  unsigned char prefix[12] = {};
  in.read(reinterpret_cast<char*>(prefix), std::min<std::streamoff>(file_size, 8));
  if (file_size < 10 || std::memcmp(prefix, kMagic, kMagicSize) != 0) {
    throw RuntimeError(fmt::format("'{}' is not an npy file: it does not start with \\x93NUMPY", path));
  }
  const int major = prefix[6], minor = prefix[7];
  if (minor != 0 || major < 1 || major > 3) {
    throw RuntimeError(fmt::format("'{}' has npy format version {}.{}; expected 1.0, 2.0 or 3.0", path, major, minor));
  }
  // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 (UTF-8 header) in 4.
  const int length_bytes = major == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(prefix + 8), length_bytes);
  const std::uint64_t header_size = get_le(prefix + 8, length_bytes);
  const std::uint64_t data_offset = 8 + length_bytes + header_size;
  if (!in || data_offset > static_cast<std::uint64_t>(file_size)) {
    throw RuntimeError(
        fmt::format("'{}' is truncated: the npy header claims {} bytes, the file "
                    "has {}",
                    path, header_size, file_size));
  }
  std::string header_text(header_size, '\0');
  in.read(header_text.data(), static_cast<std::streamsize>(header_size));
  if (!in) throw_read_error(path);

  const NpyHeader header = HeaderParser(header_text, path).parse();
  if (header.fortran_order) {
    throw RuntimeError(
        fmt::format("'{}' has fortran_order True; expected a C-order array (save np.ascontiguousarray(a))", path));
  }
  const std::optional<torch::ScalarType> type = dtype_of_descr(header.descr);
  if (!type) {
    throw RuntimeError(
        fmt::format("'{}' has unsupported dtype '{}' (expected {})", path, header.descr, kExpectedDtypes));
  }

  const std::uint64_t item_size = torch::elementSize(*type);
  std::uint64_t expected = item_size;
  for (std::int64_t dim : header.shape) {
    const auto size = static_cast<std::uint64_t>(dim);
    if (size != 0 && expected > std::numeric_limits<std::uint64_t>::max() / size) {
      throw RuntimeError(fmt::format("'{}' has an impossible npy shape {}", path, shape_repr(header.shape)));
    }
    expected *= size;
  }
  const std::uint64_t found = static_cast<std::uint64_t>(file_size) - data_offset;
  if (found < expected) {
    throw RuntimeError(fmt::format("'{}' is truncated: expected {} bytes of data, found {}", path, expected, found));
  }
  if (found > expected) {
    throw RuntimeError(
        fmt::format("'{}' has trailing bytes: expected {} bytes of data, found {}", path, expected, found));
  }

  torch::Tensor tensor = torch::empty(header.shape, torch::TensorOptions().dtype(*type));
  in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(expected));
  if (!in) throw_read_error(path);
  return tensor;
}

void write_npy(const std::string& path, const torch::Tensor& tensor) {
  const char* descr = descr_of_dtype(tensor.scalar_type());
  if (descr == nullptr) {
    throw RuntimeError(fmt::format("cannot write '{}': unsupported dtype {} (expected {})", path,
                                   c10::toString(tensor.scalar_type()), kExpectedDtypes));
  }
  const torch::Tensor data = tensor.to(torch::kCPU).contiguous();

  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape_repr(data.sizes()));
  if (data.dim() > 0) {
    header.append(kGrowthDigits - std::to_string(data.size(0)).size(), ' ');
  }
  // Magic (6), version (2) and length (2), then the header padded so that the data starts at a
  // multiple of 64; like numpy, a full 64 spaces when it already does.
  const std::size_t padding = kAlign - (10 + header.size() + 1) % kAlign;
  header.append(padding, ' ');
  header.push_back('\n');
  if (header.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw RuntimeError(fmt::format("cannot write '{}': npy header too long", path));
  }

  const std::size_t data_size = static_cast<std::size_t>(data.numel()) * data.element_size();
  std::vector<unsigned char> bytes(10 + header.size() + data_size);
  std::memcpy(bytes.data(), kMagic, kMagicSize);
  bytes[6] = 1;
  bytes[7] = 0;
  bytes[8] = static_cast<unsigned char>(header.size() & 0xFF);
  bytes[9] = static_cast<unsigned char>(header.size() >> 8);
  std::memcpy(bytes.data() + 10, header.data(), header.size());
  if (data_size > 0) std::memcpy(bytes.data() + 10 + header.size(), data.data_ptr(), data_size);
  write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/false);
}

}  // namespace synthgen::io
