// Bindings of the fused optimizer updates (cresset/optim) used by cresset.optim.
#include "bind.h"

namespace cresset::py {

void init_optim(nb::module_& m) { (void)m; }

}  // namespace cresset::py
