#pragma once
// The named tuples of torch.return_types (defined in reduce.cpp).
#include "bind.h"

namespace cresset::py {

/// Creates the named tuple `name` with fields (a, b) in the module `rt` (cresset.return_types),
/// printed as torch prints its return types.
nb::object make_return_type(nb::module_& rt, const char* name, const char* a, const char* b);

}  // namespace cresset::py
