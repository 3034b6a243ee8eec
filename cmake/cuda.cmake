# The CUDA backend (see DESIGN.md, Devices). CRESSET_CUDA=AUTO builds backend/cuda when a CUDA
# compiler and cudart are found, ON requires them, OFF always links the backend/no_cuda stubs.
# Included before the cresset library is defined: it appends to CRESSET_SOURCES, and
# cresset_link_cuda(target) then adds the toolkit's flags and libraries to that target.
set(CRESSET_CUDA AUTO CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set_property(CACHE CRESSET_CUDA PROPERTY STRINGS AUTO ON OFF)
# sm_80 and sm_90 machine code, plus compute_90 PTX that newer GPUs compile at load time.
set(CRESSET_CUDA_ARCHITECTURES 80-real 90-real 90-virtual CACHE STRING
    "CUDA architectures of the CUDA backend")

set(CRESSET_WITH_CUDA OFF)
if(NOT CRESSET_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_ARCHITECTURES ${CRESSET_CUDA_ARCHITECTURES})
    enable_language(CUDA)
    find_package(CUDAToolkit QUIET)
    if(TARGET CUDA::cudart_static)
      set(CRESSET_WITH_CUDA ON)
    endif()
  endif()
  if(CRESSET_CUDA STREQUAL "ON" AND NOT CRESSET_WITH_CUDA)
    message(FATAL_ERROR "CRESSET_CUDA=ON but no CUDA compiler with cudart was found")
  endif()
endif()

if(CRESSET_WITH_CUDA)
  message(STATUS "cresset: CUDA backend ON (${CMAKE_CUDA_COMPILER_VERSION}, "
                 "architectures ${CRESSET_CUDA_ARCHITECTURES})")
  file(GLOB CRESSET_CUDA_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/*.cu
       ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/*.cpp)
  # Families without CUDA kernels yet link their no_cuda stubs, which name the op that has none.
  file(GLOB CRESSET_CUDA_PENDING CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/no_cuda/*_stubs.cpp)
  list(FILTER CRESSET_CUDA_PENDING EXCLUDE REGEX "runtime_stubs")
  list(APPEND CRESSET_SOURCES ${CRESSET_CUDA_SOURCES} ${CRESSET_CUDA_PENDING})
else()
  message(STATUS "cresset: CUDA backend OFF (backend/no_cuda stubs)")
  file(GLOB CRESSET_NO_CUDA_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/no_cuda/*.cpp)
  list(APPEND CRESSET_SOURCES ${CRESSET_NO_CUDA_SOURCES})
endif()

# cudart is linked statically: it loads the driver (libcuda.so) only on the first CUDA call, so
# importing cresset works on machines without a GPU or driver.
function(cresset_link_cuda target)
  if(NOT CRESSET_WITH_CUDA)
    return()
  endif()
  set_target_properties(${target} PROPERTIES CUDA_ARCHITECTURES "${CRESSET_CUDA_ARCHITECTURES}"
                                             CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-O3 --expt-relaxed-constexpr -Xcompiler=-fvisibility=hidden>)
  target_link_libraries(${target} PRIVATE CUDA::cudart_static)
  if(NOT CMAKE_CUDA_COMPILER_LAUNCHER AND CCACHE_PROGRAM)
    set_target_properties(${target} PROPERTIES CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endfunction()
