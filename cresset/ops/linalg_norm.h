#pragma once
// The norms of torch.linalg (cresset/ops/linalg_norm.cpp): vector_norm on cresset's norm
// reduction, matrix_norm and norm as torch's composites of it and of svdvals.
#include <optional>
#include <string>

#include "cresset/core/tensor.h"
#include "cresset/ops/reduce.h"

namespace cresset {

/// torch.linalg.vector_norm: the ord-norm (any float, inf, -inf, 0) over `dim` (all dims when
/// absent), computed in `dtype` when given.
Tensor linalg_vector_norm(const Tensor& x, double ord = 2, const OptDims& dim = std::nullopt,
                          bool keepdim = false, std::optional<DType> dtype = std::nullopt);
/// torch.linalg.matrix_norm with a numeric ord (1, -1, 2, -2, inf, -inf) over the two `dim`s.
Tensor linalg_matrix_norm(const Tensor& A, double ord, const DimVector& dim = {-2, -1},
                          bool keepdim = false, std::optional<DType> dtype = std::nullopt);
/// torch.linalg.matrix_norm with ord "fro" or "nuc".
Tensor linalg_matrix_norm(const Tensor& A, const std::string& ord = "fro",
                          const DimVector& dim = {-2, -1}, bool keepdim = false,
                          std::optional<DType> dtype = std::nullopt);
/// torch.linalg.norm with a numeric or absent ord: a matrix norm over two dims (given, or the
/// two of a 2-D input with an ord), otherwise a vector norm (the 2-norm when ord is absent).
Tensor linalg_norm(const Tensor& A, std::optional<double> ord = std::nullopt,
                   const OptDims& dim = std::nullopt, bool keepdim = false,
                   std::optional<DType> dtype = std::nullopt);
/// torch.linalg.norm with ord "fro" or "nuc" (a matrix norm).
Tensor linalg_norm(const Tensor& A, const std::string& ord, const OptDims& dim = std::nullopt,
                   bool keepdim = false, std::optional<DType> dtype = std::nullopt);

}  // namespace cresset
