// The one symbol libcresset_cuda.so exports: libcresset's loader calls it right after loading the
// library, and it points every entry point of api.def at this library's implementation (see
// Note [Lazily loaded CUDA backend]).
#include "cresset/backend/cuda/api.h"

extern "C" __attribute__((visibility("default"))) void cresset_cuda_install() {
#define CRESSET_CUDA_API(name, ...) cresset::cuda::name.install(&cresset::cuda::impl::name);
#include "cresset/backend/cuda/api.def"
#undef CRESSET_CUDA_API
}
