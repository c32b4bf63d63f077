#include "test_support.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "synthgen/config/load.h"
#include "synthgen/core/csv.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/tasks/train_task.h"

namespace synthgen::testing {

namespace fs = std::filesystem;

void copy_trainer_state(train::Trainer& from, train::Trainer& to) {
  torch::serialize::OutputArchive out;
  from.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  std::istringstream in_bytes(bytes.str());
  torch::serialize::InputArchive in;
  in.load_from(in_bytes);
  to.load(in);
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "synthgen-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::file(const std::string& relative) const {
  const fs::path full = path_ / relative;
  fs::create_directories(full.parent_path());
  return full.string();
}

io::Image pattern_image(int width, int height, int channels, int salt) {
  io::Image image{width, height, channels, {}};
  image.pixels.resize(static_cast<std::size_t>(width) * height * channels);
  std::size_t i = 0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        image.pixels[i++] = static_cast<std::uint8_t>((x * 7 + y * 13 + c * 61 + salt * 29) % 256);
      }
    }
  }
  return image;
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  io::write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/false);
}

std::vector<std::uint8_t> png_claiming_size(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> png = io::encode_png(pattern_image(4, 4, 1));
  auto put_be32 = [&](std::size_t at, std::uint32_t value) {
    for (int b = 0; b < 4; ++b) png[at + b] = static_cast<std::uint8_t>(value >> (24 - 8 * b));
  };
  // Signature (8), IHDR length (4), "IHDR" at 12, width at 16, height at 20, CRC at 29.
  put_be32(16, width);
  put_be32(20, height);
  put_be32(29, static_cast<std::uint32_t>(crc32(0, png.data() + 12, 17)));
  return png;
}

void write_test_png(const fs::path& path, int width, int height, int channels, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  io::Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.resize(static_cast<std::size_t>(width * height * channels));
  const double cx = unit(rng) * width;
  const double cy = unit(rng) * height;
  const double radius = (0.2 + 0.3 * unit(rng)) * width;
  for (int c = 0; c < channels; ++c) {
    const double tint = 0.5 + 0.5 * unit(rng);
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const double d = std::hypot(x - cx, y - cy) / radius;
        const double value = 255.0 * tint * std::exp(-d * d);
        image.pixels[static_cast<std::size_t>((y * width + x) * channels + c)] =
            static_cast<std::uint8_t>(std::min(255.0, value));
      }
    }
  }
  fs::create_directories(path.parent_path());
  const std::vector<std::uint8_t> bytes = io::encode_png(image);
  io::write_file_atomic(path.string(), bytes.data(), bytes.size(), false);
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), read);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string final_error_line(const std::string& output) {
  const std::size_t start = output.rfind("synthgen: error:");
  if (start == std::string::npos) return "";
  const std::size_t end = output.find('\n', start);
  if (end != std::string::npos && end + 1 != output.size()) return "";
  return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string synthgen_binary() { return SYNTHGEN_BINARY; }

std::string write_config_file(const TempDir& dir, const Config& config, const std::string& name) {
  const std::string path = (dir / name).string();
  const std::string text = dump_config(config);
  io::write_file_atomic(path, text.data(), text.size(), false);
  return path;
}

std::vector<std::map<std::string, std::string>> csv_records(const std::filesystem::path& path) {
  const std::vector<std::uint8_t> bytes = io::read_file_bytes(path.string());
  const std::vector<CsvRow> rows = parse_csv(std::string(bytes.begin(), bytes.end()), path.string());
  std::vector<std::map<std::string, std::string>> records;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].fields.size() == rows[0].fields.size());
    std::map<std::string, std::string> record;
    for (std::size_t j = 0; j < rows[i].fields.size(); ++j) record[rows[0].fields[j]] = rows[i].fields[j];
    records.push_back(record);
  }
  return records;
}

train::DataInfo data_info_with_classes(std::int64_t classes) {
  train::DataInfo info;
  info.num_classes = classes;
  for (std::int64_t i = 0; i < classes; ++i) info.class_names.push_back(fmt::format("class{}", i));
  return info;
}

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::vector<std::string> visible_entries(const fs::path& folder) {
  std::vector<std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().filename().string()[0] != '.') {
      entries.push_back(entry.path().lexically_relative(folder).generic_string());
    }
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void train_straight_and_in_halves(const TempDir& dir, const std::string& config_path, std::int64_t half_steps,
                                  std::int64_t steps) {
  TrainRequest straight;
  straight.config_path = config_path;
  straight.out_dir = (dir / "straight").string();
  straight.overrides = {fmt::format("train.steps={}", steps)};
  REQUIRE(run_train(straight) == 0);
  TrainRequest first_half = straight;
  first_half.out_dir = (dir / "halves").string();
  first_half.overrides = {fmt::format("train.steps={}", half_steps)};
  REQUIRE(run_train(first_half) == 0);
  TrainRequest second_half;
  second_half.resume_dir = first_half.out_dir;
  second_half.overrides = {fmt::format("train.steps={}", steps)};
  REQUIRE(run_train(second_half) == 0);
}

Config tiny_config(const std::string& data_folder) {
  Config config;
  config.model.family = "dcgan";
  config.model.latent_dim = 16;
  config.model.base_channels = 8;
  config.data.source = "folder";
  config.data.path = data_folder;
  config.data.image_size = 16;
  config.data.channels = 3;
  config.train.steps = 6;
  config.train.batch_size = 8;
  config.train.log_every = 2;
  config.train.sample_every = 3;
  config.train.checkpoint_every = 3;
  config.train.grid_size = 4;
  config.run.device = "cpu";
  config.run.threads = 1;
  config.run.seed = 7;
  return config;
}

}  // namespace synthgen::testing
