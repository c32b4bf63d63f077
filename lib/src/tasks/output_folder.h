// The --out folder of the commands that write image sets (sample, upscale, translate). Before its
// first output, a command records in the folder the files it is about to write; --overwrite then
// removes exactly what an earlier run recorded, and refuses a folder that holds anything else, so
// that an overwritten folder holds the new outputs only and never loses a file synthgen did not
// write.
#pragma once

#include <string>
#include <vector>

namespace synthgen {

// The hidden file in an output folder that lists, one relative path a line, the files synthgen
// wrote or is writing there.
constexpr const char* kOutputRecord = ".synthgen-outputs";

// Claims `out_dir` (the command's --out) for `command`, which is about to write `outputs` (paths
// relative to out_dir, '/'-separated). A missing folder is created and an empty one taken. A
// non-empty one needs `overwrite` and may hold only files an earlier run recorded: those are
// removed, with the folders left empty, before the new record is written. Refuses, with
// UsageError naming the path, a path that is not a folder, a non-empty folder without
// `overwrite`, and any file or empty folder there that no record lists (before removing anything).
void claim_output_folder(const std::string& out_dir, bool overwrite, const std::string& command,
                         const std::vector<std::string>& outputs);

}  // namespace synthgen
