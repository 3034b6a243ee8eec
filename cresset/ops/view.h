#pragma once
// The view family of ops (cresset/ops/view.cpp).
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {}  // namespace cresset
