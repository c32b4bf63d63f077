// NumPy .npy files: the exchange format for feature sets, metric statistics and test references.
// Only what numpy writes for plain arrays: C order, little-endian
// float32/float64/uint8/int32/int64.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::io {

// Reads a .npy file of format version 1.0, 2.0 or 3.0 into a CPU tensor of the same dtype and
// shape (rank 0 gives a 0-dim tensor). Dtypes '<f4', '<f8', '|u1', '<i4', '<i8'. Throws
// RuntimeError naming the path and the problem: not an npy file, a malformed header,
// fortran_order True, an unsupported dtype, or a data size that does not match the shape.
torch::Tensor read_npy(const std::string& path);

// Writes a contiguous CPU copy of `tensor` as a version 1.0 .npy file, byte for byte what
// numpy.save writes (header padded with spaces to a multiple of 64 bytes). Dtypes float32,
// float64, uint8, int32, int64; anything else is a RuntimeError. The write is atomic.
void write_npy(const std::string& path, const torch::Tensor& tensor);

}  // namespace synthgen::io
