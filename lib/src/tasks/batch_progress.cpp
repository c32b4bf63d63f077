#include "synthgen/tasks/batch_progress.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/log.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen {

double BatchProgress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void BatchProgress::report(double done, const std::string& detail, bool force) {
  const double seconds = elapsed();
  // A status line on a terminal; plain lines every 10 s in logs (1000-step ddpm batches are long).
  const bool terminal = stderr_is_terminal();
  if (!force && seconds - last_report_ < (terminal ? 0.5 : 10.0)) return;
  last_report_ = seconds;
  const double rate = done / std::max(seconds, 1e-9);
  const std::string eta =
      rate > 0.0 ? train::format_duration((static_cast<double>(total_) - done) / rate) : std::string("?");
  const std::string line = fmt::format("{} {:.0f}/{}{} | {:.1f} img/s | ETA {}", verb_, done, total_,
                                       detail.empty() ? "" : " | " + detail, rate, eta);
  if (terminal) {
    log_status(line);
  } else if (!force) {
    log_info(line);
  }
}

}  // namespace synthgen
