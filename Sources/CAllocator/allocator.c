#include "scenefarm_allocator.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void scenefarm_tune_allocator(void) {
#if defined(__GLIBC__)
    // Frame buffers (4-15 MB each) would otherwise be mmap'd fresh and unmapped on free, so each
    // frame paid page faults and page zeroing for all of them.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the largest glibc accepts (HEAP_MAX_SIZE / 2)
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
