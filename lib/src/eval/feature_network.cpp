#include "synthgen/eval/feature_network.h"

#include <fmt/format.h>
#include <torch/script.h>

#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/train/classifier_trainer.h"

namespace synthgen::eval {
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The FID Inception-v3 that stylegan2-ada-pytorch's metrics load (inception-2015-12-05.pt), fed
// as that code feeds it: 3-channel float NCHW holding 0-255 values at the images' own size (the
// network resizes to 299 itself); forward(x, return_features=True) gives the 2048 pool features,
// forward(x, no_output_bias=True) the class probabilities.
class InceptionTorchScript : public FeatureNetwork {
 public:
  InceptionTorchScript(const std::string& path, const torch::Device& device) : path_(path), device_(device) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      throw UsageError(
          fmt::format("--features inception:{}: no such file (give the path of "
                      "inception-2015-12-05.pt; nothing is downloaded)",
                      path));
    }
    try {
      module_ = torch::jit::load(path, device);
    } catch (const c10::Error& e) {
      throw RuntimeError(
          fmt::format("cannot load '{}' as TorchScript: {}", path, first_line(e.what_without_backtrace())));
    }
    module_.eval();
  }

  ImageFormat input_format() const override { return {3, 0}; }

  NetworkOutputs run(const torch::Tensor& images, bool want_features, bool want_probabilities) override {
    torch::InferenceMode inference;
    const torch::Tensor input = images.to(device_).to(torch::kFloat);
    NetworkOutputs outputs;
    if (want_features) outputs.features = call(input, "return_features", 2048);
    if (want_probabilities) {
      torch::Tensor out = call(input, "no_output_bias", 0);
      // The published network ends in a softmax; a variant that returns logits gets one here.
      const bool already_probabilities =
          out.min().item<double>() >= 0.0 && (out.sum(1) - 1.0).abs().max().item<double>() < 1e-3;
      outputs.probabilities = already_probabilities ? out : torch::softmax(out.to(torch::kDouble), 1).to(torch::kFloat);
    }
    return outputs;
  }

  std::string name() const override { return "inception:" + path_; }
  std::string protocol() const override {
    return "stylegan2-ada: uint8 images (grey repeated to RGB) as float 0-255 NCHW at their own size, "
           "resized to 299 by the network; features = forward(x, return_features=True), "
           "probabilities = forward(x, no_output_bias=True)";
  }

 private:
  torch::Tensor call(const torch::Tensor& input, const std::string& flag, std::int64_t expected_width) {
    torch::Tensor out;
    try {
      out = module_.get_method("forward")({input}, {{flag, c10::IValue(true)}}).toTensor();
    } catch (const c10::Error& e) {
      throw RuntimeError(fmt::format("'{}' failed on forward(images, {}=True), the call stylegan2-ada makes: {}", path_,
                                     flag, first_line(e.what_without_backtrace())));
    }
    if (out.dim() != 2 || out.size(0) != input.size(0) || (expected_width > 0 && out.size(1) != expected_width)) {
      throw RuntimeError(fmt::format("'{}': forward(images, {}=True) gave shape {} for {} images, expected [{}, {}]",
                                     path_, flag, c10::str(out.sizes()), input.size(0), input.size(0),
                                     expected_width > 0 ? std::to_string(expected_width) : "classes"));
    }
    return out.to(torch::kFloat).to(torch::kCPU);
  }

  std::string path_;
  torch::Device device_;
  torch::jit::Module module_;
};

// The built-in classifier: its penultimate layer (256 features) and its softmax.
class ClassifierNetwork : public FeatureNetwork {
 public:
  ClassifierNetwork(const std::string& spec, const torch::Device& device)
      : loaded_(train::load_classifier(spec, device)), device_(device) {}

  ImageFormat input_format() const override { return {loaded_.config.data.channels, loaded_.config.data.image_size}; }

  NetworkOutputs run(const torch::Tensor& images, bool want_features, bool want_probabilities) override {
    torch::InferenceMode inference;
    const torch::Tensor input = io::to_model_input(images, device_);
    const torch::Tensor features = loaded_.network->features(input);
    NetworkOutputs outputs;
    if (want_features) outputs.features = features.to(torch::kCPU);
    if (want_probabilities) {
      outputs.probabilities = torch::softmax(loaded_.network->logits_from_features(features), 1).to(torch::kCPU);
    }
    return outputs;
  }

  std::string name() const override { return "classifier:" + loaded_.path; }
  std::string protocol() const override {
    return fmt::format(
        "synthgen classifier: uint8 images as {}x{}x{} in [-1, 1] (x / 127.5 - 1); features = "
        "the {} ReLU units before the output layer, probabilities = softmax of its logits",
        input_format().channels, input_format().size, input_format().size, models::ImageClassifierImpl::kFeatureDim);
  }
  std::vector<std::string> class_names() const override { return loaded_.class_names; }

 private:
  train::LoadedClassifier loaded_;
  torch::Device device_;
};

}  // namespace

std::unique_ptr<FeatureNetwork> open_feature_network(const std::string& spec, const torch::Device& device) {
  const std::size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string path = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (colon == std::string::npos || path.empty() || (kind != "inception" && kind != "classifier")) {
    throw UsageError(fmt::format("--features '{}': expected inception:FILE.pt or classifier:CHECKPOINT", spec));
  }
  if (kind == "inception") return std::make_unique<InceptionTorchScript>(path, device);
  return std::make_unique<ClassifierNetwork>(path, device);
}

}  // namespace synthgen::eval
