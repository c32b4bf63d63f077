// checkpoint_digest CKPT: prints one line per tensor in a synthgen checkpoint (its path inside the
// archive, dtype, shape and a CRC-32 of its bytes) and per string or integer entry, sorted by path,
// then the step. Two checkpoints
// hold bit-identical state exactly when their digests are equal; the file bytes themselves are no
// guide, as LibTorch may store the same tensors in another order. Used by scripts/fault_injection.sh.
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "synthgen/io/checkpoint.h"

namespace {

struct Digest {
  std::vector<std::pair<std::string, std::string>> entries;  // path, what it holds
  // LibTorch names optimizer states by the address of their parameter, which differs from run to
  // run; param_groups/N/params/I maps each address to its parameter's place, used instead.
  std::map<std::string, std::string> address_names;
};

std::string crc_of(const void* data, std::size_t size) {
  return std::to_string(crc32_z(0L, static_cast<const Bytef*>(data), size));
}

void collect(torch::serialize::InputArchive& archive, const std::string& prefix, Digest& digest) {
  for (const std::string& key : archive.keys()) {
    const std::string path = prefix.empty() ? key : prefix + "/" + key;
    torch::Tensor tensor;
    torch::serialize::InputArchive child;
    c10::IValue value;
    if (archive.try_read(key, tensor) || archive.try_read(key, tensor, /*is_buffer=*/true)) {
      const torch::Tensor bytes = tensor.contiguous().cpu();
      digest.entries.emplace_back(path, std::string(c10::toString(tensor.scalar_type())) + " " +
                                            c10::str(tensor.sizes()) + " " + crc_of(bytes.data_ptr(), bytes.nbytes()));
    } else if (archive.try_read(key, child)) {
      collect(child, path, digest);
    } else if (archive.try_read(key, value) && value.isString()) {
      const std::string& text = value.toStringRef();
      if (text.rfind("0x", 0) == 0 && path.find("/params/") != std::string::npos) {
        digest.address_names[text] = "param" + key;
      } else {
        digest.entries.emplace_back(path, "string " + crc_of(text.data(), text.size()));
      }
    } else if (value.isInt()) {
      digest.entries.emplace_back(path, "int " + std::to_string(value.toInt()));
    }
  }
}

// The path with each parameter address replaced by the parameter's place in its group.
std::string stable_path(const std::string& path, const Digest& digest) {
  std::string out;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    const std::string part = path.substr(begin, end - begin);
    const auto named = digest.address_names.find(part);
    out += (begin ? "/" : "") + (named == digest.address_names.end() ? part : named->second);
    begin = end + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint_digest CHECKPOINT\n");
    return 2;
  }
  try {
    synthgen::io::LoadedCheckpoint loaded = synthgen::io::load_checkpoint(argv[1]);
    Digest digest;
    collect(loaded.archive, "", digest);
    std::vector<std::string> lines;
    for (const auto& [path, held] : digest.entries) lines.push_back(stable_path(path, digest) + " " + held);
    std::sort(lines.begin(), lines.end());
    for (const std::string& line : lines) std::printf("%s\n", line.c_str());
    std::printf("step %lld\n", static_cast<long long>(loaded.meta.step));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint_digest: %s\n", e.what());
    return 1;
  }
  return 0;
}
