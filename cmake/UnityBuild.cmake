# Unity builds: CMake compiles a target's sources in batches, one translation unit per batch, so
# the precompiled header (about 6 s to load on two cores) is loaded once a batch instead of once a
# file. File-local names must therefore be unique across a target's files.
option(SYNTHGEN_UNITY "Compile each target's sources in batches (faster builds)" ON)
set(SYNTHGEN_UNITY_BATCH 8 CACHE STRING "Source files per unity batch")

function(synthgen_unity_build target)
  if(SYNTHGEN_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${SYNTHGEN_UNITY_BATCH})
  endif()
endfunction()
