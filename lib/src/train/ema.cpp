#include "synthgen/train/ema.h"

#include <fmt/format.h>

#include "archive_parts.h"
#include "synthgen/core/error.h"
#include "synthgen/core/tensor_text.h"

namespace synthgen::train {
namespace {

using TensorDict = torch::OrderedDict<std::string, torch::Tensor>;

TensorDict detached_copies(const TensorDict& tensors) {
  TensorDict copies;
  for (const auto& item : tensors) copies.insert(item.key(), item.value().detach().clone());
  return copies;
}

// Pairs each of the module's tensors (`kind`: "parameter" or "buffer") with this EMA's tensor of
// the same name and shape, and calls apply(ema_tensor, module_tensor) on each pair. Tensor
// handles are shared, so in-place ops through the const references write into the tensors.
template <typename Apply>
void for_each_pair(const char* caller, const char* kind, const TensorDict& ema, const TensorDict& module,
                   Apply&& apply) {
  if (module.size() != ema.size()) {
    throw RuntimeError(
        fmt::format("ParameterEma::{}: the module has {} {}s, expected {}", caller, module.size(), kind, ema.size()));
  }
  for (const auto& item : module) {
    const torch::Tensor* average = ema.find(item.key());
    if (average == nullptr) {
      throw RuntimeError(
          fmt::format("ParameterEma::{}: the module's {} '{}' is not in the EMA", caller, kind, item.key()));
    }
    if (!average->sizes().equals(item.value().sizes())) {
      throw RuntimeError(fmt::format("ParameterEma::{}: {} '{}' has shape {}, expected {}", caller, kind, item.key(),
                                     shape_text(item.value()), shape_text(*average)));
    }
    apply(*average, item.value());
  }
}

void write_tensors(torch::serialize::OutputArchive& part, const TensorDict& tensors) {
  for (const auto& item : tensors) part.write(item.key(), item.value());
}

// Unlike read_part, a missing part or tensor is named, with the shape and dtype that differ.
void read_tensors_part(torch::serialize::InputArchive& archive, const std::string& part_name, TensorDict& tensors) {
  torch::serialize::InputArchive part;
  if (!archive.try_read(part_name, part)) {
    throw RuntimeError(fmt::format("EMA checkpoint: the part '{}' is missing", part_name));
  }
  for (auto& item : tensors) {
    torch::Tensor stored;
    if (!part.try_read(item.key(), stored)) {
      throw RuntimeError(fmt::format("EMA checkpoint: tensor '{}.{}' is missing", part_name, item.key()));
    }
    torch::Tensor& target = item.value();
    if (!stored.sizes().equals(target.sizes()) || stored.scalar_type() != target.scalar_type()) {
      throw RuntimeError(fmt::format("EMA checkpoint: tensor '{}.{}' is {} {}, expected {} {}", part_name, item.key(),
                                     c10::toString(stored.scalar_type()), shape_text(stored),
                                     c10::toString(target.scalar_type()), shape_text(target)));
    }
    target.copy_(stored);
  }
}

}  // namespace

ParameterEma::ParameterEma(const torch::nn::Module& module)
    : parameters_(detached_copies(module.named_parameters())), buffers_(detached_copies(module.named_buffers())) {}

void ParameterEma::update(const torch::nn::Module& module, double decay) {
  if (!(decay >= 0.0 && decay <= 1.0)) {
    throw UsageError(fmt::format("ParameterEma::update: decay is {}, expected a value in [0, 1]", decay));
  }
  torch::NoGradGuard no_grad;
  for_each_pair("update", "parameter", parameters_, module.named_parameters(),
                [decay](const torch::Tensor& average, const torch::Tensor& parameter) {
                  average.mul_(decay).add_(parameter, 1.0 - decay);
                });
  for_each_pair("update", "buffer", buffers_, module.named_buffers(),
                [](const torch::Tensor& copy, const torch::Tensor& buffer) { copy.copy_(buffer); });
}

void ParameterEma::copy_to(torch::nn::Module& module) const {
  torch::NoGradGuard no_grad;
  auto copy_into_module = [](const torch::Tensor& source, const torch::Tensor& target) { target.copy_(source); };
  for_each_pair("copy_to", "parameter", parameters_, module.named_parameters(), copy_into_module);
  for_each_pair("copy_to", "buffer", buffers_, module.named_buffers(), copy_into_module);
}

void ParameterEma::save(torch::serialize::OutputArchive& archive) const {
  write_part(archive, "parameters", [&](auto& part) { write_tensors(part, parameters_); });
  write_part(archive, "buffers", [&](auto& part) { write_tensors(part, buffers_); });
}

void ParameterEma::load(torch::serialize::InputArchive& archive) {
  torch::NoGradGuard no_grad;
  read_tensors_part(archive, "parameters", parameters_);
  read_tensors_part(archive, "buffers", buffers_);
}

std::unique_ptr<ParameterEma> start_ema(const torch::nn::Module& network, torch::nn::Module& copy,
                                        const torch::Device& device) {
  copy.to(device);
  copy.eval();
  auto ema = std::make_unique<ParameterEma>(network);
  ema->copy_to(copy);
  return ema;
}

}  // namespace synthgen::train
