// The file side of `synthgen sample`: numbered PNG files written in parallel, each under a
// temporary name and renamed.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace synthgen {

// Decimal digits of value (at least 1).
int decimal_digits(std::int64_t value);

// `--class` as every sample mode reads it: the labels (int64, CPU) of images first.. of a model
// with num_classes classes ("balanced" cycles them, else one class: a name in class_names, the
// run's labels.txt, or an index); undefined when the model is unconditional (which refuses a
// class). Throws UsageError naming the flag.
torch::Tensor sample_labels(const std::string& classes, std::int64_t num_classes,
                            const std::vector<std::string>& class_names, std::int64_t first, std::int64_t count);

// Writes images (float [-1, 1], [B, C, H, W]) as one PNG grid at `path`, creating its folder as
// --out does.
void write_grid_png(const std::string& path, const torch::Tensor& images);

// "000042.png" for index 42 with `width` digits.
std::string numbered_png(std::int64_t index, int width);

// What a numbered image set of `count` images consists of: numbered_png(0 .. count - 1) and
// manifest.csv (the outputs claim_output_folder records).
std::vector<std::string> numbered_outputs(std::int64_t count, int width);

// Writes images (float [-1, 1], [B, C, H, W], any device) as out/numbered_png(first + i). On a
// failed write throws RuntimeError saying how many of `total` images are complete (`done_before`
// from earlier batches plus this batch's finished ones) and that no manifest was written.
void write_numbered_pngs(const std::filesystem::path& out, int width, std::int64_t first, const torch::Tensor& images,
                         std::int64_t done_before, std::int64_t total);

// The same for uint8 images [B, C, H, W] on the CPU, image i written as out/numbered_png(indices[i])
// (filtered sampling keeps images out of order).
void write_indexed_pngs(const std::filesystem::path& out, int width, const std::vector<std::int64_t>& indices,
                        const torch::Tensor& uint8_images, std::int64_t done_before, std::int64_t total);

}  // namespace synthgen
