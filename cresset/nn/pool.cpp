// Pooling and unpooling ops (see Note [Pooling plans] in backend/cpu/pool_kernels.h). Backwards
// are ops with their own nodes, so double backward works: max pooling's backward is a scatter
// whose backward gathers; avg pooling's backward is its transpose, whose backward is avg pooling.
#include "cresset/nn/pool.h"

#include <memory>

#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/nn/pool_common.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace pool_detail {

void check_input(const char* op, const Tensor& self, int64_t nd, PoolDTypes allowed) {
  const int64_t n = self.dim();
  bool ok = n == nd + 1 || n == nd + 2;
  for (int64_t i = n - nd - 1; ok && i < n; ++i) {
    if (i >= 0 && self.size(i) == 0) ok = i == 0 && n == nd + 2;
  }
  CRESSET_CHECK(ok, RuntimeError, "[", op, "] Expected ", nd + 1, "D or ", nd + 2,
                "D (batch mode) tensor with optional 0 dim batch size for input, but got:",
                shape_str(self.sizes()));
  check_dtype(op, self, allowed);
}

void check_dtype(const char* op, const Tensor& self, PoolDTypes allowed) {
  const DType t = self.dtype();
  const bool ok = self.is_floating_point() ||
                  (allowed == PoolDTypes::FloatingAndInt && t != DType::Bool) ||
                  (allowed == PoolDTypes::FloatingAndLong && t == DType::Int64);
  CRESSET_CHECK(ok, NotImplementedError, "[", op, "] \"", op, "\" not implemented for '",
                dtype_display(t), "'");
}

int64_t planes_of(const Tensor& self, int64_t nd) {
  int64_t p = 1;
  for (int64_t i = 0; i < self.dim() - nd; ++i) p *= self.size(i);
  return p;
}

DimVector with_spatial(const Tensor& self, int64_t nd, const DimVector& spatial) {
  DimVector s = self.sizes();
  for (int64_t i = 0; i < nd; ++i) s[s.size() - nd + i] = spatial[i];
  return s;
}

std::string backward_name(const std::string& name) {
  return name.substr(0, name.size() - 1) + "Backward0";
}

}  // namespace pool_detail

using namespace pool_detail;

namespace {

// An int list argument expanded to nd entries (one entry stands for all); `what` names it.
DimVector expand_arg(const char* op, const char* what, const DimVector& v, int64_t nd,
                     const char* forms) {
  CRESSET_CHECK(v.size() == 1 || int64_t(v.size()) == nd, RuntimeError, "[", op, "] ", op, ": ",
                what, " must ", forms);
  if (int64_t(v.size()) == nd) return v;
  return DimVector(size_t(nd), v[0]);
}

// torch's pooling_output_shape, with its checks.
int64_t pooled_size(const char* op, int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil,
                    bool ceil_mode) {
  CRESSET_CHECK(stride != 0, RuntimeError, "[", op, "] stride should not be zero");
  CRESSET_CHECK(pad >= 0, RuntimeError, "[", op, "] pad must be non-negative, but got pad: ", pad);
  CRESSET_CHECK(pad <= ((k - 1) * dil + 1) / 2, RuntimeError, "[", op,
                "] pad should be at most half of effective kernel size, but got pad=", pad,
                ", kernel_size=", k, " and dilation=", dil);
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Window tables of one axis of a strided pooling: taps o*stride - pad + k*dil inside [0, in).
// Avg divisors count padding up to in + pad when count_include_pad, else only the taps.
PoolAxis strided_axis(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, int64_t dil,
                      bool count_include_pad) {
  PoolAxis a;
  a.in_size = in;
  a.out_size = out;
  a.step = dil;
  a.first.resize(size_t(out));
  a.count.resize(size_t(out));
  a.divisor.resize(size_t(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - pad;
    const int64_t stop = std::min(start + (k - 1) * dil + 1, in);
    const int64_t padded = std::min(start + k, in + pad) - start;
    while (start < 0) start += dil;
    const int64_t n = stop > start ? (stop - start + dil - 1) / dil : 0;
    a.first[size_t(o)] = start;
    a.count[size_t(o)] = n;
    a.divisor[size_t(o)] = n == 0 ? 1 : (count_include_pad ? padded : n);
  }
  return a;
}

// Window tables of one axis of an adaptive pooling: [floor(o*in/out), ceil((o+1)*in/out)).
PoolAxis adaptive_axis(int64_t in, int64_t out) {
  PoolAxis a;
  a.in_size = in;
  a.out_size = out;
  a.first.resize(size_t(out));
  a.count.resize(size_t(out));
  a.divisor.resize(size_t(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = (o * in) / out;
    const int64_t stop = ((o + 1) * in + out - 1) / out;
    a.first[size_t(o)] = start;
    a.count[size_t(o)] = stop - start;
    a.divisor[size_t(o)] = stop - start;
  }
  return a;
}

// A trivial axis (size 1) for the dims a 1-D or 2-D op lacks.
PoolAxis unit_axis() {
  PoolAxis a;
  a.first = {0};
  a.count = {1};
  a.divisor = {1};
  return a;
}

// A plan over self's last nd dims from per-spatial-dim axes (padded with unit axes in front).
std::shared_ptr<PoolPlan> make_plan(const Tensor& self, int64_t nd, std::vector<PoolAxis> axes) {
  auto p = std::make_shared<PoolPlan>();
  p->planes = planes_of(self, nd);
  for (int64_t i = 0; i < 3 - nd; ++i) p->axes[i] = unit_axis();
  for (int64_t i = 0; i < nd; ++i) p->axes[3 - nd + i] = std::move(axes[size_t(i)]);
  return p;
}

DimVector plan_out_spatial(const PoolPlan& p, int64_t nd) {
  DimVector s;
  for (int64_t i = 3 - nd; i < 3; ++i) s.push_back(p.axes[i].out_size);
  return s;
}

Tensor dense(const Tensor& t) { return t.is_contiguous() ? detach(t) : contiguous(detach(t)); }

// max pooling's backward: grad scattered (added) to the saved positions, as an op whose backward
// gathers the incoming gradient at the same positions.
Tensor max_backward(const Tensor& grad, const Tensor& indices, const DimVector& in_sizes,
                    const std::shared_ptr<PoolPlan>& plan, const std::string& name) {
  const int64_t planes = plan->planes;
  Tensor gi = empty_tensor(in_sizes, grad.dtype(), grad.device());
  if (plan->window2x2 && planes > 0) {
    CRESSET_POOL_KERNEL(gi, max_pool_2x2_backward_kernel, gi, dense(grad), indices, *plan);
  } else if (planes > 0) {
    bool found = false;
    int64_t bad = 0;
    CRESSET_POOL_KERNEL(gi, index_scatter_kernel, gi, dense(grad), indices, planes, true, &found,
                        &bad);
  }
  if (autograd::needs_grad({grad})) {
    const DimVector out_sizes = grad.sizes();
    autograd::record(backward_name(name), {grad}, {gi}, {indices},
                     [planes, out_sizes](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor idx = c.saved(0);
                       const Tensor gg = reshape(c.grad(), {planes, -1});
                       return {reshape(gather(gg, 1, reshape(idx, {planes, -1})), out_sizes)};
                     });
  }
  return gi;
}

// Max pooling of self's last nd dims by `plan`; indices always returned when `want_indices` or
// autograd needs them, else undefined.
std::tuple<Tensor, Tensor> max_pool_run(const Tensor& self, int64_t nd,
                                        std::shared_ptr<PoolPlan> plan, const std::string& name,
                                        bool want_indices) {
  const DimVector out_sizes = with_spatial(self, nd, plan_out_spatial(*plan, nd));
  const bool grad = autograd::needs_grad({self});
  Tensor out = empty_tensor(out_sizes, self.dtype(), self.device());
  Tensor indices;
  if (want_indices || grad) indices = empty_tensor(out_sizes, DType::Int64, self.device());
  if (out.numel() > 0) {
    CRESSET_POOL_KERNEL(out, max_pool_kernel, out, indices, dense(self), *plan);
  }
  if (grad) {
    const DimVector in_sizes = self.sizes();
    autograd::record(name, {self}, {out}, {indices},
                     [in_sizes, plan, name](const autograd::Ctx& c) -> autograd::TensorList {
                       return {max_backward(c.grad(), c.saved(0), in_sizes, plan, name)};
                     });
  }
  return {out, indices};
}

Tensor avg_backward(const Tensor& grad, std::shared_ptr<PoolPlan> plan, const DimVector& in_sizes,
                    const std::string& name);

// Average pooling by `plan`, recorded as `name`; its backward is avg_backward.
Tensor avg_forward(const Tensor& self, int64_t nd, std::shared_ptr<PoolPlan> plan,
                   const std::string& name) {
  Tensor out = empty_tensor(with_spatial(self, nd, plan_out_spatial(*plan, nd)), self.dtype(),
                            self.device());
  if (out.numel() > 0) CRESSET_POOL_KERNEL(out, avg_pool_kernel, out, dense(self), *plan);
  if (autograd::needs_grad({self})) {
    const DimVector in_sizes = self.sizes();
    autograd::record(name, {self}, {out}, {},
                     [plan, in_sizes, name](const autograd::Ctx& c) -> autograd::TensorList {
                       return {avg_backward(c.grad(), plan, in_sizes, name)};
                     });
  }
  return out;
}

Tensor avg_backward(const Tensor& grad, std::shared_ptr<PoolPlan> plan, const DimVector& in_sizes,
                    const std::string& name) {
  Tensor gi = empty_tensor(in_sizes, grad.dtype(), grad.device());
  if (gi.numel() > 0) CRESSET_POOL_KERNEL(gi, avg_pool_backward_kernel, gi, dense(grad), *plan);
  if (autograd::needs_grad({grad})) {
    const DimVector out_sizes = grad.sizes();
    autograd::record(backward_name(name), {grad}, {gi}, {},
                     [plan, out_sizes](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor g = dense(c.grad());
                       Tensor out = empty_tensor(out_sizes, g.dtype(), g.device());
                       if (out.numel() > 0)
                         CRESSET_POOL_KERNEL(out, avg_pool_kernel, out, g, *plan);
                       return {out};
                     });
  }
  return gi;
}

struct Windows {
  DimVector kernel, stride, padding, dilation;
};

// Expands and validates kernel_size/stride/padding/dilation of an nd-dim pooling op.
Windows pool_args(const char* op, const Tensor& self, int64_t nd, const DimVector& kernel_size,
                  const DimVector& stride, const DimVector& padding, const DimVector& dilation,
                  PoolDTypes allowed) {
  const char* names[] = {"", "", "two", "three"};
  const std::string n = names[nd];
  Windows w;
  w.kernel = expand_arg(op, "kernel_size", kernel_size, nd,
                        ("either be a single int, or a tuple of " + n + " ints").c_str());
  w.stride =
      stride.empty()
          ? w.kernel
          : expand_arg(op, "stride", stride, nd,
                       ("either be omitted, a single int, or a tuple of " + n + " ints").c_str());
  w.padding = expand_arg(op, "padding", padding, nd,
                         ("either be a single int, or a tuple of " + n + " ints").c_str());
  w.dilation = expand_arg(op, "dilation", dilation, nd,
                          ("be either a single int, or a tuple of " + n + " ints").c_str());
  for (int64_t i = 0; i < nd; ++i) {
    CRESSET_CHECK(w.kernel[i] > 0, RuntimeError, "[", op,
                  "] kernel size should be greater than zero, but got ", shape_str(w.kernel));
    CRESSET_CHECK(w.stride[i] != 0, RuntimeError, "[", op, "] stride should not be zero");
    CRESSET_CHECK(w.stride[i] > 0, RuntimeError, "[", op,
                  "] stride should be greater than zero, but got ", shape_str(w.stride));
    CRESSET_CHECK(w.dilation[i] > 0, RuntimeError, "[", op,
                  "] dilation should be greater than zero, but got ", shape_str(w.dilation));
  }
  check_input(op, self, nd, allowed);
  return w;
}

// The plan of a strided pooling (max when dilation matters, avg otherwise).
std::shared_ptr<PoolPlan> strided_plan(const char* op, const Tensor& self, int64_t nd,
                                       const Windows& w, bool ceil_mode, bool count_include_pad) {
  DimVector in_spatial, out_spatial;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t in = self.size(self.dim() - nd + i);
    in_spatial.push_back(in);
    out_spatial.push_back(
        pooled_size(op, in, w.kernel[i], w.padding[i], w.stride[i], w.dilation[i], ceil_mode));
  }
  bool ok = true;
  for (int64_t o : out_spatial) ok = ok && o >= 1;
  if (!ok) {
    DimVector in_all{self.size(self.dim() - nd - 1)}, out_all{self.size(self.dim() - nd - 1)};
    for (int64_t i = 0; i < nd; ++i) {
      in_all.push_back(in_spatial[i]);
      out_all.push_back(out_spatial[i]);
    }
    auto join = [](const DimVector& v) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? "x" : "") + std::to_string(v[i]);
      return s;
    };
    throw RuntimeError(str_cat("[", op, "] Given input size: (", join(in_all),
                               "). Calculated output size: (", join(out_all),
                               "). Output size is too small"));
  }
  std::vector<PoolAxis> axes;
  for (int64_t i = 0; i < nd; ++i) {
    axes.push_back(strided_axis(in_spatial[i], out_spatial[i], w.kernel[i], w.stride[i],
                                w.padding[i], w.dilation[i], count_include_pad));
  }
  auto plan = make_plan(self, nd, std::move(axes));
  const PoolAxis& ah = plan->axes[1];
  const PoolAxis& aw = plan->axes[2];
  plan->window2x2 = plan->axes[0].in_size == 1 && plan->axes[0].out_size == 1 && nd >= 2 &&
                    w.kernel[nd - 1] == 2 && w.kernel[nd - 2] == 2 && w.stride[nd - 1] == 2 &&
                    w.stride[nd - 2] == 2 && w.padding[nd - 1] == 0 && w.padding[nd - 2] == 0 &&
                    ah.out_size * 2 <= ah.in_size && aw.out_size * 2 <= aw.in_size &&
                    (nd == 2 || w.kernel[0] == 1);
  return plan;
}

std::tuple<Tensor, Tensor> max_pool_nd(const char* op, const Tensor& self, int64_t nd,
                                       const DimVector& kernel_size, const DimVector& stride,
                                       const DimVector& padding, const DimVector& dilation,
                                       bool ceil_mode, bool want_indices) {
  const Windows w =
      pool_args(op, self, nd, kernel_size, stride, padding, dilation, PoolDTypes::FloatingAndInt);
  auto plan = strided_plan(op, self, nd, w, ceil_mode, true);
  return max_pool_run(self, nd, std::move(plan),
                      nd == 3 ? "MaxPool3DWithIndicesBackward0" : "MaxPool2DWithIndicesBackward0",
                      want_indices);
}

Tensor avg_pool_nd(const char* op, const Tensor& self, int64_t nd, const DimVector& kernel_size,
                   const DimVector& stride, const DimVector& padding, bool ceil_mode,
                   bool count_include_pad, std::optional<int64_t> divisor_override) {
  const Windows w =
      pool_args(op, self, nd, kernel_size, stride, padding, {1}, PoolDTypes::FloatingAndLong);
  CRESSET_CHECK(!divisor_override || *divisor_override != 0, RuntimeError, "[", op,
                "] divisor must be not zero");
  auto plan = strided_plan(op, self, nd, w, ceil_mode, count_include_pad);
  plan->window2x2 = false;
  plan->divisor_override = divisor_override.value_or(0);
  return avg_forward(self, nd, std::move(plan),
                     nd == 3 ? "AvgPool3DBackward0" : "AvgPool2DBackward0");
}

// Validates an adaptive output_size and builds its plan.
std::shared_ptr<PoolPlan> adaptive_plan(const char* op, const Tensor& self, int64_t nd,
                                        DimVector output_size, bool channels_may_be_empty = false) {
  if (output_size.size() == 1) output_size = DimVector(size_t(nd), output_size[0]);
  CRESSET_CHECK(int64_t(output_size.size()) == nd, RuntimeError, "[", op, "] ", op,
                ": output_size must be ", nd);
  for (int64_t o : output_size) {
    CRESSET_CHECK(o >= 0, RuntimeError, "[", op,
                  "] elements of output_size must be greater than or equal to 0 but received ",
                  shape_str(output_size));
  }
  CRESSET_CHECK(self.dim() == nd + 1 || self.dim() == nd + 2, RuntimeError, "[", op, "] ", op,
                "(): Expected ", nd + 1, "D or ", nd + 2, "D tensor, but got ",
                shape_str(self.sizes()));
  // torch lets adaptive_avg_pool2d alone take zero channels.
  const int64_t first = channels_may_be_empty ? self.dim() - nd : 1;
  for (int64_t i = first; i < self.dim(); ++i) {
    CRESSET_CHECK(self.size(i) > 0, RuntimeError, "[", op, "] ", op,
                  "(): Expected input to have non-zero size for non-batch dimensions, but input "
                  "has sizes ",
                  shape_str(self.sizes()), " with dimension ", i, " being empty");
  }
  check_dtype(op, self);
  std::vector<PoolAxis> axes;
  for (int64_t i = 0; i < nd; ++i) {
    axes.push_back(adaptive_axis(self.size(self.dim() - nd + i), output_size[i]));
  }
  auto plan = make_plan(self, nd, std::move(axes));
  plan->divide_per_axis = true;
  return plan;
}

// Runs a 2-D op on a 1-D input as torch does: unsqueeze(-2), op, squeeze(-2).
template <typename F>
Tensor via_2d(const Tensor& self, const F& f) {
  return squeeze(f(unsqueeze(self, -2)), -2);
}

void check_1d(const char* op, const Tensor& self) {
  CRESSET_CHECK(self.dim() == 2 || self.dim() == 3, RuntimeError, "[", op, "] ", op,
                ": Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                "input, but got:",
                shape_str(self.sizes()));
}

DimVector with_one(int64_t first, const DimVector& v) {
  DimVector r{first};
  for (int64_t x : v) r.push_back(x);
  return r;
}

// The 2-D form of a 1-D int list argument (a leading 1 for the unit height).
DimVector lift(const char* op, const char* what, const DimVector& v, int64_t fill) {
  CRESSET_CHECK(v.size() == 1, RuntimeError, "[", op, "] ", op, "() argument '", what,
                "' should contain one int (got ", v.size(), ")");
  return with_one(fill, v);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode) {
  return max_pool_nd("max_pool2d", self, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     true);
}

std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode) {
  return max_pool_nd("max_pool3d", self, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     true);
}

Tensor max_pool2d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool_nd("max_pool2d", self, 2, kernel_size, stride, padding, dilation, ceil_mode, false));
}

Tensor max_pool3d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool_nd("max_pool3d", self, 3, kernel_size, stride, padding, dilation, ceil_mode, false));
}

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode) {
  const char* op = "max_pool1d";
  check_1d(op, self);
  const DimVector k = lift(op, "kernel_size", kernel_size, 1);
  const DimVector s = stride.empty() ? k : lift(op, "stride", stride, 1);
  auto [out, ind] = max_pool_nd(op, unsqueeze(self, -2), 2, k, s, lift(op, "padding", padding, 0),
                                lift(op, "dilation", dilation, 1), ceil_mode, true);
  return {squeeze(out, -2), squeeze(ind, -2)};
}

Tensor max_pool1d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode) {
  const char* op = "max_pool1d";
  check_1d(op, self);
  check_dtype(op, self);  // torch's values-only 1-D kernel takes no integers
  const DimVector k = lift(op, "kernel_size", kernel_size, 1);
  const DimVector s = stride.empty() ? k : lift(op, "stride", stride, 1);
  return via_2d(self, [&](const Tensor& x) {
    return std::get<0>(max_pool_nd(op, x, 2, k, s, lift(op, "padding", padding, 0),
                                   lift(op, "dilation", dilation, 1), ceil_mode, false));
  });
}

Tensor avg_pool1d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad) {
  const char* op = "avg_pool1d";
  check_1d(op, self);
  const DimVector k = lift(op, "kernel_size", kernel_size, 1);
  const DimVector s = stride.empty() ? k : lift(op, "stride", stride, 1);
  return via_2d(self, [&](const Tensor& x) {
    return avg_pool_nd(op, x, 2, k, s, lift(op, "padding", padding, 0), ceil_mode,
                       count_include_pad, std::nullopt);
  });
}

Tensor avg_pool2d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd("avg_pool2d", self, 2, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override);
}

Tensor avg_pool3d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd("avg_pool3d", self, 3, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override);
}

Tensor adaptive_avg_pool2d(const Tensor& self, const DimVector& output_size) {
  auto plan = adaptive_plan("adaptive_avg_pool2d", self, 2, output_size, true);
  if (plan->axes[1].out_size == 1 && plan->axes[2].out_size == 1) {
    return mean(self, DimVector{-1, -2}, true);
  }
  return avg_forward(self, 2, std::move(plan), "AdaptiveAvgPool2DBackward0");
}

Tensor adaptive_avg_pool3d(const Tensor& self, const DimVector& output_size) {
  auto plan = adaptive_plan("adaptive_avg_pool3d", self, 3, output_size);
  if (plan->axes[0].out_size == 1 && plan->axes[1].out_size == 1 && plan->axes[2].out_size == 1) {
    return mean(self, DimVector{-1, -2, -3}, true);
  }
  return avg_forward(self, 3, std::move(plan), "AdaptiveAvgPool3DBackward0");
}

Tensor adaptive_avg_pool1d(const Tensor& self, const DimVector& output_size) {
  const char* op = "adaptive_avg_pool1d";
  CRESSET_CHECK(output_size.size() == 1, RuntimeError, "[", op, "] ", op,
                ": output_size must be 1");
  CRESSET_CHECK(self.dim() == 2 || self.dim() == 3, RuntimeError, "[", op, "] ", op,
                "(): Expected 2D or 3D tensor, but got ", shape_str(self.sizes()));
  return via_2d(self,
                [&](const Tensor& x) { return adaptive_avg_pool2d(x, with_one(1, output_size)); });
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, const DimVector& output_size) {
  auto plan = adaptive_plan("adaptive_max_pool2d", self, 2, output_size);
  return max_pool_run(self, 2, std::move(plan), "AdaptiveMaxPool2DBackward0", true);
}

std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& self, const DimVector& output_size) {
  auto plan = adaptive_plan("adaptive_max_pool3d", self, 3, output_size);
  return max_pool_run(self, 3, std::move(plan), "AdaptiveMaxPool3DBackward0", true);
}

std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, const DimVector& output_size) {
  const char* op = "adaptive_max_pool1d";
  CRESSET_CHECK(output_size.size() == 1, RuntimeError, "[", op, "] ", op,
                ": output_size must be 1");
  CRESSET_CHECK(self.dim() == 2 || self.dim() == 3, RuntimeError, "[", op, "] ", op,
                "(): Expected 2D or 3D tensor, but got ", shape_str(self.sizes()));
  auto [out, ind] = adaptive_max_pool2d(unsqueeze(self, -2), with_one(1, output_size));
  return {squeeze(out, -2), squeeze(ind, -2)};
}

namespace {

// torch's generate_intervals: window starts for a fractional pooling axis, computed in T.
template <typename T>
PoolAxis fractional_axis(double sample, int64_t in, int64_t out, int64_t k) {
  using M = opmath_t<T>;
  PoolAxis a;
  a.in_size = in;
  a.out_size = out;
  a.first.resize(size_t(out));
  a.count.assign(size_t(out), k);
  a.divisor.assign(size_t(out), 1);
  const T s = T(sample);
  if (out > 1) {
    const T alpha = T(M(T(in - k)) / M(T(out - 1)));
    const int64_t base = static_cast<int>(M(T(M(s) * M(alpha))));
    for (int64_t i = 0; i < out - 1; ++i) {
      a.first[size_t(i)] = static_cast<int>(M(T(M(T(M(T(i)) + M(s))) * M(alpha)))) - base;
    }
  }
  if (out > 0) a.first[size_t(out - 1)] = in - k;
  return a;
}

}  // namespace

std::tuple<Tensor, Tensor> fractional_max_pool2d(const Tensor& self, const DimVector& kernel_size,
                                                 const DimVector& output_size,
                                                 const Tensor& random_samples) {
  const char* op = "fractional_max_pool2d";
  const DimVector k = expand_arg(op, "kernel_size", kernel_size, 2,
                                 "either be a single int, or a tuple of two ints");
  const DimVector o = expand_arg(op, "output_size", output_size, 2,
                                 "either be a single int, or a tuple of two ints");
  check_input(op, self, 2);
  const int64_t n = self.dim(), H = self.size(n - 2), W = self.size(n - 1);
  const int64_t batch = n == 4 ? self.size(0) : 1, channels = self.size(n - 3);
  for (int64_t i = 0; i < 2; ++i) {
    CRESSET_CHECK(k[i] > 0 && o[i] > 0, RuntimeError, "[", op, "] ", op,
                  "(): kernel_size and output_size must be greater than zero, but got ",
                  shape_str(k), " and ", shape_str(o));
    CRESSET_CHECK(o[i] + k[i] - 1 <= self.size(n - 2 + i), RuntimeError, "[", op, "] ", op,
                  "(): pool ", i == 0 ? "height " : "width ", k[i], " too large relative to input ",
                  i == 0 ? "height " : "width ", self.size(n - 2 + i), " and output ",
                  i == 0 ? "height " : "width ", o[i]);
  }
  const DimVector want{batch, channels, 2};
  CRESSET_CHECK(random_samples.sizes() == want && random_samples.dtype() == self.dtype(),
                RuntimeError, "[", op, "] expected _random_samples ", shape_str(want), " of ",
                dtype_display(self.dtype()), "; got ", describe(random_samples));
  const int64_t planes = batch * channels;
  const Tensor x = reshape(dense(self), {planes, H, W});
  const Tensor samples = dense(random_samples);
  const DimVector out_sizes = with_spatial(self, 2, o);
  Tensor out = empty_tensor(out_sizes, self.dtype(), self.device());
  Tensor indices = empty_tensor(out_sizes, DType::Int64, self.device());
  const Tensor out3 = reshape(out, {planes, o[0], o[1]});
  const Tensor ind3 = reshape(indices, {planes, o[0], o[1]});
  // Each plane has its own windows: one single-plane plan per plane.
  for (int64_t pl = 0; pl < planes; ++pl) {
    auto plan = std::make_shared<PoolPlan>();
    plan->planes = 1;
    plan->axes[0] = unit_axis();
    CRESSET_DISPATCH_FLOAT(op, self.dtype(), [&] {
      const scalar_t* sp = samples.data<scalar_t>() + 2 * pl;
      plan->axes[1] = fractional_axis<scalar_t>(double(sp[1]), H, o[0], k[0]);
      plan->axes[2] = fractional_axis<scalar_t>(double(sp[0]), W, o[1], k[1]);
    });
    const Tensor out_pl = select(out3, 0, pl), ind_pl = select(ind3, 0, pl);
    CRESSET_POOL_KERNEL(out_pl, max_pool_kernel, out_pl, ind_pl, select(x, 0, pl), *plan);
  }
  if (autograd::needs_grad({self})) {
    auto plan = std::make_shared<PoolPlan>();
    plan->planes = planes;
    const DimVector in_sizes = self.sizes();
    const std::string name = "FractionalMaxPool2DBackward0";
    autograd::record(name, {self}, {out}, {indices},
                     [in_sizes, plan, name](const autograd::Ctx& c) -> autograd::TensorList {
                       return {max_backward(c.grad(), c.saved(0), in_sizes, plan, name)};
                     });
  }
  return {out, indices};
}

namespace {

Tensor max_unpool_nd(const char* op, const Tensor& self, const Tensor& indices, int64_t nd,
                     const DimVector& output_size) {
  CRESSET_CHECK(
      indices.dtype() == DType::Int64, RuntimeError, "[", op,
      "] elements in indices should be type int64 but got: ", dtype_display(indices.dtype()));
  CRESSET_CHECK(self.sizes() == indices.sizes(), RuntimeError, "[", op,
                "] Expected shape of indices to be same as that of the input tensor (",
                shape_str(self.sizes()),
                ") but got indices tensor with shape: ", shape_str(indices.sizes()));
  CRESSET_CHECK(int64_t(output_size.size()) == nd, RuntimeError, "[", op,
                "] There should be exactly ", nd, " elements (",
                nd == 2 ? "height, width" : "depth, height, width", ") in output_size, but got ",
                output_size.size(), " elements.");
  check_input(op, self, nd);
  const int64_t planes = planes_of(self, nd);
  const DimVector out_sizes = with_spatial(self, nd, output_size);
  Tensor out = empty_tensor(out_sizes, self.dtype(), self.device());
  if (self.numel() > 0) {
    bool found = false;
    int64_t bad = 0;
    CRESSET_POOL_KERNEL(out, index_scatter_kernel, out, dense(self), dense(indices), planes, false,
                        &found, &bad);
    CRESSET_CHECK(!found, RuntimeError, "[", op, "] Found an invalid max index: ", bad,
                  " (output volumes are of size ", shape_str(output_size), ")");
  }
  if (autograd::needs_grad({self})) {
    const DimVector in_sizes = self.sizes();
    autograd::record(nd == 3 ? "MaxUnpool3DBackward0" : "MaxUnpool2DBackward0", {self}, {out},
                     {indices}, [planes, in_sizes](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor gg = reshape(c.grad(), {planes, -1});
                       return {reshape(gather(gg, 1, reshape(c.saved(0), {planes, -1})), in_sizes)};
                     });
  }
  return out;
}

}  // namespace

Tensor max_unpool2d(const Tensor& self, const Tensor& indices, const DimVector& output_size) {
  return max_unpool_nd("max_unpool2d", self, indices, 2, output_size);
}

Tensor max_unpool3d(const Tensor& self, const Tensor& indices, const DimVector& output_size,
                    const DimVector& stride, const DimVector& padding) {
  // torch checks stride and padding here although the indices alone place the values.
  const char* op = "max_unpool3d";
  CRESSET_CHECK(stride.size() == 3, RuntimeError, "[", op,
                "] There should be exactly three elements (depth, height, width) in stride, but "
                "got: ",
                stride.size(), " elements.");
  CRESSET_CHECK(padding.size() == 3, RuntimeError, "[", op,
                "] There should be exactly three elements (depth, height, width) in padding, but "
                "got: ",
                padding.size(), " elements.");
  CRESSET_CHECK(stride[0] > 0 && stride[1] > 0 && stride[2] > 0, RuntimeError, "[", op,
                "] strides should be greater than zero, but got stride: ", shape_str(stride));
  return max_unpool_nd(op, self, indices, 3, output_size);
}

}  // namespace cresset
