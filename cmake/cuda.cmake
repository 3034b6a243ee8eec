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
  # Families without CUDA kernels yet link their no_cuda stubs, which name the op that has none:
  # no_cuda/<family>_stubs.cpp links unless backend/cuda/<family>.cu exists.
  file(GLOB CRESSET_CUDA_STUBS CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/no_cuda/*_stubs.cpp)
  set(CRESSET_CUDA_PENDING "")
  foreach(stub IN LISTS CRESSET_CUDA_STUBS)
    get_filename_component(family ${stub} NAME_WE)
    string(REGEX REPLACE "_stubs$" "" family ${family})
    if(NOT family STREQUAL "runtime" AND
       NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/${family}.cu)
      list(APPEND CRESSET_CUDA_PENDING ${stub})
    endif()
  endforeach()
  list(APPEND CRESSET_SOURCES ${CRESSET_CUDA_SOURCES} ${CRESSET_CUDA_PENDING})
  # cuBLAS is optional and loaded at run time (see Note [cuBLAS loading]): only its headers are
  # needed here, from the toolkit or from NVIDIA's pip wheel (nvidia/cu<major> or nvidia/cublas).
  set(CRESSET_CUBLAS_HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_package(Python3 QUIET COMPONENTS Interpreter)
  if(Python3_Interpreter_FOUND)
    execute_process(
      COMMAND ${Python3_EXECUTABLE} -c "import nvidia; print(';'.join(nvidia.__path__))"
      OUTPUT_VARIABLE CRESSET_NVIDIA_WHEEL_DIRS OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    foreach(dir IN LISTS CRESSET_NVIDIA_WHEEL_DIRS)
      list(APPEND CRESSET_CUBLAS_HINTS ${dir}/cu${CUDAToolkit_VERSION_MAJOR}/include
           ${dir}/cublas/include)
    endforeach()
  endif()
  find_path(CRESSET_CUBLAS_INCLUDE_DIR cublas_v2.h HINTS ${CRESSET_CUBLAS_HINTS} NO_CACHE)
  if(CRESSET_CUBLAS_INCLUDE_DIR)
    get_filename_component(CRESSET_CUBLAS_LIB_DIR ${CRESSET_CUBLAS_INCLUDE_DIR}/../lib ABSOLUTE)
    message(STATUS "cresset: cuBLAS headers in ${CRESSET_CUBLAS_INCLUDE_DIR}")
  else()
    message(STATUS "cresset: no cuBLAS headers: matmul on CUDA uses cresset's own GEMM kernel")
  endif()
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
  target_link_libraries(${target} PRIVATE CUDA::cudart_static ${CMAKE_DL_LIBS})
  if(CRESSET_CUBLAS_INCLUDE_DIR)
    set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/cublas.cpp
      PROPERTIES
      INCLUDE_DIRECTORIES ${CRESSET_CUBLAS_INCLUDE_DIR}
      COMPILE_DEFINITIONS "CRESSET_HAVE_CUBLAS=1;CRESSET_CUBLAS_LIB_DIR=\"${CRESSET_CUBLAS_LIB_DIR}\"")
  endif()
  if(NOT CMAKE_CUDA_COMPILER_LAUNCHER AND CCACHE_PROGRAM)
    set_target_properties(${target} PROPERTIES CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endfunction()
