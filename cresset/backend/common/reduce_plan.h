#pragma once
// Note [Reduction plan]
// Every reduction (sum, amax, var, argmax ...) runs through one engine. The op layer turns
// "reduce `in` over these dims" into a ReducePlan: the kept dims (one output element per index)
// and the reduced dims, each list innermost-first with size-1 dims dropped and neighbours that
// step through memory as one merged (coalesced). Outputs are always allocated contiguous in the
// keepdim shape, like torch's. The backend then only sees sizes and element strides:
//  - a row reduction has its innermost reduced dim at stride 1 (sum over the last dim, or a
//    full reduction of a contiguous tensor: one output, one long row);
//  - a column reduction has its innermost kept dim at stride 1 (sum over dim 0), so neighbouring
//    outputs are reduced together, one vector lane each;
//  - anything else walks rows with the reduced dims' strides.
// Sums are pairwise over blocks whose boundaries depend only on the reduction size, never on the
// thread count, so a result is bit-identical whatever torch.set_num_threads says.
// float16/bfloat16 accumulate in float32 and round once at the end, for every kind. torch does so
// for sum and mean, but rounds to the 16-bit dtype along the way in nansum/nanmean (when its
// iterator splits a reduction), prod and logsumexp; there cresset's results are the more exact.
#include "cresset/core/tensor.h"

namespace cresset {

struct ReducePlan {
  // Kept dims, innermost-first: sizes, input strides, output strides (elements).
  DimVector kept_sizes, kept_in_strides, kept_out_strides;
  // Reduced dims, innermost-first: sizes, input strides (elements).
  DimVector red_sizes, red_strides;
  int64_t num_outputs = 1;  // product of kept_sizes
  int64_t reduce_size = 1;  // product of red_sizes (0 for an empty reduction)
};

/// The plan for reducing `in` over the dims whose bits are set in `mask` into a contiguous output
/// of the keepdim shape. With `logical_order` the reduced dims keep their row-major order, so the
/// engine numbers reduced elements like a flattened index (arg reductions need that).
ReducePlan make_reduce_plan(const Tensor& in, uint64_t mask, bool logical_order);

/// What a reduction computes. Each kind fixes its output dtypes from the input dtype:
/// Sum/NanSum/Prod give int64 for integral and bool inputs and the input dtype otherwise; Mean is
/// Sum divided by the count (torch's sum().div_(n));
/// Max/Min give the input dtype and AMinMax (min, max) in it; ArgMax/ArgMin give int64 indices
/// (and the values second, when out[1] is set); All/Any give bool;
/// Var gives var (or std) and, when out[1] is set, the mean; Mean, NanMean, Norm, Var and
/// LogSumExp need a floating input and give its dtype.
enum class ReduceKind {
  Sum,
  NanSum,
  Prod,
  Mean,
  NanMean,
  Max,
  Min,
  AMinMax,
  ArgMax,
  ArgMin,
  All,
  Any,
  Norm,
  Var,
  LogSumExp
};

/// The p of a Norm reduction, by the formula it needs (p = 0 is a count of non-zeros, done as a
/// Sum over the input cast to bool).
enum class NormKind { One, Two, Inf, NegInf, General };

/// The dtype the engine reduces `kind` in when the input has dtype `t`; callers cast the input to
/// it first. Keeping this set small keeps the kernels' instantiations few: integer inputs mostly
/// go through int64 (exact), 16-bit floats through float32 for the rarer kinds (the same math as
/// accumulating in float32), and All/Any through bool.
DType reduce_compute_dtype(ReduceKind kind, DType t);
/// The dtype of the engine's output k (0 or 1) for `kind` over compute dtype `t`.
DType reduce_output_dtype(ReduceKind kind, DType t, int k);

/// One call of the reduction engine.
struct ReduceCall {
  ReduceKind kind;
  DType dtype;     // of the input
  const void* in;  // element 0 of the input
  void* out[2];    // outputs (contiguous, keepdim shape); see each kind for the second
  NormKind norm = NormKind::Two;
  double param = 0;        // the norm's p, or var's correction
  bool take_sqrt = false;  // Var: std instead of var
};

/// What a cumulative op computes along one dim.
enum class ScanKind { CumSum, CumProd, CumMax, CumMin, LogCumSumExp };

/// One call of the scan engine over a contiguous input viewed as [outer, n, inner], scanning the
/// middle dim into contiguous outputs of the same shape (values, and int64 indices for
/// CumMax/CumMin). CumSum/CumProd write the input dtype (callers cast to the result dtype first).
struct ScanCall {
  ScanKind kind;
  DType dtype;
  const void* in;
  void* out[2];
  int64_t outer, n, inner;
};

/// One element picked from every line along a dim (kthvalue, median, mode).
enum class SelectKind {
  Kth,        // the k-th smallest (k counts from 1)
  Median,     // the lower median; NaN (the first one) when the line has any
  NanMedian,  // the lower median of the non-NaN values
  Mode,       // the most frequent value (the smallest on ties) and its last index
};

/// Groups of equal values: `values` holds one per group (sorted unless consecutive), `inverse`
/// each input element's group, `counts` each group's size.
struct UniqueResult {
  Tensor values, inverse, counts;
};

}  // namespace cresset
