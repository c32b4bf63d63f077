// Labels of an image folder from synthgen's own manifest.csv: `synthgen sample` of a
// class-conditional model writes file,seed,label,class rows beside the images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace synthgen::data {

struct ManifestLabels {
  std::string path;                                   // the manifest.csv read
  std::map<std::string, std::int64_t> label_by_file;  // path relative to the folder, '/'-separated
  std::vector<std::string> class_names;               // by label; a label without a name is its number
};

// root/manifest.csv when it exists and has the columns file and label (class, the names, is
// optional); nullopt otherwise (no manifest, or one without labels). Throws UsageError naming
// manifest.csv:line for a row of the wrong width, a label that is not a class index, a file listed
// twice, or a label named two ways.
std::optional<ManifestLabels> read_manifest_labels(const std::filesystem::path& root);

}  // namespace synthgen::data
