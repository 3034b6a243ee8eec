#pragma once
// The random family of ops (cresset/ops/random.cpp).
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {}  // namespace cresset
