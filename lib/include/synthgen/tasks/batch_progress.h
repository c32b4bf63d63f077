// The progress line of the commands that work through many images (sample, upscale, translate,
// the image sets of eval):
// "translated 512/1000 | 42.0 img/s | ETA 12s", as a status line on a terminal and as a log line
// every 10 s otherwise, so that long jobs in logs and CI show they are alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace synthgen {

class BatchProgress {
 public:
  // `verb` names what is counted: "sampled", "upscaled", "translated".
  BatchProgress(std::int64_t total, std::string verb)
      : total_(total), verb_(std::move(verb)), start_(std::chrono::steady_clock::now()) {}
  // `done` may be fractional (images part-way through a ddpm batch); `detail` goes after the
  // count ("step 40/50"). `force` draws the terminal line whatever the time since the last one
  // (the last image), and writes no log line.
  void report(double done, const std::string& detail = "", bool force = false);
  double elapsed() const;

 private:
  std::int64_t total_;
  std::string verb_;
  std::chrono::steady_clock::time_point start_;
  double last_report_ = 0.0;
};

}  // namespace synthgen
