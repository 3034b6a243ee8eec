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
// The includer includes <algorithm>, <array>, <cstring>, <memory>, <type_traits>, <utility>,
// <vector>, reduce_plan.h, parallel.h and transpose.h (after <immintrin.h> with AVX2) first:
// headers must not be opened inside the capability namespace.

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
// loads), and rows per leaf of a column reduction (64: with 16, a narrow tile spent more time on
// leaves' setup and the tree than on its rows; 10000 x 16 float sum(0) 1.4x faster).
constexpr int64_t kLeafBlock = 4096;
constexpr int64_t kColBlock = 64;
// Outputs reduced together by a column walk, one accumulator each: a wide tile reads long runs
// of each row, so walking down the rows touches each memory page once per tile, not per vector.
template <class Acc>
constexpr int col_tile_for() {
  return int(1024 / sizeof(Acc)) < 8 ? 8 : int(1024 / sizeof(Acc));
}

// Note [Pairwise tree]
// tree_reduce sums [a, b) as a binary tree whose split points are block multiples counted from
// a, so its shape depends only on b - a. tree_reduce_parallel evaluates the same tree with the
// subtrees below a cut depth in parallel, and tree_reduce_into with its results in place, so the
// result is identical for every thread count.
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

template <class Acc, class Combine>
struct ParallelTree {
  int64_t block;
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

// subtree(a, b) evaluates the tree below a node (tree_reduce, or its in-place form).
template <class Acc, class Subtree, class Combine>
Acc tree_reduce_parallel(int64_t n, int64_t block, int64_t grain, const Subtree& subtree,
                         const Combine& combine) {
  int threads = get_num_threads();
  if (threads == 1 || n <= grain || in_parallel_region()) return subtree(0, n);
  int depth = 0;
  while ((int64_t(1) << depth) < 4 * threads && (n >> (depth + 1)) >= grain / 4) ++depth;
  ParallelTree<Acc, Combine> t{block, combine, {}, {}, 0};
  t.collect(0, n, depth);
  t.results.resize(t.nodes.size());
  parallel_for(0, int64_t(t.nodes.size()), 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) t.results[i] = subtree(t.nodes[i].first, t.nodes[i].second);
  });
  return t.gather(0, n, depth);
}

// tree_reduce's tree with its results in place, for wide accumulators (a tile of columns):
// leaf(a, b, acc) writes a leaf's result to acc, merge(acc, other) combines another into it, and
// scratch holds one result per level below this node, `stride` elements apart (tree_depth levels).
template <class Acc, class Leaf, class Merge>
void tree_reduce_into(int64_t a, int64_t b, int64_t block, Acc* acc, Acc* scratch, int64_t stride,
                      const Leaf& leaf, const Merge& merge) {
  if (b - a <= block) {
    leaf(a, b, acc);
    return;
  }
  int64_t mid = tree_split(a, b, block);
  tree_reduce_into(a, mid, block, acc, scratch, stride, leaf, merge);
  tree_reduce_into(mid, b, block, scratch, scratch + stride, stride, leaf, merge);
  merge(acc, scratch);
}

// The levels of the tree over n elements: the right half is never the smaller one.
CRESSET_INLINE int tree_depth(int64_t n, int64_t block) {
  int depth = 0;
  for (; n > block; ++depth) n -= tree_split(0, n, block);
  return depth;
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
// A short row costs a leaf's setup and combine tree (tens of cycles, and a mispredicted branch
// where an arg op's lanes meet) for a few loads. Contiguous rows shorter than kShortRow (shorter
// than a vector for sum, mean, max and min, whose vector lanes are faster from there on) are
// instead reduced G at a time: the tile of G rows is transposed (8 x 8 blocks in registers where
// the build has AVX2) so that element k of every row lies in one vector, and each step is one
// vector update across the rows. Every row is reduced in plain order, element 0 first, so the
// result depends only on the row, not on threads or tiles. Measured on 1 thread, 1e6 floats,
// against reducing each row on its own: amax over 2-15-element rows 2.5-7.6x faster, argmax over
// 2-48-element rows 1.9-8.7x.
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

// Whether the row walk takes the short-row path (Note [Short rows]): one contiguous reduced dim
// short enough, at least a tile of rows, and (for an arg op) at least one element.
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
    auto subtree = [&](int64_t a, int64_t b) {
      return tree_reduce<acc_t>(a, b, kLeafBlock, leaf, comb);
    };
    return parallel ? tree_reduce_parallel<acc_t>(p.reduce_size, kLeafBlock, kGrainSize, subtree,
                                                  comb)
                    : subtree(0, p.reduce_size);
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
      using in_t = typename Op::in_t;
      if (n < L) {
        each_output([&](const in_t* row) { return contiguous_leaf<G>(op, row, n, 0); });
      } else {
        each_output([&](const in_t* row) { return contiguous_leaf<L>(op, row, n, 0); });
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
                  int64_t b, typename Op::acc_t* acc) {
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

// Columns [0, NV * G) of the `rows` rows at base + off[i] in vectors of registers (VectorLanes
// ops), without storing the accumulators at every row (a tile of 16 columns was a load-add-store
// chain through L1, 4x slower than torch). Fewer than 4 vectors a row take R = 4 / NV rows at a
// time into separate accumulators (the leftover rows into the first), combined at the end as a
// tree, so that 4 additions are in flight.
template <int NV, class Op>
void col_vectors(const Op& op, const typename Op::acc_t* base, const int64_t* off, int64_t rows,
                 typename Op::acc_t* acc) {
  using X = LaneVector<typename Op::acc_t>;
  using V = typename X::V;
  constexpr int R = 4 / NV;
  V v[R][NV];
#pragma GCC unroll 16
  for (int h = 0; h < R; ++h) {
#pragma GCC unroll 16
    for (int k = 0; k < NV; ++k) v[h][k] = V{} + op.identity();
  }
  int64_t i = 0;
  for (; i + R <= rows; i += R) {
#pragma GCC unroll 16
    for (int h = 0; h < R; ++h) {
#pragma GCC unroll 16
      for (int k = 0; k < NV; ++k) {
        v[h][k] = VectorLanes<Op>::combine(v[h][k], X::load(base + off[i + h] + k * X::G));
      }
    }
  }
  for (; i < rows; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < NV; ++k) {
      v[0][k] = VectorLanes<Op>::combine(v[0][k], X::load(base + off[i] + k * X::G));
    }
  }
#pragma GCC unroll 16
  for (int w = R / 2; w >= 1; w /= 2) {
#pragma GCC unroll 16
    for (int h = 0; h < w; ++h) {
#pragma GCC unroll 16
      for (int k = 0; k < NV; ++k) v[h][k] = VectorLanes<Op>::combine(v[h][k], v[h + w][k]);
    }
  }
  std::memcpy(acc, v[0], sizeof v[0]);
}

// Whether a column tile narrower than a vector takes G / width whole rows per vector: a VectorLanes
// op over rows of `width` adjacent elements, width dividing G (so a power of two).
template <class Op>
bool packs_rows(const ReducePlan& p) {
  using acc_t = typename Op::acc_t;
  if constexpr (VectorLanes<Op>::value && std::is_same_v<typename Op::in_t, acc_t>) {
    constexpr int G = LaneVector<acc_t>::G;
    const int64_t w = p.kept_sizes[0];
    return w > 1 && w < G && G % w == 0 && p.red_sizes.size() == 1 && p.red_strides[0] == w;
  } else {
    return false;
  }
}

// A leaf of packs_rows' tiles: the n elements at q (whole rows of `width`) in 4 vectors whose
// lane j sums column j % width, folded to `width` lanes by shuffles; rows left over after the
// last whole vector go one at a time (measured: 100000 x 4 float sum(0) 4x faster than the
// strided row walk it replaces).
template <class Op>
void packed_rows_leaf(const Op& op, const typename Op::acc_t* q, int64_t n, int64_t width,
                      typename Op::acc_t* acc) {
  using X = LaneVector<typename Op::acc_t>;
  using V = typename X::V;
  constexpr int G = X::G;
  V v[4];
#pragma GCC unroll 4
  for (int h = 0; h < 4; ++h) v[h] = V{} + op.identity();
  int64_t i = 0;
  for (; i + 4 * G <= n; i += 4 * G) {
#pragma GCC unroll 4
    for (int h = 0; h < 4; ++h) v[h] = VectorLanes<Op>::combine(v[h], X::load(q + i + h * G));
  }
  for (; i + G <= n; i += G) v[0] = VectorLanes<Op>::combine(v[0], X::load(q + i));
  v[0] = VectorLanes<Op>::combine(VectorLanes<Op>::combine(v[0], v[1]),
                                  VectorLanes<Op>::combine(v[2], v[3]));
  for (int w = G / 2; w >= width; w /= 2) {
    v[0] = VectorLanes<Op>::combine(v[0], __builtin_shuffle(v[0], X::iota(w) & (G - 1)));
  }
  for (int64_t j = 0; j < width; ++j) acc[j] = v[0][j];
  for (; i < n; i += width) {
    for (int64_t j = 0; j < width; ++j) acc[j] = op.update(acc[j], q[i + j], 0);
  }
}

// One pairwise leaf of a column tile: rows [a, b) of `width` columns at base into acc. Other
// than an arg op's, a leaf has at most kColBlock rows, whose offsets are listed first.
template <class Op, int W>
void col_leaf(const Op& op, const typename Op::in_t* base, const ReducePlan& p, int64_t width,
              int64_t a, int64_t b, typename Op::acc_t* acc) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  if constexpr (HasValueOp<Op>::value) {
    if (b > a) {
      arg_col_leaf<Op, W>(base, p, width, a, b, acc);
    } else {
      for (int64_t j = 0; j < width; ++j) acc[j] = op.identity();
    }
    return;
  } else {
    const int64_t rows = b - a;
    if constexpr (VectorLanes<Op>::value && std::is_same_v<in_t, acc_t>) {
      if (width < LaneVector<acc_t>::G && packs_rows<Op>(p)) {
        packed_rows_leaf(op, base + a * width, rows * width, width, acc);
        return;
      }
    }
    int64_t off[kColBlock];
    if (p.red_sizes.size() == 1) {
      for (int64_t i = 0; i < rows; ++i) off[i] = (a + i) * p.red_strides[0];
    } else {
      DimWalker r(p.red_sizes, p.red_strides, 0, a);
      for (int64_t i = 0; i < rows; ++i, r.next()) off[i] = r.off;
    }
    int64_t j0 = 0;
    if constexpr (VectorLanes<Op>::value && std::is_same_v<in_t, acc_t>) {
      constexpr int G = LaneVector<acc_t>::G;
      for (; j0 + 4 * G <= width; j0 += 4 * G) col_vectors<4>(op, base + j0, off, rows, acc + j0);
      for (; j0 + G <= width; j0 += G) col_vectors<1>(op, base + j0, off, rows, acc + j0);
      if (j0 < width && width >= G) {  // the last G columns again, keeping the ones left
        acc_t last[G];
        col_vectors<1>(op, base + width - G, off, rows, last);
        std::copy(last + G - (width - j0), last + G, acc + j0);
        j0 = width;
      }
      if (j0 == width) return;
    }
    for (int64_t j = j0; j < width; ++j) acc[j] = op.identity();
    for (int64_t i = 0; i < rows; ++i) {
      const in_t* q = base + off[i];
      if (j0 == 0 && width == W) {  // a whole tile: a loop of constant length
        for (int j = 0; j < W; ++j) acc[j] = op.update(acc[j], q[j], a + i);
      } else {
        for (int64_t j = j0; j < width; ++j) acc[j] = op.update(acc[j], q[j], a + i);
      }
    }
  }
}

// The innermost kept dim is contiguous: a tile of neighbouring outputs is reduced together, one
// accumulator lane per output, walking the reduced space row by row (pairwise over rows). The
// tree runs in place on the tile's `width` accumulators (tree_reduce_into): returning whole tiles
// by value copied and combined all W of them at every node.
template <class Op>
void reduce_cols(const Op& op, const ReducePlan& p, const typename Op::in_t* in, char* const* out) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  constexpr int W = col_tile_for<acc_t>();
  constexpr int64_t block = HasValueOp<Op>::value ? kLeafBlock : kColBlock;
  using Tile = std::array<acc_t, W>;
  const int64_t cols = p.kept_sizes[0];
  const int64_t out_step = p.kept_out_strides[0];
  const int64_t tiles = (cols + W - 1) / W;
  const int64_t tasks = p.num_outputs / cols * tiles;
  const int64_t tile_width = std::min<int64_t>(cols, W);
  const int depth = tree_depth(p.reduce_size, block);

  // Rows [a, b) of the tile at base into acc, with scratch for depth levels below.
  auto reduce_rows_of = [&](const in_t* base, int64_t width, int64_t a, int64_t b, acc_t* acc,
                            acc_t* scratch) {
    auto leaf = [&](int64_t a, int64_t b, acc_t* acc) {
      col_leaf<Op, W>(op, base, p, width, a, b, acc);
    };
    auto merge = [&](acc_t* x, const acc_t* y) {
      for (int64_t j = 0; j < width; ++j) x[j] = op.combine(x[j], y[j]);
    };
    tree_reduce_into(a, b, block, acc, scratch, W, leaf, merge);
  };
  // A task's tile: its input, its first output and its width.
  struct TileAt {
    const in_t* in;
    int64_t out, width;
  };
  auto tile_at = [&](int64_t task) {
    const int64_t col0 = task % tiles * W;
    KeptWalker w(p, 1, task / tiles);
    return TileAt{in + w.in.off + col0, w.out.off + col0 * out_step,
                  std::min<int64_t>(W, cols - col0)};
  };
  auto store = [&](const TileAt& t, const acc_t* acc) {
    for (int64_t j = 0; j < t.width; ++j) op.store(out, t.out + j * out_step, acc[j]);
  };

  if (tasks < 2 * get_num_threads() && p.reduce_size * tile_width > kGrainSize) {
    for (int64_t task = 0; task < tasks; ++task) {
      const TileAt t = tile_at(task);
      auto subtree = [&](int64_t a, int64_t b) {
        Tile acc;
        const std::unique_ptr<acc_t[]> scratch(new acc_t[size_t(std::max(depth, 1)) * W]);
        reduce_rows_of(t.in, t.width, a, b, acc.data(), scratch.get());
        return acc;
      };
      auto combine = [&](const Tile& x, const Tile& y) {
        Tile r;
        for (int64_t j = 0; j < t.width; ++j) r[j] = op.combine(x[j], y[j]);
        return r;
      };
      const Tile acc = tree_reduce_parallel<Tile>(p.reduce_size, block, kGrainSize / tile_width,
                                                  subtree, combine);
      store(t, acc.data());
    }
    return;
  }
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, p.reduce_size * tile_width));
  parallel_for(0, tasks, grain, [&](int64_t b, int64_t e) {
    // The result, then scratch per level (not a vector: acc_t may be bool).
    const std::unique_ptr<acc_t[]> buf(new acc_t[size_t(depth + 1) * W]);
    for (int64_t task = b; task < e; ++task) {
      const TileAt t = tile_at(task);
      reduce_rows_of(t.in, t.width, 0, p.reduce_size, buf.get(), buf.get() + W);
      store(t, buf.get());
    }
  });
}

/// Runs `op` over the plan: the column walk when neighbouring outputs are contiguous in the input
/// and the reduced elements are not, the row walk otherwise.
template <class Op>
void run_reduction(const Op& op, const ReducePlan& p, const void* in, char* const* out) {
  if (p.num_outputs == 0) return;
  const auto* data = static_cast<const typename Op::in_t*>(in);
  bool cols = !p.kept_sizes.empty() && p.kept_in_strides[0] == 1 && p.reduce_size > 1 &&
              p.red_strides[0] != 1 && (p.kept_sizes[0] >= 8 || packs_rows<Op>(p));
  if (cols) {
    reduce_cols(op, p, data, out);
  } else {
    reduce_rows(op, p, data, out);
  }
}
