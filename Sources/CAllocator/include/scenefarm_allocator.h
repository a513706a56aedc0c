#ifndef SCENEFARM_ALLOCATOR_H
#define SCENEFARM_ALLOCATOR_H
/// Keeps large freed blocks in the heap for reuse instead of returning them to the kernel
/// (glibc only; a no-op elsewhere). Call once at start-up, before threads start.
void scenefarm_tune_allocator(void);
#endif
