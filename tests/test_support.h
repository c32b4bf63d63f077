// Helpers shared by the tests: temporary folders, small image files, running the binary.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "synthgen/config/config.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/train/trainer.h"

namespace synthgen::testing {

// A fresh folder under the system temp folder, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // The path of `relative` inside, with its parent folders created.
  std::string file(const std::string& relative) const;

 private:
  std::filesystem::path path_;
};

// Saves `from` into an in-memory checkpoint archive and loads that into `to`: a checkpoint round
// trip without files.
void copy_trainer_state(train::Trainer& from, train::Trainer& to);

// A deterministic, non-constant image: every pixel value depends on x, y and the channel.
io::Image pattern_image(int width, int height, int channels, int salt = 0);

// Writes bytes to `path` (parent folders created).
void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes);

// A valid PNG whose IHDR claims width x height (with a correct chunk CRC) while its pixel data is
// that of a 4x4 image: decoding it for real would fail or allocate gigabytes.
std::vector<std::uint8_t> png_claiming_size(std::uint32_t width, std::uint32_t height);

// A PNG of smooth random blobs, different for each seed.
void write_test_png(const std::filesystem::path& path, int width, int height, int channels, std::uint64_t seed);

// Runs a shell command, capturing stdout and stderr together.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

// The one line, without its newline, from the last "synthgen: error:" in a command's output to its
// end; "" when there is no such line or more text follows it (the error must be one line).
std::string final_error_line(const std::string& output);

// The synthgen binary built beside the tests.
std::string synthgen_binary();

// Trains the config at `config_path` into dir/"straight" in one session, and into dir/"halves" in
// two: up to `half_steps`, then resumed up to `steps`. REQUIREs that every session succeeds.
void train_straight_and_in_halves(const TempDir& dir, const std::string& config_path, std::int64_t half_steps,
                                  std::int64_t steps);

// Writes `config` as YAML to dir/name and returns the path.
std::string write_config_file(const TempDir& dir, const Config& config, const std::string& name = "config.yaml");

// The entries under `folder`, recursively, as sorted '/'-separated relative paths, leaving out
// hidden names (synthgen's record of its outputs): what a reader of an output folder sees.
std::vector<std::string> visible_entries(const std::filesystem::path& folder);

// The rows of a CSV file with a header line, each as {column name: field}; REQUIREs every row to
// have as many fields as the header.
std::vector<std::map<std::string, std::string>> csv_records(const std::filesystem::path& path);

// The lines of a text file.
std::vector<std::string> read_lines(const std::filesystem::path& path);

// Data info for `classes` classes named class0, class1, ...
train::DataInfo data_info_with_classes(std::int64_t classes);

// A path in single quotes, for shell commands.
std::string quoted(const std::filesystem::path& path);

// A small, fast config: tiny DCGAN on a folder of 16x16 images, CPU, one thread.
Config tiny_config(const std::string& data_folder);

}  // namespace synthgen::testing
