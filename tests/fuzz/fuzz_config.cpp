// libFuzzer target for the config reader: any text either loads to a config whose dump reads back
// to the same config, or throws ConfigError (one message line per error); anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  synthgen::Config config;
  try {
    config = synthgen::load_config_text(text, "fuzz.yaml");
  } catch (const synthgen::ConfigError&) {
    return 0;
  }
  // A config that loads must survive the run folder's round trip exactly.
  const std::string dumped = synthgen::dump_config(config);
  const synthgen::Config again = synthgen::load_config_text(dumped, "resolved.yaml");
  if (!synthgen::changed_keys(config, again).empty()) std::abort();
  return 0;
}
