// Peak heap of an operation, for benchmarks that report memory beside time.
// Linking heap_counter.cc replaces global operator new/delete and OpenSSL's
// allocator with counting versions: live bytes (malloc_usable_size) while
// counting; frees of blocks allocated before counting started make the
// balance go down, so the peak is the largest net growth since
// ResetHeapPeak().
#pragma once

#include <cstdint>

void ResetHeapPeak();
// Stops counting and returns the peak since ResetHeapPeak().
int64_t HeapPeak();
// False if OpenSSL had allocated before its allocator could be replaced.
bool OpenSslAllocationsCounted();
