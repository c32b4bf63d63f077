// SIGINT / SIGTERM handling for long work: the first signal only sets a flag, which the training
// and sampling loops check between steps so that they can finish the step, save and exit cleanly.
// A third signal ends the process at once (the atomic writes leave no partial files behind).
#pragma once

namespace synthgen {

// Installs the handlers (idempotent).
void install_interrupt_handlers();

// Makes a file-size limit (ulimit -f) a write error (EFBIG) that the checked writes report,
// instead of SIGXFSZ killing the process in the middle of a file. Called once at start-up.
void ignore_file_size_signal();

// The first signal received since start-up (SIGINT or SIGTERM), or 0.
int interrupt_signal();

// The conventional exit code for a run stopped by `signal`: 128 + signal (130, 143).
int interrupt_exit_code(int signal);

// For tests: forget a received signal.
void reset_interrupt();

}  // namespace synthgen
