#include "synthgen/core/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace synthgen {
namespace {

std::atomic<int> g_first_signal{0};
std::atomic<int> g_signal_count{0};

extern "C" void on_signal(int signal) {
  int expected = 0;
  g_first_signal.compare_exchange_strong(expected, signal);
  if (g_signal_count.fetch_add(1) + 1 >= 3) _exit(128 + signal);
  if (g_signal_count.load() == 1) {
    static const char kMessage[] =
        "\nsynthgen: stopping after the current step and saving (signal again twice to abort)\n";
    // write() is async-signal-safe; the result is irrelevant here.
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  }
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void ignore_file_size_signal() { std::signal(SIGXFSZ, SIG_IGN); }

int interrupt_signal() { return g_first_signal.load(); }

int interrupt_exit_code(int signal) { return 128 + signal; }

void reset_interrupt() {
  g_first_signal.store(0);
  g_signal_count.store(0);
}

}  // namespace synthgen
