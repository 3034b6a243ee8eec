// F.interpolate: its argument rules and dispatch to the upsample ops (upsample.cpp) and adaptive
// average pooling (pool.cpp). The checks live here only; the Python function just converts.
#include <algorithm>
#include <cmath>
#include <string>

#include "cresset/core/error.h"
#include "cresset/nn/pool.h"

namespace cresset {

namespace {

// A list of floats as Python prints it: [2.0, 0.5].
std::string list_str(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    std::string x = str_cat(v[i]);
    if (x.find_first_of(".en") == std::string::npos) x += ".0";
    s += (i ? ", " : "") + x;
  }
  return s + "]";
}

// The spatial dims a mode resamples: linear 1, bilinear and bicubic 2, trilinear 3; 0 for the
// modes that take any (nearest, nearest-exact, area).
int64_t mode_dims(const std::string& mode) {
  if (mode == "linear") return 1;
  if (mode == "bilinear" || mode == "bicubic") return 2;
  if (mode == "trilinear") return 3;
  return 0;
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateOptions& o) {
  const std::string& mode = o.mode;
  const bool nearest_like = mode == "nearest" || mode == "area" || mode == "nearest-exact";
  CRESSET_CHECK(!(nearest_like && o.align_corners), ValueError,
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear");
  const bool align_corners = o.align_corners.value_or(false);
  const int64_t dim = input.dim() - 2;
  const std::string spatial =
      shape_str(dim > 0 ? DimVector(input.sizes().data() + 2, size_t(dim)) : DimVector{});
  CRESSET_CHECK(!(o.size && o.scale_factor), ValueError,
                "only one of size or scale_factor should be defined");
  CRESSET_CHECK(o.size || o.scale_factor, ValueError,
                "either size or scale_factor should be defined");
  std::optional<DimVector> output_size;
  std::vector<std::optional<double>> scales;
  if (o.size) {
    CRESSET_CHECK(o.size_is_scalar || int64_t(o.size->size()) == dim, ValueError,
                  "Input and output must have the same number of spatial dimensions, but got "
                  "input with spatial dimensions of ",
                  spatial, " and output size of ", shape_str(*o.size),
                  ". Please provide input tensor in (N, C, d1, d2, ...,dK) "
                  "format and output size in (o1, o2, ...,oK) format.");
    output_size =
        o.size_is_scalar ? DimVector(size_t(std::max<int64_t>(dim, 0)), (*o.size)[0]) : *o.size;
  } else {
    const std::vector<double>& f = *o.scale_factor;
    CRESSET_CHECK(o.scale_is_scalar || int64_t(f.size()) == dim, ValueError,
                  "Input and scale_factor must have the same number of spatial dimensions, but "
                  "got input with spatial dimensions of ",
                  spatial, " and scale_factor of shape ", list_str(f),
                  ". Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                  "and scale_factor in (s1, s2, ...,sK) format.");
    for (int64_t i = 0; i < dim; ++i) scales.push_back(f[o.scale_is_scalar ? 0 : size_t(i)]);
  }
  CRESSET_CHECK(!(o.recompute_scale_factor.value_or(false) && o.size), ValueError,
                "recompute_scale_factor is not meaningful with an explicit size.");
  // Area pooling always takes its output size from the scales, like a recomputed scale factor.
  if (o.recompute_scale_factor.value_or(false) || (mode == "area" && !output_size)) {
    output_size = DimVector();
    for (int64_t i = 0; i < dim; ++i) {
      output_size->push_back(int64_t(std::floor(double(input.size(2 + i)) * *scales[size_t(i)])));
    }
    scales.assign(scales.size(), std::nullopt);
  }
  CRESSET_CHECK(!o.antialias || ((mode == "bilinear" || mode == "bicubic") && input.dim() == 4),
                ValueError,
                "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                "requires a 4-D tensor as input");
  const bool supported_rank = dim >= 1 && dim <= 3;
  const int64_t needs = mode_dims(mode);
  if (supported_rank && !output_size) {
    // The upsample ops' (output_size, scales) overload: floor(input size * scale).
    output_size = DimVector();
    for (int64_t i = 0; i < dim; ++i) {
      output_size->push_back(int64_t(double(input.size(2 + i)) * *scales[size_t(i)]));
    }
  }
  if (supported_rank && (mode == "nearest" || mode == "nearest-exact")) {
    const UpsampleMode m = mode == "nearest" ? UpsampleMode::Nearest : UpsampleMode::NearestExact;
    return upsample(input, m, *output_size, false, scales);
  }
  if (supported_rank && mode == "area") {
    if (dim == 1) return adaptive_avg_pool1d(input, *output_size);
    if (dim == 2) return adaptive_avg_pool2d(input, *output_size);
    return adaptive_avg_pool3d(input, *output_size);
  }
  if (needs != 0 && dim == needs) {
    const bool cubic = mode == "bicubic";
    const UpsampleMode m =
        o.antialias ? (cubic ? UpsampleMode::CubicAntialias : UpsampleMode::LinearAntialias)
                    : (cubic ? UpsampleMode::Cubic : UpsampleMode::Linear);
    return upsample(input, m, *output_size, align_corners, scales);
  }
  CRESSET_CHECK(mode != "lanczos", NotImplementedError,
                "[interpolate] cresset does not implement the lanczos mode");
  CRESSET_CHECK(!(needs != 0 && supported_rank), NotImplementedError, "Got ", input.dim(),
                "D input, but ", mode, " mode needs ", needs + 2, "D input");
  throw NotImplementedError(
      str_cat("Input Error: Only 3D, 4D and 5D input Tensors supported (got ", input.dim(),
              "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
              "area | nearest-exact (got ",
              mode, ")"));
}

}  // namespace cresset
