// The training sets of `eval cas`: its --train and --baseline sources, each labelled in the test
// set's class numbering and concatenated into one set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/core/runtime.h"
#include "synthgen/data/dataset.h"
#include "synthgen/eval/cas.h"
#include "synthgen/eval/image_source.h"

namespace synthgen {

// One source of a training set, for the report.
struct CasSourcePart {
  std::string spec;         // as given: "fashion-mnist:train:1000", "runs/ddpm:10000"
  std::string description;  // the source's own: "fashion-mnist:train:1000 (1000 images, 100 per class, ...)"
  std::int64_t images = 0;
};

struct CasTrainingSet {
  data::ImageDataset data;  // every source's images, in the order given; labels in the test set's numbering
  std::vector<CasSourcePart> parts;
};

// How load_cas_training_set reads its sources.
struct CasSourceSettings {
  std::string flag;        // --train or --baseline, naming the sources in errors
  std::string label_with;  // classifier checkpoint that labels an unlabelled source; "": refuse it
  std::int64_t limit = 0;  // images of a source without its own :N (0 = all; generators 10,000)
};

// The sources `specs` read (generators sampled as request says: --seed and sample's flags),
// labelled in the numbering of `test_names`, and concatenated.
CasTrainingSet load_cas_training_set(const std::vector<std::string>& specs, const CasSourceSettings& settings,
                                     const CasRequest& request, const eval::ImageFormat& format,
                                     const std::vector<std::string>& test_names, const Runtime& runtime);

// The Fashion-MNIST sources of --train: the real part of a mix, the default baseline, so that the
// gain is what the other sources add. (Folders are left out: they are as often `sample` output.)
std::vector<std::string> real_part_of_cas_training(const std::vector<std::string>& train);

}  // namespace synthgen
