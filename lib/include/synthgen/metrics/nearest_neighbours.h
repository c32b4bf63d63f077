// Nearest neighbours in a feature space, computed a block of rows at a time so that memory grows
// with the number of feature vectors, never with the product of two set sizes: the search behind
// precision/recall, the copy check and the per-image distances of `synthgen eval`.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::metrics {

// Rows of one block at a time: a [row_batch, M] float64 matrix is the largest buffer.
constexpr std::int64_t kNeighbourRowBatch = 2048;

// Squared Euclidean distances [rows, columns] as |a|² + |b|² - 2 a·b, clamped at 0 against
// rounding, built in place so that the block is the only [rows, columns] buffer. column_norms:
// the squared norms of `columns`, [M].
torch::Tensor squared_distances(const torch::Tensor& rows, const torch::Tensor& columns,
                                const torch::Tensor& column_norms);

// Squared radius of each point of `set` [N, D]: the squared distance to its k-th nearest other
// point (the point itself is not a neighbour). norms: the squared norms of `set`, [N].
torch::Tensor squared_knn_radii(const torch::Tensor& set, const torch::Tensor& norms, int k,
                                std::int64_t row_batch = kNeighbourRowBatch);

struct NearestNeighbours {
  torch::Tensor distance;  // float64 [N]: Euclidean distance to the nearest reference row
  torch::Tensor index;     // int64 [N]: that row's index in the reference (-1 when there is none)
};

// Each query row's nearest reference row. queries [N, D], reference [M, D], any float dtype, any
// device; computed in float64 on the CPU. Throws RuntimeError for shapes that are not [N, D] with
// the same D, an empty reference, or row_batch < 1.
NearestNeighbours nearest_neighbours(const torch::Tensor& queries, const torch::Tensor& reference,
                                     std::int64_t row_batch = kNeighbourRowBatch);

// Rows closer than this, relative to their size, count as the same point: squared distance <=
// kSamePointTolerance · (|a|² + |b|²), i.e. within about 1e-4 of the norms. Far above the rounding
// of the |a|² + |b|² - 2 a·b form in float64 and of a network run on one image in two batches,
// far below the distance between two different images.
constexpr double kSamePointTolerance = 1e-8;

// Each row's nearest *distinct* other row of the same set [N, D]: the row itself and exact
// duplicates of it (see kSamePointTolerance) are skipped, so that a set holding copies of its own
// images still has meaningful nearest-neighbour distances. A row with no distinct other row gets
// distance inf and index -1.
NearestNeighbours nearest_distinct_neighbours(const torch::Tensor& set, std::int64_t row_batch = kNeighbourRowBatch);

}  // namespace synthgen::metrics
