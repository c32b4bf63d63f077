# Every dependency comes from a Debian package (see scripts/setup.sh) or, for GPU builds, from a
# LibTorch 2.x given through CMAKE_PREFIX_PATH.
find_package(Torch REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(JPEG REQUIRED)  # libjpeg-turbo decodes JPEG files (lib/src/io/jpeg_decoder.cpp)
find_package(Threads REQUIRED)

# stb ships as headers (libstb-dev); lib/src/io/stb_impl.cpp compiles the parts we use.
find_path(STB_INCLUDE_DIR NAMES stb_image.h PATH_SUFFIXES stb REQUIRED)

# yaml-cpp 0.7's config names its target "yaml-cpp"; newer ones use "yaml-cpp::yaml-cpp".
if(TARGET yaml-cpp::yaml-cpp)
  set(SYNTHGEN_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(SYNTHGEN_YAML_TARGET yaml-cpp)
endif()

message(STATUS "synthgen: LibTorch ${Torch_VERSION} from ${Torch_DIR}")
