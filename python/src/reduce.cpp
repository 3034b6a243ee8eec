// Bindings of the reduce family.
#include "bind.h"

namespace cresset::py {

void init_reduce(nb::module_& m) {}

}  // namespace cresset::py
