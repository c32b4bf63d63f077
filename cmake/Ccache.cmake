# Use ccache when it is installed. Precompiled headers need these sloppiness settings to hit the cache.
find_program(SYNTHGEN_CCACHE ccache)
if(SYNTHGEN_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${SYNTHGEN_CCACHE})
  message(STATUS "synthgen: using ccache at ${SYNTHGEN_CCACHE}")
endif()
