# The CUDA backend (see DESIGN.md, Devices, and Note [Lazily loaded CUDA backend]).
# CRESSET_CUDA=AUTO builds it when a CUDA compiler and cudart are found, ON requires them, OFF never
# builds it. It is its own library, libcresset_cuda.so (backend/cuda), which libcresset loads on
# first use; libcresset itself never links CUDA. Included before the cresset library is defined;
# cresset_add_cuda_library() then defines the CUDA library on top of it.
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
  find_path(CRESSET_CUBLAS_INCLUDE_DIR cublas_v2.h HINTS ${CRESSET_CUBLAS_HINTS}
            DOC "cuBLAS headers (optional; see Note [cuBLAS loading])")
  if(CRESSET_CUBLAS_INCLUDE_DIR)
    get_filename_component(CRESSET_CUBLAS_LIB_DIR ${CRESSET_CUBLAS_INCLUDE_DIR}/../lib ABSOLUTE)
    message(STATUS "cresset: cuBLAS headers in ${CRESSET_CUBLAS_INCLUDE_DIR}")
  else()
    message(STATUS "cresset: no cuBLAS headers: matmul on CUDA uses cresset's own GEMM kernel")
  endif()
else()
  message(STATUS "cresset: CUDA backend OFF")
endif()

# libcresset_cuda.so: the kernels and the runtime, linked with libcresset and with cudart
# statically (cudart loads the driver, libcuda.so, only on the first CUDA call). Only its
# cresset_cuda_install() is exported. The loader (backend/cuda_loader.cpp) finds it beside
# libcresset.so, so both are built into and installed in the same directory.
function(cresset_add_cuda_library)
  if(NOT CRESSET_WITH_CUDA)
    return()
  endif()
  add_library(cresset_cuda MODULE ${CRESSET_CUDA_SOURCES})
  set_target_properties(cresset_cuda PROPERTIES
    CUDA_ARCHITECTURES "${CRESSET_CUDA_ARCHITECTURES}" CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON
    CXX_VISIBILITY_PRESET hidden CUDA_VISIBILITY_PRESET hidden INSTALL_RPATH "$ORIGIN")
  target_compile_options(cresset_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${CRESSET_FLAGS}>
    $<$<COMPILE_LANGUAGE:CUDA>:-O3 --expt-relaxed-constexpr>)
  target_link_libraries(cresset_cuda PRIVATE cresset CUDA::cudart_static ${CMAKE_DL_LIBS})
  target_link_options(cresset_cuda PRIVATE -Wl,--exclude-libs,ALL)  # cudart_static stays private
  # The optimizer rules round as on the CPU (see Note [Optimizer update rules]): no contraction.
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/optim.cu
    PROPERTIES COMPILE_OPTIONS --fmad=false)
  if(CRESSET_CUBLAS_INCLUDE_DIR)
    set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda/cublas.cpp
      PROPERTIES
      INCLUDE_DIRECTORIES ${CRESSET_CUBLAS_INCLUDE_DIR}
      COMPILE_DEFINITIONS "CRESSET_HAVE_CUBLAS=1;CRESSET_CUBLAS_LIB_DIR=\"${CRESSET_CUBLAS_LIB_DIR}\"")
  endif()
  if(NOT CMAKE_CUDA_COMPILER_LAUNCHER AND CCACHE_PROGRAM)
    set_target_properties(cresset_cuda PROPERTIES CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
  # The loader in libcresset learns the library's file name and the toolkit version.
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/cresset/backend/cuda_loader.cpp
    PROPERTIES COMPILE_DEFINITIONS
    "CRESSET_CUDA_LIBRARY=\"${CMAKE_SHARED_MODULE_PREFIX}cresset_cuda${CMAKE_SHARED_MODULE_SUFFIX}\";CRESSET_CUDA_TOOLKIT_VERSION=\"${CUDAToolkit_VERSION_MAJOR}.${CUDAToolkit_VERSION_MINOR}\"")
  install(TARGETS cresset_cuda LIBRARY DESTINATION ${CRESSET_INSTALL_LIBDIR})
endfunction()
