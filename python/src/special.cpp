// Bindings of torch.special's own kernels (cresset/ops/special.h, and the Bessel functions of
// ops/numeric.h) as cresset._C._special; python/cresset/special gives them torch's names.
#include "bind.h"
#include "cresset/ops/numeric.h"
#include "cresset/ops/special.h"

namespace cresset::py {

void init_special(nb::module_& m) {
  nb::module_ special = m.def_submodule("_special");
  using Unary = Tensor (*)(const Tensor&);
  for (auto [name, fn] : {std::pair<const char*, Unary>{"erfcx", &special_erfcx},
                          {"ndtri", &special_ndtri},
                          {"i0e", &special_i0e},
                          {"i1", &special_i1},
                          {"i1e", &special_i1e}}) {
    special.def(
        name,
        [fn, name](const Tensor& input, nb::handle out) {
          return result_or_out(out, name, [&] { return fn(input); });
        },
        "input"_a, nb::kw_only(), "out"_a = nb::none());
  }
}

}  // namespace cresset::py
