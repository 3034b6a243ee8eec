#pragma once
// The C++ frontend in one include: `#include <cresset/cresset.h>`. The same concepts and names as
// the Python API (and libtorch's spellings): cresset::Tensor with its methods and operators,
// cresset::tensor / zeros / rand ... with TensorOptions, indexing with cresset::indexing::Slice,
// autograd (backward, grad, NoGradGuard, custom Functions), printing with operator<<, cresset::nn,
// cresset::optim, cresset::data and cresset::save / load.
#include "cresset/autograd/custom_function.h"
#include "cresset/autograd/engine.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/autograd/saved_hooks.h"
#include "cresset/core/error.h"
#include "cresset/core/generator.h"
#include "cresset/core/parallel.h"
#include "cresset/core/tensor.h"
#include "cresset/core/tensor_options.h"
#include "cresset/data/data.h"
#include "cresset/io/print.h"
#include "cresset/io/serialize.h"
#include "cresset/nn/grid_sample.h"
#include "cresset/nn/modules/nn.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/linalg_composite.h"
#include "cresset/ops/linalg_factor.h"
#include "cresset/ops/linalg_norm.h"
#include "cresset/ops/linalg_solve.h"
#include "cresset/ops/linalg_spectral.h"
#include "cresset/ops/ops.h"
#include "cresset/ops/special.h"
#include "cresset/optim/optimizers.h"
