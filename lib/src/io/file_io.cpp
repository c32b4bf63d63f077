#include "synthgen/io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "synthgen/core/error.h"

namespace synthgen::io {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

[[noreturn]] void throw_read_error(const std::string& path, int error) {
  throw RuntimeError("cannot read '" + path + "': " + errno_text(error));
}

[[noreturn]] void throw_write_error(const std::string& path, int error) {
  throw RuntimeError("cannot write '" + path + "': " + errno_text(error));
}

// Closes a descriptor on scope exit unless released; used only on error paths, where the close
// result no longer matters.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// A name no other writer uses: hidden (so folder scans skip it), with pid, a process-wide counter
// and a clock reading. O_EXCL still guards against the unlikely clash.
std::string temporary_name(const std::filesystem::path& target) {
  static std::atomic<std::uint64_t> counter{0};
  const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string name = "." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                           std::to_string(counter++) + "." +
                           std::to_string(static_cast<std::uint64_t>(ticks) % 1000000007ull);
  return (target.parent_path() / name).string();
}

void write_all(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_write_error(path, errno);
    }
    // write() returning 0 for a non-empty buffer would loop forever; it means no space.
    if (written == 0) throw_write_error(path, ENOSPC);
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void fsync_folder(const std::filesystem::path& folder, const std::string& path) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_write_error(path, errno);
  FdGuard guard(fd);
  if (::fsync(fd) != 0) throw_write_error(path, errno);
  if (::close(guard.release()) != 0) throw_write_error(path, errno);
}

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_read_error(path, errno);
  FdGuard guard(fd);

  struct stat info {};
  if (::fstat(fd, &info) != 0) throw_read_error(path, errno);
  if (S_ISDIR(info.st_mode)) throw_read_error(path, EISDIR);

  std::vector<std::uint8_t> bytes;
  // The size is a hint only: read to end of file, so that files that change size still work.
  std::size_t capacity = S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : 0;
  bytes.resize(std::max<std::size_t>(capacity, 4096));
  std::size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t got = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_read_error(path, errno);
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  bytes.resize(used);
  if (::close(guard.release()) != 0) throw_read_error(path, errno);
  return bytes;
}

void write_file_atomic(const std::string& path, const void* data, std::size_t size, bool sync) {
  std::filesystem::path target(path);
  if (target.filename().empty()) throw_write_error(path, EISDIR);
  if (target.parent_path().empty()) target = std::filesystem::path(".") / target;
  const std::filesystem::path folder = target.parent_path();

  std::string temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temporary = temporary_name(target);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && !(errno == EEXIST && attempt < 16) && errno != EINTR) {
      throw_write_error(path, errno);
    }
  }

  FdGuard guard(fd);
  try {
    write_all(fd, static_cast<const std::uint8_t*>(data), size, path);
    if (sync && ::fsync(fd) != 0) throw_write_error(path, errno);
    // close() can report a delayed write error (NFS, quota): it is checked like write().
    if (::close(guard.release()) != 0) throw_write_error(path, errno);
    if (::rename(temporary.c_str(), target.c_str()) != 0) throw_write_error(path, errno);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  // The new file is in place; syncing the folder makes the rename itself durable.
  if (sync) fsync_folder(folder, path);
}

bool is_inside_folder(const std::string& path, const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return false;
  const fs::path outer = fs::weakly_canonical(folder, ec);
  if (ec) return false;
  const fs::path inner = fs::weakly_canonical(path, ec);
  if (ec) return false;
  auto part = inner.begin();
  for (const fs::path& element : outer) {
    if (element.empty()) continue;  // a trailing separator
    if (part == inner.end() || *part != element) return false;
    ++part;
  }
  return true;
}

int remove_stale_temporaries(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int removed = 0;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos && it->is_regular_file(ec) &&
        fs::remove(it->path(), ec)) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace synthgen::io
