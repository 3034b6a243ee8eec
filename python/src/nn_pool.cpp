// Bindings of the nn pool family (pooling, interpolation, pixel shuffle): torch.* and torch._C._nn functions.
#include "bind.h"

namespace cresset::py {

void init_nn_pool(nb::module_& m) { (void)m; }

}  // namespace cresset::py
