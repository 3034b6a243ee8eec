#pragma once
// A minimal assertion harness for the C++ unit tests (no external test framework to install).
#include <cstdio>
#include <cstdlib>

inline int g_failures = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                        \
    }                                                                      \
  } while (0)

#define CHECK_THROWS(expr, ErrorType)                                      \
  do {                                                                     \
    bool thrown = false;                                                   \
    try {                                                                  \
      (void)(expr);                                                        \
    } catch (const ErrorType&) {                                           \
      thrown = true;                                                       \
    }                                                                      \
    if (!thrown) {                                                         \
      std::fprintf(stderr, "%s:%d: expected %s from %s\n", __FILE__, __LINE__, #ErrorType, #expr); \
      ++g_failures;                                                        \
    }                                                                      \
  } while (0)

#define CHECK_DONE()                                                       \
  do {                                                                     \
    if (g_failures) std::fprintf(stderr, "%d check(s) failed\n", g_failures); \
    return g_failures ? 1 : 0;                                             \
  } while (0)
