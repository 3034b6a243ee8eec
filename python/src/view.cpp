// Bindings of the view family.
#include "bind.h"

namespace cresset::py {

void init_view(nb::module_& m) {}

}  // namespace cresset::py
