// What `synthgen sample` makes from a vae besides prior samples: reconstructions of an image
// folder (--reconstruct DIR) and a latent walk between two seeds (--interpolate).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/vae.h"
#include "synthgen/tasks/sample_task.h"

namespace synthgen {

// The vae of a checkpoint's "trainer" part, in eval mode on `device`.
models::Vae load_vae_for_inference(const Config& config, torch::serialize::InputArchive& trainer_part,
                                   const torch::Device& device);

// Decoded mean images for z on the straight line from seed's z to seed+1's, `num` points
// including both ends, written as one grid to request.grid_path. A conditional model walks within
// one class: request.classes (an index or a name in class_names), or class 0 when it is
// "balanced". `border` pixels (data.pad) are cut from each side.
void write_latent_walk(models::Vae& vae, const SampleRequest& request, int border,
                       const std::vector<std::string>& class_names);

// Encodes each image under request.reconstruct_dir (recursively, sorted; class sub-folders give a
// conditional model its labels; each is fitted as the training data was, data.pad included),
// decodes the posterior mean, and writes 000000.png... (without the border) plus manifest.csv
// (file,source) to request.out_dir: the first request.num readable images, or all when it is 0.
// Unreadable files are reported and skipped.
// Returns 0, or 128 + signal when stopped.
int write_reconstructions(models::Vae& vae, const SampleRequest& request, const Config& config);

}  // namespace synthgen
