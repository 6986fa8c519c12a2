#include "sim/core/huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#endif

namespace npu {

void advise_huge_pages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr uintptr_t kHuge = uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<uintptr_t>(data);
    const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
    const uintptr_t last = (begin + bytes) & ~(kHuge - 1);
    if (last <= first) return;
    // Advice only: an error (no THP in this kernel, a heap range) leaves the buffer as it was.
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

void advise_heap_huge_pages(size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(__GLIBC__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    constexpr size_t kPush = size_t{1}
                             << 20;  // above the top chunk's spare, below mmap's threshold
    // The heap grows by the request plus M_TOP_PAD: one allocation makes room for `bytes`.
    (void)mallopt(M_TOP_PAD, static_cast<int>(bytes));
    void* p = std::malloc(kPush);
    (void)mallopt(M_TOP_PAD, 128 << 10);  // glibc's default for later growth
    if (p == nullptr) return;
    auto* lo = static_cast<char*>(p);
    auto* hi = static_cast<char*>(sbrk(0));
    // Only a block inside the heap just grown (not an mmap'ed one) says where the heap is.
    if (hi > lo && static_cast<size_t>(hi - lo) <= bytes + 2 * kPush) {
        advise_huge_pages(lo, static_cast<size_t>(hi - lo));
    }
    std::free(p);
#else
    (void)bytes;
#endif
}

}  // namespace npu
