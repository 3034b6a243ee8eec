// Tensor printing (see io/print.h). The rules, the same as torch._tensor_str's:
// - Past `threshold` elements the tensor is summarized: every dim longer than 2 * edgeitems shows
//   its first and last `edgeitems` entries around "...".
// - One formatter serves the whole tensor (only the shown values count). Integers and bools are
//   right-aligned to the widest value. Floats look only at the nonzero finite values: when all are
//   whole numbers they print as "1." ("int mode"); scientific notation is chosen when
//   max/min > 1000, max > 1e8 or min < 1e-4 (unless sci_mode forces it); otherwise fixed point
//   with `precision` decimals. Every entry is padded to the widest one.
// - A row holds as many entries as fit in `linewidth` after the indentation; rows wrap with the
//   indentation of their bracket, and dim k blocks are separated by k - 1 blank lines.
// - Suffixes (device, size, dtype, grad_fn / requires_grad) follow the data, on a new line when
//   the last line would pass `linewidth`.
// Only the shown elements are read, so printing a huge tensor is cheap.
#include "cresset/io/print.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include "cresset/autograd/node.h"
#include "cresset/ops/creation.h"

namespace cresset {

namespace {

std::mutex g_options_mutex;
PrintOptions g_options;

// The indices of one dim that are shown, and where "..." goes (after `cut` entries; -1: none).
struct ShownDim {
  std::vector<int64_t> index;
  int64_t cut = -1;
};

std::vector<ShownDim> shown_dims(const Tensor& t, bool summarize, int64_t edge) {
  std::vector<ShownDim> dims(size_t(t.dim()));
  for (int64_t d = 0; d < t.dim(); ++d) {
    int64_t n = t.size(d);
    ShownDim& s = dims[size_t(d)];
    if (summarize && n > 2 * edge) {
      for (int64_t i = 0; i < edge; ++i) s.index.push_back(i);
      for (int64_t i = n - edge; i < n; ++i) s.index.push_back(i);
      s.cut = edge;
    } else {
      for (int64_t i = 0; i < n; ++i) s.index.push_back(i);
    }
  }
  return dims;
}

// An element as Python's tolist() sees it: a float, an int or a bool.
struct Value {
  double f = 0;
  int64_t i = 0;
};

Value read(const Tensor& t, int64_t offset) {
  Value v;
  CRESSET_DISPATCH_ALL("repr", t.dtype(), [&] {
    scalar_t x = static_cast<const scalar_t*>(t.impl()->storage()->data())[offset];
    if constexpr (std::is_floating_point_v<opmath_t<scalar_t>>) {
      v.f = double(opmath_t<scalar_t>(x));
    } else {
      v.i = int64_t(x);
    }
  });
  return v;
}

// The shown values in row-major order.
void gather(const Tensor& t, const std::vector<ShownDim>& dims, size_t d, int64_t offset,
            std::vector<Value>& out) {
  if (d == dims.size()) {
    out.push_back(read(t, offset));
    return;
  }
  for (int64_t i : dims[d].index) gather(t, dims, d + 1, offset + i * t.stride(int64_t(d)), out);
}

std::string printf_str(const char* fmt, int precision, double v) {
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), fmt, precision, v);
  return std::string(buf, size_t(std::max(n, 0)));
}

// Python's float formatting: nan and inf without sign tricks, else printf's (both round exactly).
std::string format_float(double v, char style, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return printf_str(style == 'e' ? "%.*e" : "%.*f", precision, v);
}

class Formatter {
 public:
  Formatter(const std::vector<Value>& values, DType dtype, const PrintOptions& o)
      : dtype_(dtype), floating_(is_floating(dtype)), precision_(int(o.precision)) {
    if (!floating_) {
      for (const Value& v : values) width_ = std::max(width_, format_int(v).size());
      return;
    }
    double lo = INFINITY, hi = 0;
    bool any = false;
    for (const Value& v : values) {
      if (v.f == 0 || !std::isfinite(v.f)) continue;
      any = true;
      lo = std::min(lo, std::fabs(v.f));
      hi = std::max(hi, std::fabs(v.f));
      int_mode_ = int_mode_ && v.f == std::ceil(v.f);
    }
    if (!any) return;
    sci_mode_ = o.sci_mode ? *o.sci_mode : (hi / lo > 1000.0 || hi > 1.0e8 || lo < 1.0e-4);
    for (const Value& v : values) {
      if (v.f == 0 || !std::isfinite(v.f)) continue;
      size_t w = sci_mode_  ? format_float(v.f, 'e', precision_).size()
                 : int_mode_ ? format_float(v.f, 'f', 0).size() + 1
                             : format_float(v.f, 'f', precision_).size();
      width_ = std::max(width_, w);
    }
  }

  size_t width() const { return width_; }

  std::string operator()(const Value& v) const {
    std::string s;
    if (!floating_) {
      s = format_int(v);
    } else if (sci_mode_) {
      s = format_float(v.f, 'e', precision_);
    } else if (int_mode_) {
      s = format_float(v.f, 'f', 0) + (std::isfinite(v.f) ? "." : "");
    } else {
      s = format_float(v.f, 'f', precision_);
    }
    return s.size() < width_ ? std::string(width_ - s.size(), ' ') + s : s;
  }

 private:
  std::string format_int(const Value& v) const {
    if (dtype_ == DType::Bool) return v.i ? "True" : "False";
    return std::to_string(v.i);
  }

  DType dtype_;
  bool floating_;
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t width_ = 1;
};

std::string join(const std::vector<std::string>& items, const std::string& sep, size_t begin,
                 size_t end) {
  std::string s;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) s += sep;
    s += items[i];
  }
  return s;
}

struct Renderer {
  const std::vector<ShownDim>& dims;
  const std::vector<std::string>& cells;  // formatted shown values, row-major
  size_t width;
  int64_t linewidth;
  size_t next = 0;  // the next cell to render

  // The bracketed text of dims d.. whose opening bracket sits at column `indent`.
  std::string render(size_t d, int64_t indent) {
    const ShownDim& s = dims[d];
    std::vector<std::string> items;
    bool last = d + 1 == dims.size();
    for (size_t k = 0; k < s.index.size(); ++k) {
      if (int64_t(k) == s.cut) items.push_back(last ? " ..." : "...");
      items.push_back(last ? cells[next++] : render(d + 1, indent + 1));
    }
    if (last) {
      double fit = std::floor(double(linewidth - indent) / double(width + 2));
      size_t per_line = size_t(std::max(1.0, fit));
      std::vector<std::string> lines;
      for (size_t i = 0; i < items.size(); i += per_line) {
        lines.push_back(join(items, ", ", i, std::min(items.size(), i + per_line)));
      }
      return "[" + join(lines, ",\n" + std::string(size_t(indent + 1), ' '), 0, lines.size()) +
             "]";
    }
    size_t remaining = dims.size() - d;
    std::string sep = "," + std::string(remaining - 1, '\n') + std::string(size_t(indent + 1), ' ');
    return "[" + join(items, sep, 0, items.size()) + "]";
  }
};

// The data part of the repr of a non-empty CPU tensor.
std::string tensor_str(const Tensor& t, int64_t indent, const PrintOptions& o) {
  bool summarize = double(t.numel()) > o.threshold;
  if (summarize && t.dim() > 0 && o.edgeitems == 0) return "[...]";
  std::vector<ShownDim> dims = shown_dims(t, summarize, o.edgeitems);
  std::vector<Value> values;
  gather(t, dims, 0, t.storage_offset(), values);
  Formatter fmt(values, t.dtype(), o);
  std::vector<std::string> cells;
  cells.reserve(values.size());
  for (const Value& v : values) cells.push_back(fmt(v));
  if (t.dim() == 0) return cells[0];
  Renderer r{dims, cells, fmt.width(), o.linewidth};
  return r.render(0, indent);
}

// Python's repr of a shape tuple: "(2, 0)", "(0,)".
std::string tuple_str(const DimVector& sizes) {
  std::string s = "(";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(sizes[i]);
  }
  return s + (sizes.size() == 1 ? ",)" : ")");
}

std::string dtype_str(DType dtype) { return std::string("torch.") + dtype_name(dtype); }

// Appends ", suffix" items and the closing parenthesis, wrapping past linewidth.
std::string add_suffixes(const std::string& text, const std::vector<std::string>& suffixes,
                         int64_t indent, int64_t linewidth) {
  std::string out = text;
  size_t newline = text.rfind('\n');
  int64_t last_line_len =
      int64_t(text.size()) - (newline == std::string::npos ? -1 : int64_t(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    if (last_line_len + int64_t(suffix.size()) + 2 > linewidth) {
      out += ",\n" + std::string(size_t(indent), ' ') + suffix;
      last_line_len = indent + int64_t(suffix.size());
    } else {
      out += ", " + suffix;
      last_line_len += int64_t(suffix.size()) + 2;
    }
  }
  return out + ")";
}

}  // namespace

PrintOptions print_options() {
  std::lock_guard<std::mutex> lock(g_options_mutex);
  return g_options;
}

void set_print_options(const PrintOptions& options) {
  std::lock_guard<std::mutex> lock(g_options_mutex);
  g_options = options;
}

std::string tensor_repr(const Tensor& t, const std::string& prefix,
                        const std::optional<std::string>& contents) {
  PrintOptions o = print_options();
  int64_t indent = int64_t(prefix.size());
  std::vector<std::string> suffixes;
  if (!t.device().is_cpu()) suffixes.push_back("device='" + t.device().str() + "'");
  DType dtype = t.dtype();
  std::string text;
  if (t.numel() == 0) {
    if (t.dim() != 1) suffixes.push_back("size=" + tuple_str(t.sizes()));
    // No values tell an empty int64 tensor apart.
    if (dtype != default_dtype()) suffixes.push_back("dtype=" + dtype_str(dtype));
    text = contents ? *contents : "[]";
  } else {
    if (o.edgeitems == 0) suffixes.push_back("size=" + tuple_str(t.sizes()));
    if (dtype != default_dtype() && dtype != DType::Int64 && dtype != DType::Bool) {
      suffixes.push_back("dtype=" + dtype_str(dtype));
    }
    text = contents ? *contents
                    : tensor_str(t.device().is_cpu() ? t : to(t, dtype, Device()), indent, o);
  }
  if (std::shared_ptr<autograd::Node> fn = t.grad_fn()) {
    std::string name = fn->name();
    size_t colon = name.rfind("::");
    if (colon != std::string::npos) name = name.substr(colon + 2);
    suffixes.push_back("grad_fn=<" + name + ">");
  } else if (t.requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  return add_suffixes(prefix + text, suffixes, indent, o.linewidth);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "[ Tensor (undefined) ]";
  return os << tensor_repr(t);
}

std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_str(dtype); }

std::ostream& operator<<(std::ostream& os, const Device& device) { return os << device.str(); }

}  // namespace cresset
