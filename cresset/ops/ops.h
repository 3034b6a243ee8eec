#pragma once
// Every public op of cresset, as free functions over Tensor. Each family's declarations live in
// its own header (one per ops/<family>.cpp); this header gathers them.
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
