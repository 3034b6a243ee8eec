// Bindings of the nn activation family (activations, dropout, embedding, distances): torch.* and torch._C._nn functions.
#include "bind.h"

namespace cresset::py {

void init_nn_activation(nb::module_& m) { (void)m; }

}  // namespace cresset::py
