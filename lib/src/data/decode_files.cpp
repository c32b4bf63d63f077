#include "decode_files.h"

#include <atomic>
#include <thread>

#include "synthgen/core/error.h"

namespace synthgen::data {

DecodedFiles decode_files(const std::vector<std::string>& files, int channels, int max_side, int threads) {
  DecodedFiles decoded;
  decoded.images.resize(files.size());
  decoded.problems.resize(files.size());
  io::DecodeLimits limits;
  limits.max_side = max_side;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      try {
        decoded.images[i] = io::read_image(files[i], channels, limits);
      } catch (const RuntimeError& e) {
        decoded.problems[i] = e.what();
      }
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < std::max(1, threads); ++t) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  return decoded;
}

}  // namespace synthgen::data
