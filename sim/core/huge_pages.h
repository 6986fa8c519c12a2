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

}  // namespace npu
