// fuzz_common.h — shared by the libFuzzer targets in fuzz/ (built by `make fuzz` with
// -DLOOPT_FUZZ): the input bytes as a file path the readers can open, and a guard that turns
// die() (exit 2 on bad input, which is the readers' documented answer) into a return.
#ifndef LOOPT_FUZZ_COMMON_H
#define LOOPT_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loopt/check.h"

// One memfd for the whole run, rewritten per input; the readers open it by its /proc path,
// which gives them a fresh file offset each time. No new API, no disk writes.
__attribute__((unused)) static const char *fuzz_path(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("loopt-fuzz", 0);
        if (fd < 0) { perror("memfd_create"); abort(); }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0) { perror("ftruncate"); abort(); }
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
        if (w <= 0) { perror("pwrite"); abort(); }
        off += (size_t)w;
    }
    return path;
}

// fuzz_alloc.c: blocks allocated between begin and end are tracked; end(1) frees them.
void fuzz_alloc_begin(void);
void fuzz_alloc_end(int died);

// FUZZ_GUARDED(stmt): run stmt with die() armed to jump back here; the jump is a rejected
// input, not a finding. The blocks the reader held when it died are freed (fuzz_alloc.c);
// anything else it had (an open FILE's buffer) is not, so run with -detect_leaks=0.
#define FUZZ_GUARDED(stmt)                                  \
    do {                                                    \
        jmp_buf env_;                                       \
        die_jmp = &env_;                                    \
        fuzz_alloc_begin();                                 \
        if (setjmp(env_) == 0) { stmt; fuzz_alloc_end(0); } \
        else fuzz_alloc_end(1);                             \
        die_jmp = NULL;                                     \
    } while (0)

#endif
