// The picture of `synthgen eval --metrics copies`: the generated images nearest to a training
// image, each beside that training image, so that a person can judge whether they are copies.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "synthgen/eval/image_source.h"
#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen::eval {

// Pairs in the grid: the closest this many (generated, training) pairs.
constexpr std::int64_t kCopyGridPairs = 16;

// Writes a PNG grid of the kCopyGridPairs generated images with the smallest nearest distance,
// closest first, four pairs a row: generated image, then its nearest training image. nearest:
// per generated image, as metrics::copy_check gives it. Images of both sets are shown at the
// training images' size, in colour when either set is.
void write_copy_grid(const std::string& path, ImageSource& generated, ImageSource& training,
                     const metrics::NearestNeighbours& nearest);

}  // namespace synthgen::eval
