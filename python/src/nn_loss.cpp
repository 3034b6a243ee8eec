// Bindings of the nn loss family (losses): torch.* and torch._C._nn functions.
#include "bind.h"

namespace cresset::py {

void init_nn_loss(nb::module_& m) { (void)m; }

}  // namespace cresset::py
