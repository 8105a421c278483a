# parscale_add_kernel(NAME SOURCE...): build the kernel library libNAME.so
# from the C sources of a kernel written against parscale/kernel.h and
# ending with PS_PLUGIN(&kernel).  Every parscale driver runs its kernels
# with --kernel-lib path/to/libNAME.so (or PARSCALE_KERNEL_PATH).  The
# library links nothing of parscale: its calls to the team (ps_rank,
# ps_halo, ...) are resolved by the driver that loads it.  Only the
# ps_plugin_info symbol is exported.
#
# Where it goes: the target's LIBRARY_OUTPUT_DIRECTORY as usual, or
# PARSCALE_KERNEL_OUTPUT_DIR when that variable is set.  The target is
# called NAME; parscale's own tree sets PARSCALE_KERNEL_TARGET_PREFIX so
# that its example and test libraries cannot clash with the targets of the
# folders a user builds into it (PARSCALE_PLUGINS).
function(parscale_add_kernel name)
  if(NOT ARGN)
    message(FATAL_ERROR "parscale_add_kernel(${name}): no source files given")
  endif()
  set(target ${PARSCALE_KERNEL_TARGET_PREFIX}${name})
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE parscale::kernel)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name} PREFIX "lib" SUFFIX ".so"
    C_STANDARD 11 C_STANDARD_REQUIRED ON
    C_VISIBILITY_PRESET hidden)
  if(PARSCALE_KERNEL_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES
                          LIBRARY_OUTPUT_DIRECTORY ${PARSCALE_KERNEL_OUTPUT_DIR})
  endif()
endfunction()
