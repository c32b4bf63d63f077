#include "synthgen/core/log.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace synthgen {
namespace {

std::mutex g_log_mutex;
bool g_status_shown = false;  // guarded by g_log_mutex

void clear_status_locked() {
  if (g_status_shown) {
    std::fputs("\r\033[K", stderr);
    g_status_shown = false;
  }
}

}  // namespace

bool stderr_is_terminal() {
  static const bool is_tty = ::isatty(STDERR_FILENO) == 1;
  return is_tty;
}

void log_info(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  clear_status_locked();
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
}

void log_warn(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  clear_status_locked();
  std::fprintf(stderr, "synthgen: warning: %s\n", message.c_str());
  std::fflush(stderr);
}

void log_status(const std::string& line) {
  if (!stderr_is_terminal()) return;
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  g_status_shown = true;
}

void log_status_done() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  if (g_status_shown) {
    std::fputs("\n", stderr);
    std::fflush(stderr);
    g_status_shown = false;
  }
}

}  // namespace synthgen
