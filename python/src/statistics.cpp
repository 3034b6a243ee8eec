// Bindings of the statistics and distances (cresset/ops/statistics.h).
#include <nanobind/stl/pair.h>

#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/statistics.h"
#include "return_types.h"

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
  m.def(
      "renorm",
      [](const Tensor& self, double p, int64_t dim, double maxnorm, nb::handle out) {
        return result_or_out(
            out, "renorm", [&] { return renorm(self, p, dim, maxnorm); }, OutDtype::Exact);
      },
      "input"_a, "p"_a, "dim"_a, "maxnorm"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("renorm", [](const Tensor& self, double p, int64_t dim, double maxnorm) {
    return renorm(self, p, dim, maxnorm);
  }, "p"_a, "dim"_a, "maxnorm"_a);
  cls.def("renorm_", &renorm_, "p"_a, "dim"_a, "maxnorm"_a);
  // quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None); q a number
  // or a tensor.
  for (bool ignore_nan : {false, true}) {
    const char* name = ignore_nan ? "nanquantile" : "quantile";
    auto fn = [ignore_nan](const Tensor& self, nb::handle q, std::optional<int64_t> dim,
                           bool keepdim, const std::string& interpolation) {
      Tensor qt;
      if (is_number(q)) {
        double v = nb::cast<double>(q);
        CRESSET_CHECK(v >= 0 && v <= 1, RuntimeError, ignore_nan ? "nanquantile()" : "quantile()",
                      " q must be in the range [0, 1] but got ", v);
        qt = scalar_tensor(Scalar(v), self.dtype(), self.device());
      } else {
        qt = nb::cast<Tensor>(q);
      }
      return quantile(self, qt, dim, keepdim, interpolation, ignore_nan);
    };
    m.def(
        name,
        [fn, name](const Tensor& self, nb::handle q, std::optional<int64_t> dim, bool keepdim,
                   const std::string& interpolation, nb::handle out) {
          return result_or_out(
              out, name, [&] { return fn(self, q, dim, keepdim, interpolation); }, OutDtype::Exact,
              &write_out_recorded);
        },
        "input"_a, "q"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
        "interpolation"_a = "linear", "out"_a = nb::none());
    cls.def(name, fn, "q"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
            "interpolation"_a = "linear");
  }

  // histogram(input, bins, *, range=None, weight=None, density=False): bins an int or edges.
  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));
  nb::object histogram_type = make_return_type(rt, "histogram", "hist", "bin_edges");
  auto histogram_fn = [](const Tensor& self, nb::handle bins, nb::handle range,
                         std::optional<Tensor> weight, bool density) {
    Tensor w = weight.value_or(Tensor());
    std::pair<Tensor, Tensor> r;
    if (PyLong_Check(bins.ptr())) {
      std::optional<std::pair<double, double>> lohi;
      if (!range.is_none()) lohi = nb::cast<std::pair<double, double>>(range);
      r = histogram(self, nb::cast<int64_t>(bins), lohi, w, density);
    } else {
      r = histogram(self, nb::cast<const Tensor&>(bins), w, density);
    }
    return r;
  };
  m.def(
      "histogram",
      [histogram_fn, histogram_type](const Tensor& self, nb::handle bins, nb::handle range,
                                     std::optional<Tensor> weight, bool density, nb::handle out) {
        auto [hist, edges] = histogram_fn(self, bins, range, weight, density);
        return pair_or_out(out, "histogram", histogram_type, hist, edges, OutDtype::Exact);
      },
      "input"_a, "bins"_a, nb::kw_only(), "range"_a = nb::none(), "weight"_a = nb::none(),
      "density"_a = false, "out"_a = nb::none());
  cls.def(
      "histogram",
      [histogram_fn, histogram_type](const Tensor& self, nb::handle bins, nb::handle range,
                                     std::optional<Tensor> weight, bool density) {
        auto [hist, edges] = histogram_fn(self, bins, range, weight, density);
        return histogram_type(hist, edges);
      },
      "bins"_a, nb::kw_only(), "range"_a = nb::none(), "weight"_a = nb::none(),
      "density"_a = false);

  m.def("isin", [](nb::handle elements, nb::handle test_elements, bool, bool invert) {
    CRESSET_CHECK(!(is_number(elements) && is_number(test_elements)), TypeError,
                  "isin() received an invalid combination of arguments: two numbers");
    return isin(to_tensor_or_scalar(elements, "isin"), to_tensor_or_scalar(test_elements, "isin"),
                invert);
  }, "elements"_a, "test_elements"_a, nb::kw_only(), "assume_unique"_a = false,
        "invert"_a = false);
}

}  // namespace cresset::py
