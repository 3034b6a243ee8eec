#pragma once
// The linalg family of ops (cresset/ops/linalg.cpp, einsum in ops/einsum.cpp): matrix products
// with torch's shape, dtype and error semantics. Every product runs on cresset's own GEMM
// (backend/cpu/gemm.h). An `out` argument may be an undefined Tensor (allocate the result);
// a defined one is checked for dtype, resized when its shape differs, written and returned.
#include <optional>
#include <string>
#include <vector>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.matmul: dot, mv, mm or a broadcast batched product depending on the operands' dims.
Tensor matmul(const Tensor& self, const Tensor& other, const Tensor& out = Tensor());
/// torch.mm: (n x m) @ (m x p).
Tensor mm(const Tensor& self, const Tensor& mat2, const Tensor& out = Tensor());
/// torch.bmm: (b x n x m) @ (b x m x p).
Tensor bmm(const Tensor& self, const Tensor& mat2, const Tensor& out = Tensor());
/// torch.mv: (n x m) @ (m).
Tensor mv(const Tensor& self, const Tensor& vec, const Tensor& out = Tensor());
/// torch.dot: the 0-dim inner product of two 1-D tensors of one dtype.
Tensor dot(const Tensor& self, const Tensor& tensor, const Tensor& out = Tensor());
/// torch.vdot: dot with the first argument conjugated (the same for real dtypes).
Tensor vdot(const Tensor& self, const Tensor& other, const Tensor& out = Tensor());
/// torch.inner: contraction over the last dim of both (a product when either is 0-dim).
Tensor inner(const Tensor& self, const Tensor& other, const Tensor& out = Tensor());
/// torch.outer / torch.ger: the outer product of two 1-D tensors (types promote).
Tensor outer(const Tensor& self, const Tensor& vec2, const Tensor& out = Tensor());

/// torch.addmm: beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape.
Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta = Scalar(1),
             Scalar alpha = Scalar(1), const Tensor& out = Tensor());
/// Tensor.addmm_: self = beta * self + alpha * (mat1 @ mat2).
Tensor addmm_(const Tensor& self, const Tensor& mat1, const Tensor& mat2, Scalar beta = Scalar(1),
              Scalar alpha = Scalar(1));
/// torch.addmv: beta * input + alpha * (mat @ vec).
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, Scalar beta = Scalar(1),
             Scalar alpha = Scalar(1), const Tensor& out = Tensor());
Tensor addmv_(const Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta = Scalar(1),
              Scalar alpha = Scalar(1));
/// torch.addr: beta * input + alpha * outer(vec1, vec2) (types promote; bool means and/or).
Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, Scalar beta = Scalar(1),
            Scalar alpha = Scalar(1), const Tensor& out = Tensor());
Tensor addr_(const Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta = Scalar(1),
             Scalar alpha = Scalar(1));
/// torch.addbmm: beta * input + alpha * sum_b (batch1[b] @ batch2[b]).
Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2,
              Scalar beta = Scalar(1), Scalar alpha = Scalar(1), const Tensor& out = Tensor());
Tensor addbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
               Scalar beta = Scalar(1), Scalar alpha = Scalar(1));
/// torch.baddbmm: beta * input + alpha * bmm(batch1, batch2).
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2,
               Scalar beta = Scalar(1), Scalar alpha = Scalar(1), const Tensor& out = Tensor());
Tensor baddbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
                Scalar beta = Scalar(1), Scalar alpha = Scalar(1));

/// torch.tensordot with explicit dim lists: contracts dims_a of a with dims_b of b.
Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b, const Tensor& out = Tensor());
/// torch.tensordot(a, b, dims=n): the last n dims of a with the first n of b.
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims, const Tensor& out = Tensor());
/// torch.einsum: an equation such as "bij,bjk->bik" (ellipsis, repeated and implicit labels).
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
/// torch.kron: the Kronecker product (types promote).
Tensor kron(const Tensor& self, const Tensor& other, const Tensor& out = Tensor());
/// torch.cross: the 3-vector cross product along `dim` (default: the first dim of size 3).
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim = std::nullopt,
             const Tensor& out = Tensor());
/// torch.linalg.cross: cross along `dim` (default -1).
Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim = -1,
                    const Tensor& out = Tensor());
/// torch.trace: the sum of a matrix's diagonal (integers sum in int64).
Tensor trace(const Tensor& self);

}  // namespace cresset
