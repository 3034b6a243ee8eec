// Bindings of the random family.
#include "bind.h"

namespace cresset::py {

void init_random(nb::module_& m) {}

}  // namespace cresset::py
