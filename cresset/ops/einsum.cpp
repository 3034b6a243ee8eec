// Contractions: torch.einsum and torch.tensordot, reduced to matrix products by laying out each
// operand as [batch, rows, cols] (a view when its dims allow, a copy otherwise).
#include <algorithm>
#include <array>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

using namespace linalg_util;

namespace {

// t's dims in three groups (each listed in order) as a 3-D [batch, rows, cols] tensor: a view
// when every group folds into one dim, else a contiguous copy of the regrouped dims.
Tensor grouped(const Tensor& t, const std::array<std::vector<int64_t>, 3>& groups) {
  DimVector sizes(3), strides(3);
  bool folds = true;
  for (int g = 0; g < 3; ++g) {
    folds = fold_dims(t, groups[g], &sizes[g], &strides[g]) && folds;
  }
  if (folds) return restride(t, sizes, strides);
  DimVector psizes, pstrides;
  for (const auto& group : groups) {
    for (int64_t d : group) {
      psizes.push_back(t.size(d));
      pstrides.push_back(t.stride(d));
    }
  }
  Tensor copy = contiguous_copy(restride(t, psizes, pstrides));
  return restride(copy, sizes, {sizes[1] * sizes[2], sizes[2], 1});
}

// A tensor whose dims are named by labels (einsum subscripts).
struct Labelled {
  Tensor t;
  std::vector<int> labels;
};

// The positions in `x` of the labels in `want`, in want's order.
std::vector<int64_t> dims_of(const Labelled& x, const std::vector<int>& want) {
  std::vector<int64_t> dims;
  for (int l : want) {
    dims.push_back(std::find(x.labels.begin(), x.labels.end(), l) - x.labels.begin());
  }
  return dims;
}

bool contains(const std::vector<int>& v, int l) {
  return std::find(v.begin(), v.end(), l) != v.end();
}

// Sums x over its labels not in `keep`, as a product with a broadcast vector of ones.
Labelled sum_out(const Labelled& x, const std::vector<int>& keep) {
  std::vector<int> kept, summed;
  for (int l : x.labels) (contains(keep, l) ? kept : summed).push_back(l);
  if (summed.empty()) return x;
  Tensor g = grouped(x.t, {std::vector<int64_t>{}, dims_of(x, kept), dims_of(x, summed)});
  Tensor ones = scalar_tensor(Scalar(int64_t(1)), x.t.dtype(), x.t.device());
  Tensor r = bmm(g, restride(ones, {1, g.size(2), 1}, {0, 0, 0}));
  DimVector sizes;
  for (int64_t d : dims_of(x, kept)) sizes.push_back(x.t.size(d));
  return {r.as_strided_view(sizes, contiguous_strides(sizes), r.storage_offset()), kept};
}

// The contraction of a and b keeping the labels in `keep`: shared kept labels are batch dims,
// shared others are summed over, the rest are rows (a's) and columns (b's) of one bmm.
Labelled contract(Labelled a, Labelled b, const std::vector<int>& keep) {
  std::vector<int> keep_a = keep, keep_b = keep;
  keep_a.insert(keep_a.end(), b.labels.begin(), b.labels.end());
  keep_b.insert(keep_b.end(), a.labels.begin(), a.labels.end());
  a = sum_out(a, keep_a);
  b = sum_out(b, keep_b);
  std::vector<int> batch, summed, rows, cols;
  for (int l : a.labels) {
    if (!contains(b.labels, l)) {
      rows.push_back(l);
    } else {
      (contains(keep, l) ? batch : summed).push_back(l);
    }
  }
  for (int l : b.labels) {
    if (!contains(a.labels, l)) cols.push_back(l);
  }
  // Shared labels broadcast: a size-1 dim on one side steps with stride 0 to the other's size.
  for (int l : a.labels) {
    if (!contains(b.labels, l)) continue;
    const int64_t da = dims_of(a, {l})[0], db = dims_of(b, {l})[0];
    const int64_t n = std::max(a.t.size(da), b.t.size(db));
    for (Labelled* x : {&a, &b}) {
      const int64_t d = x == &a ? da : db;
      if (x->t.size(d) != n) {
        DimVector sizes = x->t.sizes(), strides = x->t.strides();
        sizes[size_t(d)] = n;
        strides[size_t(d)] = 0;
        x->t = restride(x->t, sizes, strides);
      }
    }
  }
  Tensor r = bmm(grouped(a.t, {dims_of(a, batch), dims_of(a, rows), dims_of(a, summed)}),
                 grouped(b.t, {dims_of(b, batch), dims_of(b, summed), dims_of(b, cols)}));
  Labelled out;
  DimVector sizes;
  for (int64_t d : dims_of(a, batch)) sizes.push_back(a.t.size(d));
  for (int64_t d : dims_of(a, rows)) sizes.push_back(a.t.size(d));
  for (int64_t d : dims_of(b, cols)) sizes.push_back(b.t.size(d));
  out.labels = batch;
  out.labels.insert(out.labels.end(), rows.begin(), rows.end());
  out.labels.insert(out.labels.end(), cols.begin(), cols.end());
  out.t = r.as_strided_view(sizes, contiguous_strides(sizes), r.storage_offset());
  return out;
}

// The einsum of labelled operands, validated by the caller (a label has one size, or 1, across
// operands): repeated labels of an operand take its diagonal, then the operands are contracted
// left to right, keeping what the output and the operands still to come need.
Tensor einsum_labelled(const std::vector<Tensor>& operands,
                       const std::vector<std::vector<int>>& labels,
                       const std::vector<int>& output) {
  std::vector<Labelled> ops;
  for (size_t i = 0; i < operands.size(); ++i) {
    const Tensor& t = operands[i];
    Labelled x;
    DimVector sizes, strides;
    for (size_t d = 0; d < labels[i].size(); ++d) {
      auto it = std::find(x.labels.begin(), x.labels.end(), labels[i][d]);
      if (it != x.labels.end()) {
        strides[size_t(it - x.labels.begin())] += t.stride(int64_t(d));
        continue;
      }
      x.labels.push_back(labels[i][d]);
      sizes.push_back(t.size(int64_t(d)));
      strides.push_back(t.stride(int64_t(d)));
    }
    x.t = restride(t, sizes, strides);
    ops.push_back(std::move(x));
  }
  Labelled acc = ops[0];
  if (ops.size() == 1) {
    acc = sum_out(acc, output);
  }
  for (size_t i = 1; i < ops.size(); ++i) {
    std::vector<int> keep = output;
    for (size_t j = i + 1; j < ops.size(); ++j)
      keep.insert(keep.end(), ops[j].labels.begin(), ops[j].labels.end());
    acc = contract(acc, ops[i], keep);
  }
  // Permute into the output's order (a view, like torch's einsum).
  DimVector sizes, strides;
  for (int64_t d : dims_of(acc, output)) {
    sizes.push_back(acc.t.size(d));
    strides.push_back(acc.t.stride(d));
  }
  return restride(acc.t, sizes, strides);
}

// einsum_labelled, recorded when an operand requires grad.
Tensor einsum_recorded(const std::vector<Tensor>& operands,
                       const std::vector<std::vector<int>>& labels,
                       const std::vector<int>& output) {
  Tensor r = einsum_labelled(operands, labels, output);
  if (autograd::needs_grad(operands)) {
    record_contraction(nullptr, operands, labels, output, DimVector(), r);
  }
  return r;
}

// torch's name for the last node of an einsum, which it composes of sum (a label summed within
// the only operand), permute, mul (no label summed) or bmm and view.
const char* einsum_node_name(const std::vector<std::vector<int>>& labels,
                             const std::vector<int>& output) {
  bool summed = false;
  for (const auto& ls : labels) {
    for (int l : ls) summed = summed || !contains(output, l);
  }
  if (labels.size() == 1) return summed ? "SumBackward1" : "PermuteBackward0";
  return summed ? "ViewBackward0" : "MulBackward0";
}

constexpr int kLetters = 52;  // 'A'-'Z' are labels 0-25, 'a'-'z' 26-51; ellipsis dims follow

int label_of(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26; }
char letter_of(int l) { return char(l < 26 ? 'A' + l : 'a' + l - 26); }
bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// One term of an equation: its labels, with kEllipsis where "..." stands.
constexpr int kEllipsis = -1;
struct Term {
  std::vector<int> labels;
  bool ellipsis = false;
};

// Parses the comma-separated terms in eq[begin, end) (the output side has a single term).
std::vector<Term> parse_terms(const std::string& eq, size_t begin, size_t end, bool output) {
  std::vector<Term> terms(1);
  for (size_t i = begin; i < end; ++i) {
    const char c = eq[i];
    const size_t index = terms.size() - 1;
    if (c == ' ') continue;
    if (c == ',' && !output) {
      terms.emplace_back();
    } else if (c == '.') {
      const bool full = i + 2 < end && eq[i + 1] == '.' && eq[i + 2] == '.';
      if (output) {
        CRESSET_CHECK(full, RuntimeError,
                      "[einsum] einsum(): found '.' for output but it is not part of any ellipsis");
        CRESSET_CHECK(!terms.back().ellipsis, RuntimeError,
                      "[einsum] einsum(): found '.' for output for which an ellipsis was already "
                      "found");
      } else {
        CRESSET_CHECK(full, RuntimeError, "[einsum] einsum(): found '.' for operand ", index,
                      " that is not part of any ellipsis");
        CRESSET_CHECK(!terms.back().ellipsis, RuntimeError,
                      "[einsum] einsum(): found '.' for operand ", index,
                      " for which an ellipsis was already found");
      }
      terms.back().ellipsis = true;
      terms.back().labels.push_back(kEllipsis);
      i += 2;
    } else {
      CRESSET_CHECK(is_letter(c), RuntimeError,
                    "[einsum] einsum(): invalid subscript given at index ", i,
                    " in the equation string, subscripts must be in [a-zA-Z]");
      terms.back().labels.push_back(label_of(c));
    }
  }
  return terms;
}

}  // namespace

void linalg_util::record_contraction(const char* name, const std::vector<Tensor>& operands,
                                     const std::vector<std::vector<int>>& labels,
                                     const std::vector<int>& output, const DimVector& output_sizes,
                                     const Tensor& result) {
  // An operand is saved when another one needs a gradient; the shapes give the sizes of labels
  // found in no other operand. Fresh labels (past every label in use) name diagonal dims.
  autograd::TensorList saved;
  std::vector<DimVector> shapes;
  int fresh = 0;
  for (size_t j = 0; j < operands.size(); ++j) {
    bool other_needs = false;
    for (size_t i = 0; i < operands.size(); ++i) {
      other_needs = other_needs || (i != j && operands[i].requires_grad());
    }
    saved.push_back(other_needs ? operands[j] : Tensor());
    shapes.push_back(operands[j].sizes());
    for (int l : labels[j]) fresh = std::max(fresh, l + 1);
  }
  const bool reshaped = !output_sizes.empty();
  autograd::record(name ? name : einsum_node_name(labels, output), operands, {result}, saved,
                   [labels, output, output_sizes, reshaped, shapes, fresh](const autograd::Ctx& c) {
                     // Operand i's gradient contracts the output's gradient with the other
                     // operands. Labels of i found nowhere else (summed within i) come from a
                     // vector of ones; a label repeated in i pairs with a fresh one through an
                     // identity, so only the diagonal gets gradient.
                     const Tensor g = reshaped ? reshape(c.grad(), output_sizes) : c.grad();
                     autograd::TensorList grads(labels.size());
                     for (size_t i = 0; i < labels.size(); ++i) {
                       if (!c.needs_input_grad(i)) continue;
                       std::vector<Tensor> ins{g};
                       std::vector<std::vector<int>> ls{output};
                       for (size_t j = 0; j < labels.size(); ++j) {
                         if (j == i) continue;
                         ins.push_back(as_dtype(c.saved(j), g.dtype()));
                         ls.push_back(labels[j]);
                       }
                       const std::vector<int>& li = labels[i];
                       std::vector<int> target;
                       int next = fresh;
                       for (size_t d = 0; d < li.size(); ++d) {
                         const int l = li[d];
                         const int64_t n = shapes[i][d];
                         const auto first = std::find(li.begin(), li.end(), l);
                         if (first != li.begin() + ptrdiff_t(d)) {
                           target.push_back(next);
                           ins.push_back(eye(n, n, g.dtype(), g.device()));
                           ls.push_back({l, next++});
                           continue;
                         }
                         target.push_back(l);
                         bool found = std::count(li.begin(), li.end(), l) > 1;
                         for (const auto& other : ls) found = found || contains(other, l);
                         if (!found) {
                           ins.push_back(ones({n}, g.dtype(), g.device()));
                           ls.push_back({l});
                         }
                       }
                       grads[i] = einsum_recorded(ins, ls, target);
                     }
                     return grads;
                   });
}

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  CRESSET_CHECK(!operands.empty(), RuntimeError,
                "[einsum] einsum(): must provide at least one operand");
  const size_t arrow = equation.find("->");
  const size_t lhs_end = arrow == std::string::npos ? equation.size() : arrow;
  std::vector<Term> terms = parse_terms(equation, 0, lhs_end, false);
  CRESSET_CHECK(terms.size() <= operands.size(), RuntimeError,
                "[einsum] einsum(): fewer operands were provided than specified in the equation");
  CRESSET_CHECK(terms.size() >= operands.size(), RuntimeError,
                "[einsum] einsum(): more operands were provided than specified in the equation");

  // Expand each term to one label per dim; ellipses cover right-aligned broadcast dims.
  int64_t ell = 0;
  std::vector<int64_t> ell_dims(terms.size(), 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    const int64_t letters = int64_t(terms[i].labels.size()) - (terms[i].ellipsis ? 1 : 0);
    const int64_t nd = operands[i].dim();
    if (terms[i].ellipsis) {
      CRESSET_CHECK(letters <= nd, RuntimeError,
                    "[einsum] einsum(): the number of subscripts in the equation (", letters,
                    ") is more than the number of dimensions (", nd, ") for operand ", i);
      ell_dims[i] = nd - letters;
      ell = std::max(ell, ell_dims[i]);
    } else {
      CRESSET_CHECK(letters == nd, RuntimeError,
                    "[einsum] einsum(): the number of subscripts in the equation (", letters,
                    ") does not match the number of dimensions (", nd, ") for operand ", i,
                    " and no ellipsis was given");
    }
  }
  auto expand_term = [&](const Term& term, int64_t dims) {
    std::vector<int> labels;
    for (int l : term.labels) {
      if (l != kEllipsis) {
        labels.push_back(l);
        continue;
      }
      for (int64_t j = ell - dims; j < ell; ++j) labels.push_back(kLetters + int(j));
    }
    return labels;
  };

  // The labels of every operand's dims; sizes of a label must agree or be 1.
  std::vector<std::vector<int>> labels;
  std::vector<int64_t> label_size(size_t(kLetters + ell), -1);
  std::vector<int> occurrences(size_t(kLetters + ell), 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    const Tensor& t = operands[i];
    labels.push_back(expand_term(terms[i], ell_dims[i]));
    const std::vector<int>& ls = labels.back();
    for (size_t d = 0; d < ls.size(); ++d) {
      const int l = ls[d];
      ++occurrences[size_t(l)];
      auto first = std::find(ls.begin(), ls.begin() + ptrdiff_t(d), l);
      if (first != ls.begin() + ptrdiff_t(d)) {
        const int64_t n0 = t.size(first - ls.begin());
        CRESSET_CHECK(n0 == t.size(int64_t(d)), RuntimeError, "[einsum] einsum(): subscript ",
                      letter_of(l), " is repeated for operand ", i, " but the sizes don't match, ",
                      n0, " != ", t.size(int64_t(d)));
        continue;
      }
      int64_t& seen = label_size[size_t(l)];
      const int64_t n = t.size(int64_t(d));
      if (l < kLetters && seen >= 0 && seen != n && seen != 1 && n != 1) {
        throw RuntimeError(str_cat("[einsum] einsum(): subscript ", letter_of(l), " has size ", n,
                                   " for operand ", i,
                                   " which does not broadcast with previously seen size ", seen));
      }
      if (l >= kLetters && seen >= 0 && seen != n && seen != 1 && n != 1) {
        throw RuntimeError(
            str_cat("[einsum] einsum(): operands do not broadcast with remapped "
                    "shapes, ellipsis dimension of size ",
                    n, " does not match size ", seen));
      }
      seen = std::max(seen, n);
    }
  }

  // The output labels: explicit, or the ellipsis then the letters seen once, in ASCII order.
  std::vector<int> output;
  if (arrow != std::string::npos) {
    std::vector<Term> out_terms = parse_terms(equation, arrow + 2, equation.size(), true);
    for (int l : out_terms[0].labels) {
      if (l == kEllipsis) {
        for (int64_t j = 0; j < ell; ++j) output.push_back(kLetters + int(j));
        continue;
      }
      CRESSET_CHECK(occurrences[size_t(l)] > 0, RuntimeError,
                    "[einsum] einsum(): output subscript ", letter_of(l),
                    " does not appear in the equation for any input operand");
      CRESSET_CHECK(!contains(output, l), RuntimeError, "[einsum] einsum(): output subscript ",
                    letter_of(l), " appears more than once in the output");
      output.push_back(l);
    }
  } else {
    for (int64_t j = 0; j < ell; ++j) output.push_back(kLetters + int(j));
    for (int l = 0; l < kLetters; ++l) {
      if (occurrences[size_t(l)] == 1) output.push_back(l);
    }
  }
  return einsum_recorded(operands, labels, output);
}

Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b, const Tensor& out) {
  // torch's tensordot writes out= with a recorded copy_, so out may take part in autograd.
  const bool grad = autograd::needs_grad({a, b});
  if (grad && out.defined()) autograd::check_inplace(out);
  CRESSET_CHECK(dims_a.size() == dims_b.size(), RuntimeError,
                "[tensordot] both dimension lists should have same length");
  CRESSET_CHECK(a.dtype() == b.dtype(), RuntimeError,
                "[tensordot] both inputs should have same dtype");
  std::vector<int64_t> ca, cb;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = wrap_dim(dims_a[i], a.dim()), db = wrap_dim(dims_b[i], b.dim());
    CRESSET_CHECK(a.size(da) == b.size(db), RuntimeError,
                  "[tensordot] contracted dimensions need to match, but first has size ",
                  a.size(da), " in dim ", dims_a[i], " and second has size ", b.size(db),
                  " in dim ", dims_b[i]);
    CRESSET_CHECK(std::find(ca.begin(), ca.end(), da) == ca.end() &&
                      std::find(cb.begin(), cb.end(), db) == cb.end(),
                  RuntimeError, "[tensordot] a dim appears more than once in the list of dims");
    ca.push_back(da);
    cb.push_back(db);
  }
  std::vector<int64_t> fa, fb;
  DimVector sizes;
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (std::find(ca.begin(), ca.end(), d) == ca.end()) {
      fa.push_back(d);
      sizes.push_back(a.size(d));
    }
  }
  for (int64_t d = 0; d < b.dim(); ++d) {
    if (std::find(cb.begin(), cb.end(), d) == cb.end()) {
      fb.push_back(d);
      sizes.push_back(b.size(d));
    }
  }
  Tensor ga = grouped(a, {std::vector<int64_t>{}, fa, ca});
  Tensor gb = grouped(b, {std::vector<int64_t>{}, cb, fb});
  Tensor r = mm(restride(ga, {ga.size(1), ga.size(2)}, {ga.stride(1), ga.stride(2)}),
                restride(gb, {gb.size(1), gb.size(2)}, {gb.stride(1), gb.stride(2)}));
  r = r.as_strided_view(sizes, contiguous_strides(sizes), r.storage_offset());
  if (grad) {
    // As a contraction: a's dims are labelled 0.., b's free dims follow, its contracted dims
    // take the labels of their partners in a.
    std::vector<std::vector<int>> labels(2);
    std::vector<int> output;
    for (int64_t d = 0; d < a.dim(); ++d) labels[0].push_back(int(d));
    for (int64_t d = 0; d < b.dim(); ++d) {
      auto it = std::find(cb.begin(), cb.end(), d);
      labels[1].push_back(it != cb.end() ? int(ca[size_t(it - cb.begin())]) : int(a.dim() + d));
    }
    for (int64_t d : fa) output.push_back(int(d));
    for (int64_t d : fb) output.push_back(int(a.dim() + d));
    record_contraction("ViewBackward0", {a, b}, labels, output, DimVector(), r);
  }
  if (!out.defined()) return r;
  Tensor o = prepare_out("tensordot", out, sizes, r.dtype(), r.device());
  copy_into(o, r);
  o.bump_version("tensordot");
  if (grad) {
    autograd::record("torch::autograd::CopyBackwards", {o, r}, {o}, {},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       return {zeros(g.sizes(), g.dtype(), g.device()), g};
                     });
  }
  return o;
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims, const Tensor& out) {
  CRESSET_CHECK(dims >= 0, RuntimeError,
                "[tensordot] tensordot expects dims >= 0, but got dims=", dims);
  CRESSET_CHECK(dims <= a.dim() && dims <= b.dim(), RuntimeError,
                "[tensordot] tensordot expects dims < ndim_a or ndim_b, but got dims=", dims);
  std::vector<int64_t> da, db;
  for (int64_t i = 0; i < dims; ++i) {
    da.push_back(a.dim() - dims + i);
    db.push_back(i);
  }
  return tensordot(a, b, da, db, out);
}

}  // namespace cresset
