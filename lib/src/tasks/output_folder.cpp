#include "output_folder.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/io/file_io.h"

namespace synthgen {
namespace {

namespace fs = std::filesystem;

struct Recorded {
  std::set<std::string> files;    // relative, '/'-separated; the record itself included
  std::set<std::string> folders;  // every folder above a recorded file
};

Recorded read_record(const fs::path& out) {
  Recorded recorded;
  recorded.files.insert(kOutputRecord);
  std::error_code ec;
  const fs::path record = out / kOutputRecord;
  if (!fs::is_regular_file(fs::symlink_status(record, ec))) return recorded;
  const std::vector<std::uint8_t> bytes = io::read_file_bytes(record.string());
  for (const std::string& line : split_lines(std::string(bytes.begin(), bytes.end()))) {
    if (line.empty() || line[0] == '#') continue;
    recorded.files.insert(line);
    for (fs::path folder = fs::path(line).parent_path(); !folder.empty(); folder = folder.parent_path()) {
      recorded.folders.insert(folder.generic_string());
    }
  }
  return recorded;
}

struct Contents {
  std::vector<fs::path> owned_files;
  std::vector<fs::path> owned_folders;
  std::vector<std::string> foreign;  // relative paths of what no record lists
};

// Sorts what is under `out` by the record; symbolic links are entries, never followed.
Contents sort_contents(const fs::path& out, const Recorded& recorded) {
  Contents contents;
  std::error_code ec;
  fs::recursive_directory_iterator it(out, ec);
  for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    const std::string relative = it->path().lexically_relative(out).generic_string();
    std::error_code status_ec;
    if (fs::is_directory(it->symlink_status(status_ec))) {
      if (recorded.folders.count(relative) > 0) {
        contents.owned_folders.push_back(it->path());
      } else if (fs::is_empty(it->path(), status_ec)) {
        contents.foreign.push_back(relative + "/");
      }
    } else if (recorded.files.count(relative) > 0) {
      contents.owned_files.push_back(it->path());
    } else {
      contents.foreign.push_back(relative);
    }
  }
  if (ec) throw RuntimeError(fmt::format("cannot list '{}': {}", out.string(), ec.message()));
  std::sort(contents.foreign.begin(), contents.foreign.end());
  return contents;
}

std::vector<std::string> quoted(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) out.push_back("'" + name + "'");
  return out;
}

void remove_owned(const Contents& contents) {
  std::error_code ec;
  for (const fs::path& file : contents.owned_files) {
    if (file.filename() == kOutputRecord) continue;  // replaced last, so that it always covers what is left
    if (!fs::remove(file, ec) && ec)
      throw RuntimeError(fmt::format("cannot remove '{}': {}", file.string(), ec.message()));
  }
  // Deepest first: a folder is empty once its sub-folders are gone.
  std::vector<fs::path> folders = contents.owned_folders;
  std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
    return std::distance(a.begin(), a.end()) > std::distance(b.begin(), b.end());
  });
  for (const fs::path& folder : folders) fs::remove(folder, ec);  // one still holding a file stays
}

}  // namespace

void claim_output_folder(const std::string& out_dir, bool overwrite, const std::string& command,
                         const std::vector<std::string>& outputs) {
  std::error_code ec;
  const fs::path out(out_dir);
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) throw UsageError(fmt::format("--out '{}' exists and is not a folder", out_dir));
    if (!fs::is_empty(out, ec)) {
      if (!overwrite) {
        throw UsageError(fmt::format("--out '{}' is not empty; choose another folder or add --overwrite", out_dir));
      }
      const Contents contents = sort_contents(out, read_record(out));
      if (!contents.foreign.empty()) {
        throw UsageError(
            fmt::format("--overwrite: '{}' holds {} entr{} that synthgen did not write there ({}); "
                        "it replaces only an earlier "
                        "run's outputs: move those away or choose another --out",
                        out_dir, contents.foreign.size(), contents.foreign.size() == 1 ? "y" : "ies",
                        join_some(quoted(contents.foreign))));
      }
      remove_owned(contents);
    }
  }
  fs::create_directories(out, ec);
  if (ec) throw RuntimeError(fmt::format("cannot create '{}': {}", out_dir, ec.message()));
  std::string record = fmt::format("# synthgen {}: the files it wrote here; --overwrite removes them\n", command);
  for (const std::string& output : outputs) record += output + "\n";
  try {
    io::write_file_atomic((out / kOutputRecord).string(), record.data(), record.size(),
                          /*sync=*/true);
  } catch (const RuntimeError& e) {
    throw RuntimeError(fmt::format("{}; no output was written", e.what()));
  }
}

}  // namespace synthgen
