// Bindings of the index family.
#include "bind.h"

namespace cresset::py {

void init_index(nb::module_& m) {}

}  // namespace cresset::py
