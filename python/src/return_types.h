#pragma once
// The named tuples of torch.return_types (defined in reduce.cpp).
#include "bind.h"

namespace cresset::py {

/// Creates the named tuple `name` with fields (a, b) in the module `rt` (cresset.return_types),
/// printed as torch prints its return types.
nb::object make_return_type(nb::module_& rt, const char* name, const char* a, const char* b);
/// make_return_type with any number of fields (torch.linalg.lu_factor_ex has three).
nb::object make_return_type(nb::module_& rt, const char* name, const nb::tuple& fields);

}  // namespace cresset::py
