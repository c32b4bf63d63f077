// Precompiled header for the library, the app and the tests: the expensive, stable includes only.
#pragma once
#include <fmt/format.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
