# The executables use tcmalloc (Debian's libgoogle-perftools-dev) instead of glibc's malloc. glibc
# maps every block over 32 MiB afresh and unmaps it on free, so a training step of a large network
# page-faults all of its activation memory again: tcmalloc keeps it. Measured on 2 cores: a 64 px
# DDPM step 2.2x faster, DCGAN-64 training and sampling no slower (docs/experiments/allocator.md).
# Sanitizer builds keep their own allocator.
option(SYNTHGEN_TCMALLOC "Link the executables with tcmalloc_minimal when it is installed" ON)

# Links `target` with tcmalloc_minimal when the option is on and the library is found.
function(synthgen_use_tcmalloc target)
  if(NOT SYNTHGEN_TCMALLOC OR SYNTHGEN_SANITIZE)
    return()
  endif()
  find_library(SYNTHGEN_TCMALLOC_LIBRARY NAMES tcmalloc_minimal)
  if(SYNTHGEN_TCMALLOC_LIBRARY)
    target_link_libraries(${target} PRIVATE "${SYNTHGEN_TCMALLOC_LIBRARY}")
  else()
    message(WARNING "synthgen: tcmalloc_minimal not found (Debian: libgoogle-perftools-dev); "
                    "training large networks on the CPU is up to 2x slower with glibc's malloc")
  endif()
endfunction()
