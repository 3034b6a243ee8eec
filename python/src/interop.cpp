// Bindings of the interop family.
#include "bind.h"

namespace cresset::py {

void init_interop(nb::module_& m) {}

}  // namespace cresset::py
