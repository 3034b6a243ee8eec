#pragma once
// The reduce family of ops (cresset/ops/reduce.cpp).
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {}  // namespace cresset
