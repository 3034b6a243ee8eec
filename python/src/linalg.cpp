// Bindings of the linalg family.
#include "bind.h"

namespace cresset::py {

void init_linalg(nb::module_& m) {}

}  // namespace cresset::py
