#pragma once
// The index family of ops (cresset/ops/index.cpp).
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {}  // namespace cresset
