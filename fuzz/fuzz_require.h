// FUZZ_REQUIRE(cond): an invariant of a fuzz target. Prints which one broke
// before trapping, because the crash artifact alone does not say.
#pragma once

#include <cstdio>

#define FUZZ_REQUIRE(cond)                                                       \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                       \
      __builtin_trap();                                                          \
    }                                                                            \
  } while (0)
