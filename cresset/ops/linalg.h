#pragma once
// The linalg family of ops (cresset/ops/linalg.cpp).
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {}  // namespace cresset
