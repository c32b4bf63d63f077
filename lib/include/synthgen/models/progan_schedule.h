// ProGAN's growth schedule: which resolution is active, and how far it has faded in, after a given
// number of training images. A pure function of the images seen, so a resumed run continues at
// exactly the growth it stopped at.
#pragma once

#include <cstdint>

#include "synthgen/models/gan.h"

namespace synthgen::models {

// Level 0 (4x4) runs for stable_images; then each level L = 1..max_level fades in over
// fade_images (alpha rising linearly from 0 at the first image to 1) and runs at alpha 1 for
// stable_images. After the last level's fade it stays at {max_level, 1} for ever.
// Throws UsageError for negative arguments.
Growth progan_growth(std::int64_t images_seen, std::int64_t fade_images, std::int64_t stable_images, int max_level);

// The images after which the schedule reaches {max_level, 1} (the end of the last fade):
// max_level * (fade_images + stable_images).
std::int64_t progan_images_to_full(std::int64_t fade_images, std::int64_t stable_images, int max_level);

}  // namespace synthgen::models
