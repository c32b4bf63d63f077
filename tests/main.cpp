#define CATCH_CONFIG_RUNNER
#include <torch/torch.h>
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  // LibTorch seeds its default generator from the operating system at start-up. A fixed seed makes
  // every test process draw the same initial weights and data on every run (ctest runs one test per
  // process), so that a failure seen in CI reproduces on a developer's machine.
  torch::manual_seed(20261202);
  return Catch::Session().run(argc, argv);
}
