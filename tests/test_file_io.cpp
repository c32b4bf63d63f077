#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/io/file_io.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using synthgen::io::read_file_bytes;
using synthgen::io::write_file_atomic;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

// Every entry of a folder, so that a test can see that no temporary was left behind.
std::vector<std::string> folder_entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Lowers the file size limit so that writes past it fail with EFBIG, as on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // report EFBIG instead of killing the process
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lowered);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int);
};

}  // namespace

TEST_CASE("write_file_atomic writes, replaces, and leaves nothing behind", "[io]") {
  synthgen::testing::TempDir dir;
  const std::string path = dir.file("out.bin");

  SECTION("write, then replace") {
    for (bool sync : {false, true}) {
      const auto first = bytes_of(sync ? "first synced" : "first");
      write_file_atomic(path, first.data(), first.size(), sync);
      CHECK(read_file_bytes(path) == first);
      const auto second = bytes_of("a longer second content");
      write_file_atomic(path, second.data(), second.size(), sync);
      CHECK(read_file_bytes(path) == second);
      CHECK(folder_entries(dir.path()) == std::vector<std::string>{"out.bin"});
    }
  }
  SECTION("empty content and a relative path") {
    write_file_atomic(path, nullptr, 0, true);
    CHECK(read_file_bytes(path).empty());
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    const auto text = bytes_of("here");
    write_file_atomic("relative.bin", text.data(), text.size(), true);
    std::filesystem::current_path(cwd);
    CHECK(read_file_bytes(dir.file("relative.bin")) == text);
  }
  SECTION("a missing folder is an error naming the path") {
    const std::string bad = (dir.path() / "no-such-folder" / "x.bin").string();
    const auto text = bytes_of("x");
    CHECK_THROWS_WITH(write_file_atomic(bad, text.data(), text.size(), false),
                      Contains("cannot write '" + bad + "'") && Contains("No such file"));
  }
  SECTION("a failing write (file size limit, like a full disk) keeps the old file") {
    const auto old_content = bytes_of("old content");
    write_file_atomic(path, old_content.data(), old_content.size(), false);
    const std::vector<std::uint8_t> big(1 << 20, 0xab);
    {
      FileSizeLimit limit(64 * 1024);
      CHECK_THROWS_WITH(write_file_atomic(path, big.data(), big.size(), true),
                        Contains("cannot write '" + path + "'") && Contains("too large"));
    }
    CHECK(read_file_bytes(path) == old_content);
    CHECK(folder_entries(dir.path()) == std::vector<std::string>{"out.bin"});
  }
  SECTION("a folder in the way of the target keeps it and removes the temporary") {
    std::filesystem::create_directories(dir.path() / "taken");
    const auto text = bytes_of("x");
    CHECK_THROWS_AS(write_file_atomic(dir.file("taken"), text.data(), text.size(), false), synthgen::RuntimeError);
    CHECK(std::filesystem::is_directory(dir.path() / "taken"));
    CHECK(folder_entries(dir.path()) == std::vector<std::string>{"taken"});
  }
}

TEST_CASE("read_file_bytes reads whole files and checks errors", "[io]") {
  synthgen::testing::TempDir dir;
  std::vector<std::uint8_t> data(300000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31);
  const std::string path = dir.file("data.bin");
  write_file_atomic(path, data.data(), data.size(), false);
  CHECK(read_file_bytes(path) == data);
  CHECK_THROWS_WITH(read_file_bytes(dir.path().string()),
                    Contains("cannot read '" + dir.path().string() + "'") && Contains("directory"));
  CHECK_THROWS_WITH(read_file_bytes(dir.file("none")), Contains("No such file"));
}

TEST_CASE("remove_stale_temporaries deletes only what an interrupted write left", "[io]") {
  synthgen::testing::TempDir dir;
  const auto text = bytes_of("keep");
  for (const char* name : {"a.ckpt", ".hidden", "b.tmp.png", ".a.ckpt.tmp.123.0.456", ".x.png.tmp.9.1.2"}) {
    write_file_atomic(dir.file(name), text.data(), text.size(), false);
  }
  std::filesystem::create_directories(dir.path() / ".dir.tmp.1");  // not a file: kept
  CHECK(synthgen::io::remove_stale_temporaries(dir.path().string()) == 2);
  CHECK(folder_entries(dir.path()) == std::vector<std::string>{".dir.tmp.1", ".hidden", "a.ckpt", "b.tmp.png"});
  CHECK(synthgen::io::remove_stale_temporaries(dir.file("missing")) == 0);
}

TEST_CASE("is_inside_folder compares whole path elements", "[io]") {
  synthgen::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "data" / "sub");
  std::filesystem::create_directories(dir.path() / "database");
  const std::string data = (dir.path() / "data").string();
  CHECK(synthgen::io::is_inside_folder(data, data));
  CHECK(synthgen::io::is_inside_folder(data + "/", data));
  CHECK(synthgen::io::is_inside_folder((dir.path() / "data" / "sub" / "new" / "x").string(), data));
  CHECK(synthgen::io::is_inside_folder((dir.path() / "data" / "sub" / ".." / "y").string(), data + "/"));
  CHECK_FALSE(synthgen::io::is_inside_folder((dir.path() / "database").string(), data));
  CHECK_FALSE(synthgen::io::is_inside_folder((dir.path() / "data" / ".." / "out").string(), data));
  CHECK_FALSE(synthgen::io::is_inside_folder(data, (dir.path() / "missing").string()));
  std::filesystem::create_directory_symlink(dir.path() / "data", dir.path() / "link");
  CHECK(synthgen::io::is_inside_folder((dir.path() / "link" / "out").string(), data));
}
