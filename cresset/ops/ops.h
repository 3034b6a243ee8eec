#pragma once
// Every public op of cresset, as free functions over Tensor. Each family's declarations live in
// its own header (one per ops/<family>.cpp); this header gathers them.
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/index.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/nn.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/random.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/sort.h"
#include "cresset/ops/view.h"
#include "cresset/ops/windows.h"
