#pragma once
// The CPU reduction engine (see Note [Reduction plan]). Included only inside a kernel namespace:
// the capability namespace of reduce_kernels.cpp (see Note [CPU capability dispatch]) or the
// single-build namespace of reduce_generic.cpp.
//
// An op is a small struct with
//   using in_t, acc_t;
//   acc_t identity() const;
//   acc_t update(acc_t a, in_t x, int64_t i) const;  // i: x's position in the reduced space
//   acc_t combine(acc_t a, acc_t b) const;           // order-independent for ties (arg ops)
//   void store(char* const* out, int64_t off, acc_t a) const;  // off: output element offset
// and the engine decides the walk: rows, columns, pairwise blocks and threads.
// Arg ops add ValueOp, kIsMax and better() (see index_leaf).
// The includer includes <algorithm>, <array>, <cstring>, <type_traits>, <utility>, <vector>,
// reduce_plan.h and parallel.h first: headers must not be opened inside the capability namespace.

// Independent accumulators per leaf: element i of a row segment goes to lane i % L, so the
// contiguous loop vectorizes and each lane of a float sum adds only 1/L of a block before the
// pairwise tree takes over. Strided segments use the same lanes without vector code. L is four
// 512-bit vectors: the adds of one lane wait for each other (4 cycles), so rows in cache need
// four chains to load two vectors a cycle. Leaves shorter than L use one vector of lanes.
template <class Acc>
constexpr int lanes_for() {
  return sizeof(Acc) <= 4 ? 64 : sizeof(Acc) <= 8 ? 32 : 4;
}
// Lanes per vector-wide group (one 512-bit vector).
template <class Acc>
constexpr int lane_group_for() {
  return sizeof(Acc) <= 4 ? 16 : sizeof(Acc) <= 8 ? 8 : 4;
}
// Elements per pairwise leaf along a row (large enough that a leaf's setup is noise next to its
// loads), and rows per leaf of a column reduction.
constexpr int64_t kLeafBlock = 4096;
constexpr int64_t kColBlock = 16;
// Outputs reduced together by a column walk, one accumulator each: a wide tile reads long runs
// of each row, so walking down the rows touches each memory page once per tile, not per vector.
template <class Acc>
constexpr int col_tile_for() {
  return int(1024 / sizeof(Acc)) < 8 ? 8 : int(1024 / sizeof(Acc));
}

// Note [Pairwise tree]
// tree_reduce sums [a, b) as a binary tree whose split points are block multiples counted from
// a, so its shape depends only on b - a. tree_reduce_parallel evaluates the same tree with the
// subtrees below a cut depth in parallel, so the result is identical for every thread count.
CRESSET_INLINE int64_t tree_split(int64_t a, int64_t b, int64_t block) {
  return a + (b - a + block - 1) / block / 2 * block;
}

template <class Acc, class Leaf, class Combine>
Acc tree_reduce(int64_t a, int64_t b, int64_t block, const Leaf& leaf, const Combine& combine) {
  if (b - a <= block) return leaf(a, b);
  int64_t mid = tree_split(a, b, block);
  Acc l = tree_reduce<Acc>(a, mid, block, leaf, combine);
  Acc r = tree_reduce<Acc>(mid, b, block, leaf, combine);
  return combine(l, r);
}

template <class Acc, class Leaf, class Combine>
struct ParallelTree {
  int64_t block;
  const Leaf& leaf;
  const Combine& combine;
  std::vector<std::pair<int64_t, int64_t>> nodes;
  std::vector<Acc> results;
  size_t next = 0;

  void collect(int64_t a, int64_t b, int depth) {
    if (depth == 0 || b - a <= block) {
      nodes.emplace_back(a, b);
      return;
    }
    int64_t mid = tree_split(a, b, block);
    collect(a, mid, depth - 1);
    collect(mid, b, depth - 1);
  }
  Acc gather(int64_t a, int64_t b, int depth) {
    if (depth == 0 || b - a <= block) return results[next++];
    int64_t mid = tree_split(a, b, block);
    Acc l = gather(a, mid, depth - 1);
    Acc r = gather(mid, b, depth - 1);
    return combine(l, r);
  }
};

template <class Acc, class Leaf, class Combine>
Acc tree_reduce_parallel(int64_t n, int64_t block, int64_t grain, const Leaf& leaf,
                         const Combine& combine) {
  int threads = get_num_threads();
  if (threads == 1 || n <= grain || in_parallel_region()) {
    return tree_reduce<Acc>(0, n, block, leaf, combine);
  }
  int depth = 0;
  while ((int64_t(1) << depth) < 4 * threads && (n >> (depth + 1)) >= grain / 4) ++depth;
  ParallelTree<Acc, Leaf, Combine> t{block, leaf, combine, {}, {}, 0};
  t.collect(0, n, depth);
  t.results.resize(t.nodes.size());
  parallel_for(0, int64_t(t.nodes.size()), 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      t.results[i] = tree_reduce<Acc>(t.nodes[i].first, t.nodes[i].second, block, leaf, combine);
    }
  });
  return t.gather(0, n, depth);
}

// A multi-index over some dims (innermost-first) that tracks the element offset as it advances.
struct DimWalker {
  const int64_t* sizes;
  const int64_t* strides;
  int nd;
  int64_t idx[64];
  int64_t off = 0;

  DimWalker(const DimVector& sz, const DimVector& st, int first, int64_t linear)
      : sizes(sz.data() + first), strides(st.data() + first), nd(int(sz.size()) - first) {
    for (int k = 0; k < nd; ++k) {
      idx[k] = linear % sizes[k];
      linear /= sizes[k];
      off += idx[k] * strides[k];
    }
  }
  CRESSET_INLINE void next() {
    for (int k = 0; k < nd; ++k) {
      off += strides[k];
      if (++idx[k] < sizes[k]) return;
      off -= idx[k] * strides[k];
      idx[k] = 0;
    }
  }
};

// Offsets of one output element: where its input starts and where it is stored.
struct KeptWalker {
  DimWalker in, out;
  KeptWalker(const ReducePlan& p, int first, int64_t linear)
      : in(p.kept_sizes, p.kept_in_strides, first, linear),
        out(p.kept_sizes, p.kept_out_strides, first, linear) {}
  CRESSET_INLINE void next() {
    in.next();
    out.next();
  }
};

// Feeds elements [a, b) of one output's reduced space, row segment by row segment, to f(q, n, s,
// t): n elements at q with stride s whose first one is element t.
template <class T, class F>
CRESSET_INLINE void for_each_segment(const ReducePlan& p, const T* base, int64_t a, int64_t b,
                                     const F& f) {
  const int64_t r0 = p.red_sizes.empty() ? 1 : p.red_sizes[0];
  const int64_t s0 = p.red_sizes.empty() ? 0 : p.red_strides[0];
  if (p.red_sizes.size() <= 1) {  // one segment: no divisions (short rows pay for them)
    if (a < b) f(base + a * s0, b - a, s0, a);
    return;
  }
  for (int64_t t = a; t < b;) {
    int64_t row = t / r0, col = t - row * r0, n = std::min(r0 - col, b - t);
    int64_t off = 0;
    for (size_t k = 1; k < p.red_sizes.size(); ++k) {
      off += row % p.red_sizes[k] * p.red_strides[k];
      row /= p.red_sizes[k];
    }
    f(base + off + col * s0, n, s0, t);
    t += n;
  }
}

// Ops that define ValueOp (arg reductions) reduce a leaf with index_leaf.
template <class Op, class = void>
struct HasValueOp : std::false_type {};
template <class Op>
struct HasValueOp<Op, std::void_t<typename Op::ValueOp>> : std::true_type {};

// Note [Single-pass arg reduction]
// An arg leaf keeps, per lane, the best value and the position where it first appeared (relative
// to the leaf, which is at most kLeafBlock long), in one pass over the data. A lane sees its
// elements in order and only replaces on strictly better (op.better: a NaN beats numbers and then
// stays), so it holds its first extreme; op.combine then takes the lowest position among equal
// lanes: torch's first index, and the first NaN. Contiguous float and double runs go through GCC
// vector types (compares and blends of whole registers; plain arrays made GCC branch on every
// mask). A lane that never replaced its identity saw only elements equal to it, so when no lane
// did, the leaf's extreme is its first element.
template <class C>
struct ArgLanes {
  static constexpr int L = sizeof(C) <= 4 ? 32 : 16;
  using V = void;
};
template <>
struct ArgLanes<float> {
  static constexpr int L = 16;
  typedef float V __attribute__((vector_size(64)));
  typedef int32_t P __attribute__((vector_size(64)));
};
template <>
struct ArgLanes<double> {
  static constexpr int L = 8;
  typedef double V __attribute__((vector_size(64)));
  typedef int64_t P __attribute__((vector_size(64)));
};

template <class Op>
typename Op::acc_t index_leaf(const Op& op, const typename Op::in_t* base, const ReducePlan& p,
                              int64_t a, int64_t b) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  using C = decltype(acc_t::v);
  using Lanes = ArgLanes<C>;
  constexpr int L = Lanes::L;
  C vals[L];
  int64_t pos[L];
  for (int j = 0; j < L; ++j) {
    vals[j] = op.identity().v;
    pos[j] = -1;
  }
  for_each_segment(p, base, a, b, [&](const in_t* q, int64_t n, int64_t s, int64_t t) {
    int64_t i = 0;
    if constexpr (std::is_same_v<in_t, C> && !std::is_void_v<typename Lanes::V>) {
      using V = typename Lanes::V;
      using P = typename Lanes::P;
      if (s == 1 && n >= L) {
        V v;
        P ps, at;
        for (int j = 0; j < L; ++j) {
          v[j] = vals[j];
          ps[j] = pos[j];
          at[j] = t - a + j;
        }
        for (; i + L <= n; i += L, at += L) {
          V x;
          std::memcpy(&x, q + i, sizeof x);
          auto take = (Op::kIsMax ? x > v : x < v) | ((x != x) & (v == v));  // Op::better
          v = take ? x : v;
          ps = take ? at : ps;
        }
        for (int j = 0; j < L; ++j) {
          vals[j] = v[j];
          pos[j] = ps[j];
        }
      }
    }
    for (; i < n; ++i) {
      int j = int(i % L);
      C x = C(q[i * s]);
      if (Op::better(x, vals[j])) {
        vals[j] = x;
        pos[j] = t - a + i;
      }
    }
  });
  acc_t r = {op.identity().v, a};
  for (int j = 0; j < L; ++j) {
    if (pos[j] >= 0) r = op.combine(r, acc_t{vals[j], a + pos[j]});
  }
  return r;
}

// lanes[0] combined with lanes[W / 2], and so on down to one value: a tree whose levels are new
// arrays (rewriting one array in place made the compiler store each level and reload it from a
// wider store, a store-forwarding stall per level).
template <int W, class Op>
CRESSET_INLINE typename Op::acc_t combine_lanes(const Op& op, const typename Op::acc_t* lanes) {
  if constexpr (W == 1) {
    return lanes[0];
  } else {
    typename Op::acc_t half[W / 2];
#pragma omp simd
    for (int j = 0; j < W / 2; ++j) half[j] = op.combine(lanes[j], lanes[j + W / 2]);
    return combine_lanes<W / 2>(op, half);
  }
}

// A contiguous run of n >= L elements, the first one element t, into L lanes: rounds of L
// elements, element i to lane i % L, then a last partial round as one more full round over the
// run's final L elements whose lanes drop what the rounds added already (lane j takes element
// n - L + j when that is past the rounds). Lanes are only indexed by constants and every step is
// a whole round, which keeps them in registers (tails in groups of a vector at a computed lane
// offset kept the lanes on the stack: float sum(-1) over 100-element rows 3.6x slower than
// torch, amax 10x). `omp simd` because GCC left a single vector of max lanes scalar, with a
// branch per lane (amax over 32-element rows 6x slower).
template <int L, class Op>
CRESSET_INLINE void lanes_contiguous(const Op& op, typename Op::acc_t* lanes,
                                     const typename Op::in_t* q, int64_t n, int64_t t) {
  int64_t i = 0;
  for (; i + L <= n; i += L) {
#pragma omp simd
    for (int j = 0; j < L; ++j) lanes[j] = op.update(lanes[j], q[i + j], t + i + j);
  }
  if (i < n) {
    // Lanes from `fresh` on take new elements; an int, so the masks are built 16 lanes at a time.
    const int64_t last = n - L;
    const int fresh = int(L - (n - i));
#pragma omp simd
    for (int j = 0; j < L; ++j) {
      const auto u = op.update(lanes[j], q[last + j], t + last + j);
      lanes[j] = j >= fresh ? u : lanes[j];
    }
  }
}

// Elements [a, b) of the reduced space at `base` in L lanes.
template <int L, class Op>
typename Op::acc_t leaf_in_lanes(const Op& op, const typename Op::in_t* base, const ReducePlan& p,
                                 int64_t a, int64_t b) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  acc_t lanes[L];
  for (int j = 0; j < L; ++j) lanes[j] = op.identity();
  for_each_segment(p, base, a, b, [&](const in_t* q, int64_t n, int64_t s, int64_t t) {
    if (s == 1 && n >= L) {
      lanes_contiguous<L>(op, lanes, q, n, t);
      return;
    }
    for (int64_t i = 0; i < n; ++i) lanes[i % L] = op.update(lanes[i % L], q[i * s], t + i);
  });
  return combine_lanes<L>(op, lanes);
}

// Note [Vector lanes]
// Ops whose lanes can be whole vectors (VectorLanes<Op>, specialized in reduce_kernels.cpp for sum,
// mean, max and min over types that accumulate in themselves) run the contiguous lanes as GCC
// vectors of the build's width: the same lanes, updated and combined in the same order as
// lanes_contiguous and combine_lanes (every level pairs lane j with lane j + W / 2, whether the
// two sit in different vectors or in one), so the results are bit-identical, but the tree's last
// levels are shuffles in registers. Written with scalar lanes, GCC stored them to the
// stack, reloaded halves of them (a store-forwarding stall) and finished a max with a branch on
// the data (float sum over 32-element rows: 7 ns a row, 1.5 ns with vectors).
template <class Op, class = void>
struct VectorLanes : std::false_type {};

// The widest vector of the build (whose registers GCC vector types of this size map to).
#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#elif defined(__AVX__)
constexpr int kVectorBytes = 32;
#else
constexpr int kVectorBytes = 16;
#endif

// A vector of T, and of the same-width integers that index and mask its lanes.
template <class T>
struct LaneVector {
  static constexpr int G = kVectorBytes / sizeof(T);
  typedef T V __attribute__((vector_size(kVectorBytes)));
  using I = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  typedef I Index __attribute__((vector_size(kVectorBytes)));
  CRESSET_INLINE static V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Lane j holds j + k: a constant vector plus k (filled lane by lane, GCC inserted each lane).
  CRESSET_INLINE static Index iota(int k) { return iota(I(k), std::make_index_sequence<G>{}); }
  template <size_t... J>
  CRESSET_INLINE static Index iota(I k, std::index_sequence<J...>) {
    return Index{I(J)...} + k;
  }
};

// contiguous_leaf's lanes as N = L / G vectors (see Note [Vector lanes]).
template <int L, class Op>
typename Op::acc_t vector_leaf(const Op& op, const typename Op::acc_t* q, int64_t n) {
  using acc_t = typename Op::acc_t;
  using X = LaneVector<acc_t>;
  using V = typename X::V;
  constexpr int G = X::G, N = L / G;
  static_assert(L % G == 0, "whole vectors of lanes");
  V v[N];
#pragma GCC unroll 16
  for (int k = 0; k < N; ++k) v[k] = V{} + op.identity();
  int64_t i = 0;
  for (; i + L <= n; i += L) {
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) v[k] = VectorLanes<Op>::combine(v[k], X::load(q + i + k * G));
  }
  if (i < n) {  // lanes_contiguous's partial round: lanes from `fresh` on take new elements
    const int64_t last = n - L;
    const int fresh = int(L - (n - i));
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {
      const V u = VectorLanes<Op>::combine(v[k], X::load(q + last + k * G));
      v[k] = X::iota(k * G) >= fresh ? u : v[k];
    }
  }
#pragma GCC unroll 16
  for (int w = N / 2; w >= 1; w /= 2) {  // combine_lanes' levels across vectors
#pragma GCC unroll 16
    for (int k = 0; k < w; ++k) v[k] = VectorLanes<Op>::combine(v[k], v[k + w]);
  }
#pragma GCC unroll 16
  for (int w = G / 2; w >= 1; w /= 2) {  // and inside the last one: lane j with lane j + w
    typename X::Index from = X::iota(w);
    from = from & (G - 1);
    v[0] = VectorLanes<Op>::combine(v[0], __builtin_shuffle(v[0], from));
  }
  return v[0][0];
}

// leaf_in_lanes for one contiguous run, element t first. Not inlined: compiled on its own, GCC
// keeps the lanes in registers and combines them with whole-vector adds; inlined into a loop
// over rows it combined them element by element (2x slower on 100-element rows).
template <int L, class Op>
__attribute__((noinline)) typename Op::acc_t contiguous_leaf(const Op& op,
                                                             const typename Op::in_t* q, int64_t n,
                                                             int64_t t) {
  if constexpr (VectorLanes<Op>::value) {
    return vector_leaf<L>(op, q, n);
  } else {
    typename Op::acc_t lanes[L];
    for (int j = 0; j < L; ++j) lanes[j] = op.identity();
    lanes_contiguous<L>(op, lanes, q, n, t);
    return combine_lanes<L>(op, lanes);
  }
}

// A pairwise leaf with independent lanes: elements [a, b) of the reduced space at `base`. A leaf
// shorter than L lanes takes one vector of them: setting up and combining L lanes would cost more
// than its loads.
template <class Op>
typename Op::acc_t lane_leaf(const Op& op, const typename Op::in_t* base, const ReducePlan& p,
                             int64_t a, int64_t b) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  constexpr int L = lanes_for<acc_t>(), G = lane_group_for<acc_t>();
  if (b - a < G) {
    acc_t acc = op.identity();
    for_each_segment(p, base, a, b, [&](const in_t* q, int64_t n, int64_t s, int64_t t) {
      for (int64_t i = 0; i < n; ++i) acc = op.update(acc, q[i * s], t + i);
    });
    return acc;
  }
  if (p.red_sizes.size() == 1 && p.red_strides[0] == 1) {
    return b - a < L ? contiguous_leaf<G>(op, base + a, b - a, a)
                     : contiguous_leaf<L>(op, base + a, b - a, a);
  }
  if (b - a < L) return leaf_in_lanes<G>(op, base, p, a, b);
  return leaf_in_lanes<L>(op, base, p, a, b);
}

// One pairwise leaf of a row reduction.
template <class Op>
typename Op::acc_t row_leaf(const Op& op, const typename Op::in_t* base, const ReducePlan& p,
                            int64_t a, int64_t b) {
  if constexpr (HasValueOp<Op>::value) {
    return index_leaf(op, base, p, a, b);
  } else {
    return lane_leaf(op, base, p, a, b);
  }
}

// Note [Short rows]
// A short row costs a leaf's setup and combine tree (tens of cycles, a mispredicted branch when
// the last lanes of a max meet) for a few loads. Contiguous rows shorter than kShortRow are
// instead reduced G at a time: the tile of G rows is transposed (8 x 8 blocks in registers where
// the build has AVX2) so that element k of every row lies in one vector, and each step is one
// vector update across the rows. Every row is reduced in plain order, element 0 first, so the
// result depends only on the row, not on threads or tiles. Measured on 1 thread against the
// per-row lanes, 1e6 floats: sum 1.5-2x faster at 16-48 elements a row, amax 2.5-10x at 2-32,
// argmax and max(dim) 2-4x at 2-24.
constexpr int64_t kShortRow = 64;

// Rows reduced together by the short-row path: a vector of the op's accumulators, or of an arg
// op's values.
template <class Op>
constexpr int short_row_group() {
  if constexpr (HasValueOp<Op>::value) {
    return ArgLanes<decltype(Op::acc_t::v)>::L;
  } else {
    return lane_group_for<typename Op::acc_t>();
  }
}

// cols[k][r] = row r's element k, for the G rows at in + off[r] and k < n: with AVX2, two W x W
// blocks (rows r < W and r >= W) transposed in registers.
template <int G, class T>
void transpose_rows(const T* in, const int64_t* off, int64_t n, T (*cols)[G]) {
#if defined(__AVX2__)
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using X = Transposer<T>;
    constexpr int W = X::W;
    static_assert(G == 2 * W, "a tile of rows is two transpose blocks");
    for (int64_t k0 = 0; k0 < n; k0 += W) {
      const int valid = int(std::min<int64_t>(W, n - k0));
      for (int r0 = 0; r0 < G; r0 += W) {
        typename X::V v[W];
        for (int q = 0; q < W; ++q) v[q] = X::load(in + off[r0 + q] + k0, valid);
        X::transpose(v);
        for (int q = 0; q < valid; ++q) X::store(cols[k0 + q] + r0, v[q], W);
      }
    }
    return;
  }
#endif
  for (int r = 0; r < G; ++r) {
    for (int64_t k = 0; k < n; ++k) cols[k][r] = in[off[r] + k];
  }
}

// Calls tile(cols, n, out_off, width) for every tile of G rows of a plan whose rows are contiguous
// and shorter than kShortRow: cols as transpose_rows fills it, out_off the rows' output offsets,
// width the valid rows (a partial last tile repeats its first row).
template <int G, class T, class Tile>
void for_each_row_tile(const ReducePlan& p, const T* in, const Tile& tile) {
  const int64_t n = p.reduce_size, tiles = (p.num_outputs + G - 1) / G;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / (std::max<int64_t>(n, 1) * G));
  parallel_for(0, tiles, grain, [&](int64_t b, int64_t e) {
    KeptWalker w(p, 0, b * G);
    alignas(64) T cols[kShortRow][G];
    for (int64_t t = b; t < e; ++t) {
      const int width = int(std::min<int64_t>(G, p.num_outputs - t * G));
      int64_t in_off[G], out_off[G];
      for (int r = 0; r < G; ++r, w.next()) {
        in_off[r] = r < width ? w.in.off : in_off[0];
        out_off[r] = w.out.off;
      }
      transpose_rows<G>(in, in_off, n, cols);
      tile(cols, n, out_off, width);
    }
  });
}

// Whether the row walk takes the short-row path: one contiguous reduced dim shorter than
// kShortRow, at least a tile of rows, and (for an arg op) at least one element.
template <class Op>
bool short_rows(const ReducePlan& p) {
  const int64_t below = VectorLanes<Op>::value ? short_row_group<Op>() : kShortRow;
  return p.red_sizes.size() == 1 && p.red_strides[0] == 1 && p.reduce_size < below &&
         p.num_outputs >= short_row_group<Op>() && (!HasValueOp<Op>::value || p.reduce_size > 0);
}

// The short-row path of an op (see Note [Short rows]). An arg op keeps, per row, the best value
// and the first element where it appeared, replacing only on strictly better (op.better).
template <class Op>
void reduce_short_rows(const Op& op, const ReducePlan& p, const typename Op::in_t* in,
                       char* const* out) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  constexpr int G = short_row_group<Op>();
  for_each_row_tile<G>(p, in, [&](const in_t (*cols)[G], int64_t n, const int64_t* out_off,
                                  int width) {
    if constexpr (HasValueOp<Op>::value) {
      using C = decltype(acc_t::v);
      C vals[G];
      int32_t pos[G];
#pragma omp simd
      for (int r = 0; r < G; ++r) {
        vals[r] = C(cols[0][r]);
        pos[r] = 0;
      }
      for (int64_t k = 1; k < n; ++k) {
#pragma omp simd
        for (int r = 0; r < G; ++r) {
          const C x = C(cols[k][r]);
          const bool take = Op::better(x, vals[r]);
          vals[r] = take ? x : vals[r];
          pos[r] = take ? int32_t(k) : pos[r];
        }
      }
      for (int r = 0; r < width; ++r) op.store(out, out_off[r], acc_t{vals[r], pos[r]});
    } else {
      acc_t acc[G];
      for (int r = 0; r < G; ++r) acc[r] = op.identity();
      for (int64_t k = 0; k < n; ++k) {
#pragma omp simd
        for (int r = 0; r < G; ++r) acc[r] = op.update(acc[r], cols[k][r], k);
      }
      for (int r = 0; r < width; ++r) op.store(out, out_off[r], acc[r]);
    }
  });
}

// Each output reduces its own row(s): per-output threads, or threads inside a long reduction.
template <class Op>
void reduce_rows(const Op& op, const ReducePlan& p, const typename Op::in_t* in, char* const* out) {
  using acc_t = typename Op::acc_t;
  if (short_rows<Op>(p)) {
    reduce_short_rows(op, p, in, out);
    return;
  }
  auto comb = [&](acc_t x, acc_t y) { return op.combine(x, y); };
  auto reduce_one = [&](const typename Op::in_t* base, bool parallel) {
    auto leaf = [&](int64_t a, int64_t b) { return row_leaf(op, base, p, a, b); };
    return parallel ? tree_reduce_parallel<acc_t>(p.reduce_size, kLeafBlock, kGrainSize, leaf, comb)
                    : tree_reduce<acc_t>(0, p.reduce_size, kLeafBlock, leaf, comb);
  };
  if (p.num_outputs < 2 * get_num_threads() && p.reduce_size > kGrainSize) {
    KeptWalker w(p, 0, 0);
    for (int64_t o = 0; o < p.num_outputs; ++o, w.next()) {
      op.store(out, w.out.off, reduce_one(in + w.in.off, true));
    }
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, p.reduce_size));
  // Outputs split across threads, each reduced by row(its input).
  auto each_output = [&](const auto& row) {
    parallel_for(0, p.num_outputs, grain, [&](int64_t b, int64_t e) {
      KeptWalker w(p, 0, b);
      for (int64_t o = b; o < e; ++o, w.next()) op.store(out, w.out.off, row(in + w.in.off));
    });
  };
  if constexpr (!HasValueOp<Op>::value) {
    // Contiguous rows of one leaf each call the leaf directly: the pairwise tree and the leaf
    // dispatch around it cost a third of a 64-element row.
    constexpr int L = lanes_for<acc_t>(), G = lane_group_for<acc_t>();
    const int64_t n = p.reduce_size;
    if (p.red_sizes.size() == 1 && p.red_strides[0] == 1 && n >= G && n <= kLeafBlock) {
      if (n < L) {
        each_output([&](const typename Op::in_t* row) { return contiguous_leaf<G>(op, row, n, 0); });
      } else {
        each_output([&](const typename Op::in_t* row) { return contiguous_leaf<L>(op, row, n, 0); });
      }
      return;
    }
  }
  each_output([&](const typename Op::in_t* row) { return reduce_one(row, false); });
}

// Note [Column arg reduction]
// An arg reduction over columns (max(x, dim=0)) keeps, per output of a tile, the best value and
// the row where it first appeared, starting from the leaf's first row and replacing only on
// strictly better while walking down (a NaN beats numbers and then stays), as index_leaf does
// along a row. A full tile of floats or doubles is held in whole vectors (value and position),
// so a row costs a few compares and blends; positions are relative to the leaf (at most
// kLeafBlock rows: an arg result doesn't depend on the tree, so the leaves are long).
template <class Op, int W>
void arg_col_leaf(const typename Op::in_t* base, const ReducePlan& p, int64_t width, int64_t a,
                  int64_t b, std::array<typename Op::acc_t, W>& acc) {
  using in_t = typename Op::in_t;
  using C = decltype(Op::acc_t::v);
  using Lanes = ArgLanes<C>;
  DimWalker r(p.red_sizes, p.red_strides, 0, a);
  if constexpr (std::is_same_v<in_t, C> && !std::is_void_v<typename Lanes::V>) {
    constexpr int L = Lanes::L, N = W / L;
    static_assert(W % L == 0, "a column tile holds whole vectors");
    if (width == W) {
      using V = typename Lanes::V;
      using P = typename Lanes::P;
      using I = std::conditional_t<sizeof(C) == 4, int32_t, int64_t>;  // P's lanes
      V v[N];
      P ps[N] = {};
      std::memcpy(v, base + r.off, sizeof v);
      r.next();
      for (int64_t t = a + 1; t < b; ++t, r.next()) {
        const in_t* q = base + r.off;
        const P at = P{} + I(t - a);
        for (int k = 0; k < N; ++k) {
          V x;
          std::memcpy(&x, q + k * L, sizeof x);
          auto take = (Op::kIsMax ? x > v[k] : x < v[k]) | ((x != x) & (v[k] == v[k]));
          v[k] = take ? x : v[k];
          ps[k] = take ? at : ps[k];
        }
      }
      for (int k = 0; k < N; ++k) {
        for (int j = 0; j < L; ++j) acc[k * L + j] = {v[k][j], a + int64_t(ps[k][j])};
      }
      return;
    }
  }
  for (int64_t j = 0; j < width; ++j) acc[j] = {C(base[r.off + j]), a};
  r.next();
  for (int64_t t = a + 1; t < b; ++t, r.next()) {
    const in_t* q = base + r.off;
    for (int64_t j = 0; j < width; ++j) {
      C x = C(q[j]);
      if (Op::better(x, acc[j].v)) acc[j] = {x, t};
    }
  }
}

// The innermost kept dim is contiguous: a tile of neighbouring outputs is reduced together, one
// accumulator lane per output, walking the reduced space row by row (pairwise over rows).
template <class Op>
void reduce_cols(const Op& op, const ReducePlan& p, const typename Op::in_t* in, char* const* out) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  constexpr int W = col_tile_for<acc_t>();
  using Tile = std::array<acc_t, W>;
  const int64_t cols = p.kept_sizes[0];
  const int64_t out_step = p.kept_out_strides[0];
  const int64_t tiles = (cols + W - 1) / W;
  const int64_t tasks = p.num_outputs / cols * tiles;

  auto comb = [&](const Tile& x, const Tile& y) {
    Tile r;
    for (int j = 0; j < W; ++j) r[j] = op.combine(x[j], y[j]);
    return r;
  };
  auto reduce_tile = [&](const in_t* base, int64_t width, bool parallel) {
    auto leaf = [&](int64_t a, int64_t b) {
      Tile acc;
      for (int j = 0; j < W; ++j) acc[j] = op.identity();
      if constexpr (HasValueOp<Op>::value) {
        if (b > a) arg_col_leaf<Op, W>(base, p, width, a, b, acc);
        return acc;
      }
      DimWalker r(p.red_sizes, p.red_strides, 0, a);
      for (int64_t t = a; t < b; ++t, r.next()) {
        const in_t* q = base + r.off;
        if (width == W) {
          for (int j = 0; j < W; ++j) acc[j] = op.update(acc[j], q[j], t);
        } else {
          for (int64_t j = 0; j < width; ++j) acc[j] = op.update(acc[j], q[j], t);
        }
      }
      return acc;
    };
    constexpr int64_t block = HasValueOp<Op>::value ? kLeafBlock : kColBlock;
    return parallel ? tree_reduce_parallel<Tile>(p.reduce_size, block, kGrainSize / W, leaf, comb)
                    : tree_reduce<Tile>(0, p.reduce_size, block, leaf, comb);
  };
  auto run_task = [&](int64_t task, bool parallel) {
    int64_t tile = task % tiles, col0 = tile * W, width = std::min<int64_t>(W, cols - col0);
    KeptWalker w(p, 1, task / tiles);
    Tile acc = reduce_tile(in + w.in.off + col0, width, parallel);
    int64_t o = w.out.off + col0 * out_step;
    for (int64_t j = 0; j < width; ++j) op.store(out, o + j * out_step, acc[j]);
  };
  if (tasks < 2 * get_num_threads() && p.reduce_size * W > kGrainSize) {
    for (int64_t task = 0; task < tasks; ++task) run_task(task, true);
    return;
  }
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, p.reduce_size * W));
  parallel_for(0, tasks, grain, [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; ++task) run_task(task, false);
  });
}

/// Runs `op` over the plan: the column walk when neighbouring outputs are contiguous in the input
/// and the reduced elements are not, the row walk otherwise.
template <class Op>
void run_reduction(const Op& op, const ReducePlan& p, const void* in, char* const* out) {
  if (p.num_outputs == 0) return;
  const auto* data = static_cast<const typename Op::in_t*>(in);
  bool cols = !p.kept_sizes.empty() && p.kept_in_strides[0] == 1 && p.kept_sizes[0] >= 8 &&
              p.reduce_size > 1 && p.red_strides[0] != 1;
  if (cols) {
    reduce_cols(op, p, data, out);
  } else {
    reduce_rows(op, p, data, out);
  }
}
