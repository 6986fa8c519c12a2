// Advice to back a large buffer with transparent huge pages (2 MiB) where the kernel offers them
// on request (`/sys/kernel/mm/transparent_hugepage/enabled` = madvise): a buffer that is written
// in full right after its allocation (seeded weights) then takes one page fault per 2 MiB
// instead of one per 4 KiB. Call it before the first write; it changes no contents, and where
// the advice is unavailable or refused nothing happens.
#pragma once

#include <cstddef>

namespace npu {

// Advises the whole 2 MiB-aligned part of [data, data + bytes).
void advise_huge_pages(void* data, size_t bytes);

// Grows glibc's heap by `bytes` of address space once (no memory is touched, so none is used
// until written) and advises that range, so the run's heap allocations below glibc's mmap
// threshold (weights, packed images, layer outputs) take one page fault per 2 MiB. Call it once,
// first thing in main(), after the mallopt settings; the heap's top must not be trimmed below
// `bytes` (M_TRIM_THRESHOLD above it). Does nothing where malloc is not glibc's heap (sanitizer
// builds) or the advice is refused. What glibc's own `glibc.malloc.hugetlb=1` tunable does, from
// inside the process.
void advise_heap_huge_pages(size_t bytes);

}  // namespace npu
