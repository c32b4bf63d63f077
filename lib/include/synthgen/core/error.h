// Error types shared by every module. The binary maps them to exit codes:
// UsageError (and ConfigError) -> 2, RuntimeError and anything else -> 1.
#pragma once

#include <stdexcept>
#include <string>

namespace synthgen {

// Bad usage: a wrong flag, a missing file named on the command line, a value out of range.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad configuration: unknown key, wrong type, out-of-range value, inconsistent fields.
// The message may hold several lines, one complete error per line.
class ConfigError : public UsageError {
 public:
  using UsageError::UsageError;
};

// Failure while running: unreadable data, a failed write, a broken checkpoint.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace synthgen
