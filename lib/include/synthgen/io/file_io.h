// Whole-file reads and atomic writes with every system call checked: a full disk or a missing
// folder is an error, never a silently short file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace synthgen::io {

// The whole content of a file. Throws RuntimeError "cannot read 'path': <reason>".
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

// Replaces `path` with `size` bytes atomically: the data goes to a new temporary file in the same
// folder, which is then renamed over `path`. With `sync`, the file is fsynced before the rename and
// the folder after it, so that the new content survives a crash. On failure the temporary is
// removed, `path` keeps its old content, and RuntimeError names the path and the reason.
void write_file_atomic(const std::string& path, const void* data, std::size_t size, bool sync);

// Whether `path` is `folder` or lies below it, comparing absolute, normalised paths with symbolic
// links resolved as far as they exist; false when `folder` is not an existing folder.
bool is_inside_folder(const std::string& path, const std::string& folder);

// Deletes the temporary files that write_file_atomic leaves in `folder` when its process is killed
// mid-write (hidden names of the form .<name>.tmp.<pid>.<n>.<t>), and returns how many. Only for
// folders no other process writes to at the same time, such as a run folder being resumed.
int remove_stale_temporaries(const std::string& folder);

}  // namespace synthgen::io
