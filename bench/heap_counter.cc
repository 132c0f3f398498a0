// Heap accounting for the benchmarks (bench/heap_counter.h): global
// operator new/delete and OpenSSL's allocator replaced by counting versions.
#include "heap_counter.h"

#include <malloc.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

// Live bytes (malloc_usable_size) while g_counting is set; frees of blocks
// allocated before counting started make the balance go down, so the peak
// is the largest net growth since ResetHeapPeak().
namespace {

std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};

void Allocated(void* p) {
  if (p == nullptr || !g_counting.load(std::memory_order_relaxed)) return;
  const int64_t live = g_live.fetch_add(static_cast<int64_t>(malloc_usable_size(p)),
                                        std::memory_order_relaxed) +
                       static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (live > peak && !g_peak.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

void Freed(void* p) {
  if (p == nullptr || !g_counting.load(std::memory_order_relaxed)) return;
  g_live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}

void* CountedMalloc(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  Allocated(p);
  return p;
}

void* CountedAligned(size_t n, std::align_val_t align) {
  const size_t a = static_cast<size_t>(align);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);
  if (p == nullptr) throw std::bad_alloc();
  Allocated(p);
  return p;
}

void CountedFree(void* p) {
  Freed(p);
  std::free(p);
}

// OpenSSL allocates through CRYPTO_malloc; route it through the counters too.
void* OsslMalloc(size_t n, const char*, int) {
  void* p = std::malloc(n);
  Allocated(p);
  return p;
}
void* OsslRealloc(void* p, size_t n, const char*, int) {
  Freed(p);
  void* q = std::realloc(p, n);
  Allocated(q != nullptr ? q : (n == 0 ? nullptr : p));
  return q;
}
void OsslFree(void* p, const char*, int) { CountedFree(p); }

// Must run before OpenSSL allocates anything; false if it was too late.
const bool g_openssl_counted = CRYPTO_set_mem_functions(OsslMalloc, OsslRealloc, OsslFree) == 1;

}  // namespace

bool OpenSslAllocationsCounted() { return g_openssl_counted; }

void ResetHeapPeak() {
  g_live = 0;
  g_peak = 0;
  g_counting = true;
}

int64_t HeapPeak() {
  g_counting = false;
  return g_peak.load();
}

void* operator new(size_t n) { return CountedMalloc(n); }
void* operator new[](size_t n) { return CountedMalloc(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedMalloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedMalloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t a) { return CountedAligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return CountedAligned(n, a); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, size_t) noexcept { CountedFree(p); }
void operator delete[](void* p, size_t) noexcept { CountedFree(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { CountedFree(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { CountedFree(p); }
void operator delete(void* p, std::align_val_t) noexcept { CountedFree(p); }
void operator delete[](void* p, std::align_val_t) noexcept { CountedFree(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { CountedFree(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { CountedFree(p); }
