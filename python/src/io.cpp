// Bindings of the safe checkpoint format (cresset/io) used by cresset.save / cresset.load.
#include "bind.h"

namespace cresset::py {

void init_io(nb::module_& m) { (void)m; }

}  // namespace cresset::py
