// Bindings of the statistics and distances (cresset/ops/statistics.h).
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/statistics.h"

namespace cresset::py {

void init_statistics(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  auto cov_fn = [](const Tensor& self, int64_t correction, std::optional<Tensor> fweights,
                   std::optional<Tensor> aweights) {
    return cov(self, correction, fweights.value_or(Tensor()), aweights.value_or(Tensor()));
  };
  m.def("cov", cov_fn, "input"_a, nb::kw_only(), "correction"_a = 1, "fweights"_a = nb::none(),
        "aweights"_a = nb::none());
  cls.def("cov", cov_fn, nb::kw_only(), "correction"_a = 1, "fweights"_a = nb::none(),
          "aweights"_a = nb::none());
  m.def("corrcoef", &corrcoef, "input"_a);
  cls.def("corrcoef", &corrcoef);
  auto dist_fn = [](const Tensor& self, const Tensor& other, nb::handle p) {
    return dist(self, other, nb::cast<double>(p));
  };
  m.def("dist", dist_fn, "input"_a, "other"_a, "p"_a = 2);
  cls.def("dist", dist_fn, "other"_a, "p"_a = 2);
  // compute_mode picks torch's matrix-product path for p = 2; cresset has one path.
  m.def("cdist", [](const Tensor& x1, const Tensor& x2, double p, nb::handle compute_mode) {
    if (!compute_mode.is_none()) {
      std::string mode = nb::cast<std::string>(compute_mode);
      CRESSET_CHECK(mode == "use_mm_for_euclid_dist_if_necessary" ||
                        mode == "use_mm_for_euclid_dist" || mode == "donot_use_mm_for_euclid_dist",
                    ValueError, mode, " is not a valid value for compute_mode");
    }
    return cdist(x1, x2, p);
  }, "x1"_a, "x2"_a, "p"_a = 2.0, "compute_mode"_a = "use_mm_for_euclid_dist_if_necessary");
  m.def("renorm", [](const Tensor& self, double p, int64_t dim, double maxnorm) {
    return renorm(self, p, dim, maxnorm);
  }, "input"_a, "p"_a, "dim"_a, "maxnorm"_a);
  cls.def("renorm", [](const Tensor& self, double p, int64_t dim, double maxnorm) {
    return renorm(self, p, dim, maxnorm);
  }, "p"_a, "dim"_a, "maxnorm"_a);
  cls.def("renorm_", [](nb::handle self, double p, int64_t dim, double maxnorm) {
    renorm_(nb::cast<const Tensor&>(self), p, dim, maxnorm);
    return nb::borrow(self);
  }, "p"_a, "dim"_a, "maxnorm"_a);
  m.def("isin", [](nb::handle elements, nb::handle test_elements, bool, bool invert) {
    CRESSET_CHECK(!(is_number(elements) && is_number(test_elements)), TypeError,
                  "isin() received an invalid combination of arguments: two numbers");
    return isin(to_tensor_or_scalar(elements, "isin"), to_tensor_or_scalar(test_elements, "isin"),
                invert);
  }, "elements"_a, "test_elements"_a, nb::kw_only(), "assume_unique"_a = false,
        "invert"_a = false);
}

}  // namespace cresset::py
