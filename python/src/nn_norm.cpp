// Bindings of the nn norm family (batch/layer/group/instance norm): torch.* and torch._C._nn functions.
#include "bind.h"

namespace cresset::py {

void init_nn_norm(nb::module_& m) { (void)m; }

}  // namespace cresset::py
