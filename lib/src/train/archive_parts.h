// Named sub-archives of a checkpoint's "trainer" part.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::train {

template <class Write>
void write_part(torch::serialize::OutputArchive& archive, const std::string& name, Write&& write) {
  torch::serialize::OutputArchive part;
  write(part);
  archive.write(name, part);
}

template <class Read>
void read_part(torch::serialize::InputArchive& archive, const std::string& name, Read&& read) {
  torch::serialize::InputArchive part;
  archive.read(name, part);
  read(part);
}

}  // namespace synthgen::train
