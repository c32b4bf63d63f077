// An exponential moving average of a module's parameters, with copies of its buffers (running
// statistics), for sampling from a smoothed generator (Karras et al. 2018; Yazici et al. 2019).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

namespace synthgen::train {

class ParameterEma {
 public:
  // Starts the averages at the module's current parameters and buffers (detached deep copies on
  // the module's device, never requiring grad).
  explicit ParameterEma(const torch::nn::Module& module);

  // average = decay * average + (1 - decay) * parameter, for decay in [0, 1]; buffers are copied
  // as they are. `module` must have the parameter and buffer names this EMA was built from;
  // throws RuntimeError naming the first tensor that is missing or has another shape.
  void update(const torch::nn::Module& module, double decay);

  // Writes the averages and buffers into a module with the same names and shapes (e.g. a second
  // instance of the generator used for sampling); throws RuntimeError like update.
  void copy_to(torch::nn::Module& module) const;

  // Stores every tensor under its module name, parameters and buffers in separate parts.
  void save(torch::serialize::OutputArchive& archive) const;
  // Restores the tensors saved by save into this EMA's tensors (keeping their device); throws
  // RuntimeError naming a tensor that the archive lacks or holds with another shape or dtype.
  void load(torch::serialize::InputArchive& archive);

 private:
  torch::OrderedDict<std::string, torch::Tensor> parameters_;
  torch::OrderedDict<std::string, torch::Tensor> buffers_;
};

// A trainer's EMA of `network` (train.ema_decay > 0): moves `copy`, a second instance of the same
// architecture that samples are drawn from, to `device` in eval mode, starts the averages at the
// network's weights and writes them into `copy`.
std::unique_ptr<ParameterEma> start_ema(const torch::nn::Module& network, torch::nn::Module& copy,
                                        const torch::Device& device);

}  // namespace synthgen::train
