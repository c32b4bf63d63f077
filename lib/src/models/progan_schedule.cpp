#include "synthgen/models/progan_schedule.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"

namespace synthgen::models {
namespace {

void check_schedule(std::int64_t fade_images, std::int64_t stable_images, int max_level) {
  if (fade_images < 0 || stable_images < 0 || max_level < 0) {
    throw UsageError(
        fmt::format("progan schedule: expected fade_images, stable_images and max_level >= 0; got {}, {}, {}",
                    fade_images, stable_images, max_level));
  }
}

}  // namespace

Growth progan_growth(std::int64_t images_seen, std::int64_t fade_images, std::int64_t stable_images, int max_level) {
  check_schedule(fade_images, stable_images, max_level);
  if (images_seen < 0) {
    throw UsageError(fmt::format("progan schedule: images_seen {} is negative", images_seen));
  }
  if (max_level == 0 || images_seen < stable_images) return {0, 1.0};
  const std::int64_t period = fade_images + stable_images;
  if (images_seen >= progan_images_to_full(fade_images, stable_images, max_level)) {
    return {max_level, 1.0};
  }
  // Past level 0's stable phase, each level takes one period: its fade, then its stable phase.
  const std::int64_t since = images_seen - stable_images;
  const int level = static_cast<int>(since / period) + 1;
  const std::int64_t into = since % period;
  const double alpha = into < fade_images ? static_cast<double>(into) / static_cast<double>(fade_images) : 1.0;
  return {level, alpha};
}

std::int64_t progan_images_to_full(std::int64_t fade_images, std::int64_t stable_images, int max_level) {
  check_schedule(fade_images, stable_images, max_level);
  return max_level * (fade_images + stable_images);
}

}  // namespace synthgen::models
