// Reading, overriding, checking and writing the run configuration.
// Precedence, lowest to highest: the defaults in config.h, the YAML file, `--set key=value`.
#pragma once

#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen {

// Reads a YAML file, applies the overrides ("train.steps=100"; the value is YAML, so
// "train.betas=[0.5,0.99]" works), checks every value and the cross-field rules, and returns the
// config. Throws ConfigError with one complete message per line: unknown keys (with the closest
// valid key), wrong types, out-of-range values, each with the key path and file:line:col or the
// override it came from. An empty file is all defaults.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from YAML text; `origin` names it in messages.
Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<std::string>& overrides = {});

// Applies overrides to a config, with the same checks.
void apply_overrides(Config& config, const std::vector<std::string>& overrides);

// The resolved config as YAML: every key, a comment per key, values that read back exactly.
std::string dump_config(const Config& config);

// Every valid key path ("train.lr"), in schema order.
std::vector<std::string> config_keys();

// Every key as a Markdown table row: key, default, the families that read it, meaning. The key
// table of docs/config.md is this text (`synthgen train --list-keys`).
std::string config_keys_markdown();

// The value of `key` ("train.lr") as dump_config writes it ("0.0002"); throws ConfigError for an
// unknown key.
std::string config_value(const Config& config, const std::string& key);

// Key paths whose values differ between a and b.
std::vector<std::string> changed_keys(const Config& a, const Config& b);

}  // namespace synthgen
