#include "cas_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "synthgen/core/error.h"
#include "synthgen/eval/label_alignment.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/train/classifier_trainer.h"

namespace synthgen {
namespace {

// The labels a classifier checkpoint predicts for `images`, in the test set's numbering.
torch::Tensor labels_predicted_by(const std::string& classifier, const torch::Tensor& images,
                                  const std::vector<std::string>& test_names, const Runtime& runtime,
                                  std::string& classifier_path) {
  train::LoadedClassifier labeller = train::load_classifier(classifier, runtime.device);
  classifier_path = labeller.path;
  const eval::ImageFormat labeller_format{labeller.config.data.channels, labeller.config.data.image_size};
  std::vector<torch::Tensor> predicted;
  torch::InferenceMode inference;
  for (std::int64_t start = 0; start < images.size(0); start += 500) {
    const torch::Tensor part = eval::conform_images(
        images.narrow(0, start, std::min<std::int64_t>(500, images.size(0) - start)), labeller_format);
    predicted.push_back(labeller.network->forward(io::to_model_input(part, runtime.device)).argmax(1).cpu());
  }
  return align_labels(torch::cat(predicted), labeller.class_names, test_names, classifier);
}

// One source, labelled in the test set's numbering.
struct LabelledSource {
  torch::Tensor images;
  torch::Tensor labels;
  CasSourcePart part;
};

LabelledSource load_labelled_source(const std::string& spec, const CasSourceSettings& settings,
                                    const CasRequest& request, const eval::ImageFormat& format,
                                    const std::vector<std::string>& test_names, const Runtime& runtime) {
  eval::SourceOptions options;
  options.format = format;
  options.limit = settings.limit;
  options.seed = request.seed;
  options.device = runtime.device;
  options.threads = runtime.threads;
  options.generator = request.generator;
  const std::unique_ptr<eval::ImageSource> source = eval::open_image_source(spec, options);
  LabelledSource labelled;
  labelled.part.spec = spec;
  labelled.part.description = source->describe();
  const std::vector<std::string> names = source->class_names();
  eval::LoadedImages loaded = eval::read_all(*source);
  labelled.images = loaded.images;
  labelled.part.images = loaded.images.size(0);
  if (loaded.labels.defined()) {
    labelled.labels = align_labels(loaded.labels, names, test_names, spec);
  } else if (!settings.label_with.empty()) {
    std::string classifier_path;
    labelled.labels = labels_predicted_by(settings.label_with, loaded.images, test_names, runtime, classifier_path);
    labelled.part.description += fmt::format(", labelled by the classifier {}", classifier_path);
  } else {
    throw UsageError(
        fmt::format("{} {}: {} has no labels; give a folder with one sub-folder per class or a manifest.csv with a "
                    "label column (sample of a conditional model){}",
                    settings.flag, spec, labelled.part.description,
                    settings.flag == "--train" ? ", or --label-with CLASSIFIER to label it" : ""));
  }
  return labelled;
}

}  // namespace

CasTrainingSet load_cas_training_set(const std::vector<std::string>& specs, const CasSourceSettings& settings,
                                     const CasRequest& request, const eval::ImageFormat& format,
                                     const std::vector<std::string>& test_names, const Runtime& runtime) {
  std::vector<torch::Tensor> images;
  std::vector<torch::Tensor> labels;
  CasTrainingSet set;
  for (const std::string& spec : specs) {
    LabelledSource source = load_labelled_source(spec, settings, request, format, test_names, runtime);
    images.push_back(source.images);
    labels.push_back(source.labels);
    set.parts.push_back(source.part);
  }
  set.data.images = torch::cat(images).contiguous();
  set.data.labels = torch::cat(labels).contiguous();
  set.data.class_names = test_names;
  return set;
}

std::vector<std::string> real_part_of_cas_training(const std::vector<std::string>& train) {
  std::vector<std::string> real;
  std::copy_if(train.begin(), train.end(), std::back_inserter(real), [](const std::string& spec) {
    return eval::parse_source_spec(spec).base.rfind("fashion-mnist:", 0) == 0;
  });
  return real;
}

}  // namespace synthgen
