// fuzz_ckpt.c — libFuzzer target: ckpt_read (safetensors validation) on the input bytes as a
// file; on success, every entry is looked up, its metadata read and its data copied out, so
// ASan sees any offset or size that the validator let past the end of the buffer.
#include "fuzz_common.h"

#include <string.h>

#include "loopt/ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path(data, size);
    Ckpt c;
    char why[512];
    FUZZ_GUARDED(
        if (ckpt_read(path, &c, why, sizeof why)) {
            (void)ckpt_meta(&c, "format");
            (void)ckpt_meta(&c, "config");
            for (int i = 0; i < c.n; i++) {
                const CkptEntry *e = &c.entries[i];
                if (ckpt_find(&c, e->name) != e) abort();   // names are unique
                size_t bytes = e->nbytes;
                if (bytes > (64u << 20)) continue;
                void *dst = malloc(bytes ? bytes : 1);
                if (!ckpt_copy(&c, e->name, e->dtype, e->ndim, e->shape, dst, why, sizeof why)) abort();
                free(dst);
            }
            ckpt_free(&c);
        });
    return 0;
}
