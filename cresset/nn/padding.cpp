#include "cresset/nn/padding.h"

#include <vector>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/view.h"

namespace cresset {

Tensor constant_pad_nd(const Tensor& self, const DimVector& pad, Scalar value) {
  const int64_t pairs = int64_t(pad.size()) / 2;
  CRESSET_CHECK(pad.size() % 2 == 0, RuntimeError, "[pad] Padding length must be divisible by 2");
  CRESSET_CHECK(pairs <= self.dim(), RuntimeError,
                "[pad] Padding length should be less than or equal to two times the input "
                "dimension but got padding length ",
                pad.size(), " and input of dimension ", self.dim());
  DimVector sizes = self.sizes();
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t d = self.dim() - 1 - i;
    const int64_t n = sizes[d] + pad[2 * i] + pad[2 * i + 1];
    CRESSET_CHECK(n >= 0, RuntimeError, "[pad] The input size ", sizes[d],
                  ", plus negative padding ", pad[2 * i], " and ", pad[2 * i + 1],
                  " resulted in a negative output size, which is invalid. Check dimension ", d,
                  " of your input.");
    sizes[d] = n;
  }
  Tensor out = full(sizes, value, self.dtype(), self.device());
  // The kept part of self lands in the interior of out: crop self by negative pads, out by
  // positive ones.
  Tensor src = detach(self), dst = out;
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t d = self.dim() - 1 - i, l = pad[2 * i], r = pad[2 * i + 1];
    const int64_t kept = self.size(d) + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
    if (kept <= 0) {
      src = Tensor();
      break;
    }
    src = narrow(src, d, std::max<int64_t>(-l, 0), kept);
    dst = narrow(dst, d, std::max<int64_t>(l, 0), kept);
  }
  if (src.defined() && src.numel() > 0) copy_into(dst, src);
  if (autograd::needs_grad({self})) {
    DimVector inverse(pad.size());
    for (size_t i = 0; i < pad.size(); ++i) inverse[i] = -pad[i];
    autograd::record("ConstantPadNdBackward0", {self}, {out}, {},
                     [inverse](const autograd::Ctx& c) -> autograd::TensorList {
                       return {constant_pad_nd(c.grad(), inverse, Scalar(0.0))};
                     });
  }
  return out;
}

namespace {

// For one padded dim of size n, the source index of each output position (reflect or
// replicate).
Tensor source_index(int64_t n, int64_t left, int64_t right, const std::string& mode) {
  std::vector<int64_t> idx;
  for (int64_t o = 0; o < n + left + right; ++o) {
    int64_t i = o - left;
    if (mode == "reflect") {
      const int64_t period = 2 * (n - 1);
      if (period == 0) {
        i = 0;
      } else {
        i = ((i % period) + period) % period;
        if (i >= n) i = period - i;
      }
    } else {
      i = std::min(std::max<int64_t>(i, 0), n - 1);
    }
    idx.push_back(i);
  }
  Tensor t = empty_tensor({int64_t(idx.size())}, DType::Int64);
  std::copy(idx.begin(), idx.end(), t.data<int64_t>());
  return t;
}

const char* node_name(const std::string& mode, int64_t pairs) {
  static const char* names[2][3] = {
      {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"},
      {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0"}};
  return names[mode == "replicate"][pairs - 1];
}

// Circular padding composed as torch composes it: the kept interior (self sliced, negative pads
// cropping) copied into a new tensor, then per padded dim each wrapped band copied in from the
// far side of the interior across the full extent of the other dims (so later dims carry earlier
// bands into the corners). The graph is torch's CopySlices chain, and double backward works.
Tensor circular_pad(const Tensor& self, const DimVector& pad) {
  DimVector sizes = self.sizes();
  Tensor src = self, dst;
  std::vector<std::pair<int64_t, int64_t>> interior;  // per padded dim: start in out, length
  for (size_t i = 0; 2 * i < pad.size(); ++i) {
    const int64_t d = self.dim() - 1 - int64_t(i), l = pad[2 * i], r = pad[2 * i + 1];
    const int64_t kept = self.size(d) + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
    sizes[d] = self.size(d) + l + r;
    src = narrow(src, d, std::max<int64_t>(-l, 0), kept);
    interior.emplace_back(std::max<int64_t>(l, 0), kept);
  }
  Tensor out = empty_tensor(sizes, self.dtype(), self.device());
  dst = out;
  for (size_t i = 0; i < interior.size(); ++i) {
    dst = narrow(dst, self.dim() - 1 - int64_t(i), interior[i].first, interior[i].second);
  }
  copy_(dst, src);
  for (size_t i = 0; 2 * i < pad.size(); ++i) {
    const int64_t d = self.dim() - 1 - int64_t(i), l = pad[2 * i], r = pad[2 * i + 1];
    const int64_t start = std::max<int64_t>(l, 0);  // where the kept interior begins
    const int64_t kept = self.size(d) + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
    // The bands repeat the kept interior (as torch, also when the other side is cropped).
    if (l > 0) copy_(narrow(out, d, 0, l), narrow(out, d, start + kept - l, l));
    if (r > 0) copy_(narrow(out, d, start + kept, r), narrow(out, d, start, r));
  }
  return out;
}

// Reflect / replicate: the padded dims gathered one after another by index.
Tensor gather_pad(const Tensor& self, const DimVector& pad, const std::string& mode) {
  const int64_t pairs = int64_t(pad.size()) / 2;
  std::vector<Tensor> indices;
  std::vector<int64_t> dims;
  DimVector in_sizes;
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t d = self.dim() - 1 - i;
    indices.push_back(source_index(self.size(d), pad[2 * i], pad[2 * i + 1], mode));
    dims.push_back(d);
  }
  std::vector<DimVector> sizes;  // the shape before each gather
  Tensor out = detach(self);
  for (size_t i = 0; i < dims.size(); ++i) {
    sizes.push_back(out.sizes());
    out = index_select(out, dims[i], indices[i]);
  }
  if (autograd::needs_grad({self})) {
    autograd::record(node_name(mode, pairs), {self}, {out}, {},
                     [indices, dims, sizes](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor g = c.grad();
                       for (size_t i = dims.size(); i-- > 0;) {
                         g = index_add(zeros(sizes[i], g.dtype(), g.device()), dims[i], indices[i],
                                       g);
                       }
                       return {g};
                     });
  }
  return out;
}

}  // namespace

Tensor pad(const Tensor& self, const DimVector& pad, const std::string& mode,
           std::optional<double> value) {
  if (mode == "constant") return constant_pad_nd(self, pad, Scalar(value.value_or(0.0)));
  if (mode != "reflect" && mode != "replicate" && mode != "circular") {
    throw NotImplementedError(str_cat("[pad] Unrecognised padding mode ", mode));
  }
  CRESSET_CHECK(!value || *value == 0.0, RuntimeError, "[pad] Padding mode \"", mode,
                "\" doesn't take in value argument");
  CRESSET_CHECK(pad.size() % 2 == 0, RuntimeError, "[pad] Padding length must be divisible by 2");
  const int64_t pairs = int64_t(pad.size()) / 2;
  if (!(pairs >= 1 && pairs <= 3 && (self.dim() == pairs + 1 || self.dim() == pairs + 2))) {
    throw NotImplementedError(
        str_cat("[pad] Padding size ", pad.size(), " is not supported for ", self.dim(),
                "D input tensor.\nSupported combinations for non-constant padding:\n"
                "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"));
  }
  for (int64_t d = self.dim() == pairs + 2 ? 1 : 0; d < self.dim(); ++d) {
    CRESSET_CHECK(self.size(d) > 0, RuntimeError, "[pad] Expected ", pairs + 1, "D or ", pairs + 2,
                  "D (batch mode) tensor with possibly 0 batch size and other non-zero "
                  "dimensions for input, but got: ",
                  shape_str(self.sizes()));
  }
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t d = self.dim() - 1 - i, n = self.size(d);
    const int64_t l = pad[2 * i], r = pad[2 * i + 1];
    CRESSET_CHECK(n + l + r >= 0, RuntimeError, "[pad] The input size ", n,
                  ", plus negative padding ", l, " and ", r,
                  " resulted in a negative output size, which is invalid. Check dimension ", d,
                  " of your input.");
    if (mode == "reflect") {
      CRESSET_CHECK(l < n && r < n, RuntimeError,
                    "[pad] Argument #4: Padding size should be less than the corresponding input "
                    "dimension, but got: padding (",
                    l, ", ", r, ") at dimension ", d, " of input ", shape_str(self.sizes()));
    } else if (mode == "circular") {
      CRESSET_CHECK(l <= n && r <= n, RuntimeError,
                    "[pad] Padding value causes wrapping around more than once.");
    }
  }
  return mode == "circular" ? circular_pad(self, pad) : gather_pad(self, pad, mode);
}

Tensor pad_nd(const Tensor& self, const DimVector& pad_, const std::string& mode, int64_t dims) {
  CRESSET_CHECK(int64_t(pad_.size()) == 2 * dims, RuntimeError,
                "[pad] padding size is expected to be ", 2 * dims, ", but got: ", pad_.size());
  return pad(self, pad_, mode, std::nullopt);
}

}  // namespace cresset
