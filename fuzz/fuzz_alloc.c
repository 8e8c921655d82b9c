// fuzz_alloc.c — in the fuzz binaries only, malloc/calloc/realloc/free called from loopt's
// code (and the stb_image compiled in) are wrapped (ld --wrap, see the Makefile) so that the
// blocks a reader holds when die() jumps out of it can be freed: without this, every rejected
// input leaks its buffers and a long run ends in libFuzzer's out-of-memory stop. While armed,
// every live block allocated is kept in a pointer set; fuzz_alloc_end(1) frees what is left.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t c, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static void **set;          // open addressing, linear probing, NULL = empty
static size_t cap, count;   // cap is a power of two
static int armed;

static size_t slot(const void *p) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

static void add(void *p);

static void grow(void) {
    void **old = set;
    size_t oldcap = cap;
    cap = cap ? cap * 2 : 1024;
    set = __real_calloc(cap, sizeof *set);
    if (!set) abort();
    count = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i]) add(old[i]);
    __real_free(old);
}

static void add(void *p) {
    if (!p) return;
    if (2 * (count + 1) > cap) grow();
    size_t i = slot(p);
    while (set[i]) i = (i + 1) & (cap - 1);
    set[i] = p;
    count++;
}

static void del(void *p) {
    if (!p || !count) return;
    size_t i = slot(p);
    while (set[i] && set[i] != p) i = (i + 1) & (cap - 1);
    if (!set[i]) return;   // allocated before arming: not ours to track
    set[i] = NULL;
    count--;
    // backward-shift the rest of the cluster so probing stays correct
    for (size_t j = (i + 1) & (cap - 1); set[j]; j = (j + 1) & (cap - 1)) {
        size_t home = slot(set[j]);
        if (((j - home) & (cap - 1)) >= ((j - i) & (cap - 1))) {
            set[i] = set[j];
            set[j] = NULL;
            i = j;
        }
    }
}

void *__wrap_malloc(size_t n) {
    void *p = __real_malloc(n);
    if (armed) add(p);
    return p;
}

void *__wrap_calloc(size_t c, size_t n) {
    void *p = __real_calloc(c, n);
    if (armed) add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n) {
    void *q = __real_realloc(p, n);
    if (armed && q) { del(p); add(q); }
    return q;
}

void __wrap_free(void *p) {
    if (armed) del(p);
    __real_free(p);
}

void fuzz_alloc_begin(void) {
    static int hooked;
    if (!hooked) {   // cJSON is a shared library, out of ld --wrap's reach: use its hooks
        cJSON_Hooks h = {__wrap_malloc, __wrap_free};
        cJSON_InitHooks(&h);
        hooked = 1;
    }
    armed = 1;
}

// died = 1: free every block still tracked (the reader's, abandoned by the jump); died = 0:
// forget them (what is left belongs to the caller).
void fuzz_alloc_end(int died) {
    armed = 0;
    for (size_t i = 0; i < cap; i++)
        if (set[i]) {
            if (died) __real_free(set[i]);
            set[i] = NULL;
        }
    count = 0;
}
