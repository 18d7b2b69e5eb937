# CUDA is optional: compiled whenever nvcc is present (check_language), architecture 90 by default.
# Sets SYNTHCOHORT_HAVE_CUDA. Shared by the top-level build and the standalone kernels build.
set(SYNTHCOHORT_HAVE_CUDA OFF)
if(NOT DEFINED SYNTHCOHORT_ENABLE_CUDA OR SYNTHCOHORT_ENABLE_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 knows no CUDA20 dialect for nvcc
    set(SYNTHCOHORT_HAVE_CUDA ON)
  endif()
endif()
