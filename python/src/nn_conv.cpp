// Bindings of the nn conv family (convolution, conv_transpose, unfold/fold, pad): torch.* and torch._C._nn functions.
#include "bind.h"

namespace cresset::py {

void init_nn_conv(nb::module_& m) { (void)m; }

}  // namespace cresset::py
