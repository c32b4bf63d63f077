// Messages to stderr. A progress line on a terminal is redrawn in place; these functions clear it
// first so that warnings never end up glued to a progress line.
#pragma once

#include <fmt/format.h>

#include <string>

namespace synthgen {

void log_info(const std::string& message);
void log_warn(const std::string& message);

// Redraws the single in-place status line on a terminal (no newline). Does nothing when stderr is
// not a terminal; callers print plain lines with log_info instead.
void log_status(const std::string& line);
// Ends the in-place status line, if one is shown, so that the next output starts on a new line.
void log_status_done();
bool stderr_is_terminal();

template <class... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  log_info(fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void log_warn(fmt::format_string<Args...> format, Args&&... args) {
  log_warn(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace synthgen
