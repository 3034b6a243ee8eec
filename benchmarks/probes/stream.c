// STREAM-style memory bandwidth probe (BENCHMARKS.md P1): copy, scale, add, triad and a
// vectorized read (sum), 3 arrays of 2^26 floats, 15 iterations with the first dropped, OpenMP
// static schedule with parallel first touch. Prints "name GB/s" (best iteration), bytes counted as
// read + written (no write-allocate traffic).
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define N (1L << 26)
#define ITERS 15

static double now(void) { return omp_get_wtime(); }

int main(void) {
  float* a = aligned_alloc(64, N * sizeof(float));
  float* b = aligned_alloc(64, N * sizeof(float));
  float* c = aligned_alloc(64, N * sizeof(float));
#pragma omp parallel for schedule(static)
  for (long i = 0; i < N; ++i) a[i] = 1.0f, b[i] = 2.0f, c[i] = 0.0f;
  const char* names[] = {"copy", "scale", "add", "triad", "read"};
  const double bytes[] = {8.0 * N, 8.0 * N, 12.0 * N, 12.0 * N, 4.0 * N};
  double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30};
  volatile float sink = 0;
  for (int it = 0; it < ITERS; ++it) {
    double t[6];
    t[0] = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; ++i) c[i] = a[i];
    t[1] = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; ++i) b[i] = 3.0f * c[i];
    t[2] = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; ++i) c[i] = a[i] + b[i];
    t[3] = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; ++i) a[i] = b[i] + 3.0f * c[i];
    t[4] = now();
    float s = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : s)
    for (long i = 0; i < N; ++i) s += a[i];
    t[5] = now();
    sink += s;
    if (it == 0) continue;
    for (int k = 0; k < 5; ++k) {
      double d = t[k + 1] - t[k];
      if (d < best[k]) best[k] = d;
    }
  }
  for (int k = 0; k < 5; ++k) printf("%s %.1f\n", names[k], bytes[k] / best[k] / 1e9);
  free(a);
  free(b);
  free(c);
  return sink == 12345.0f;
}
