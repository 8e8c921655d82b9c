// fuzz_png.c — libFuzzer target: maze_decode_png (PNG in the maze palette -> grid) on the
// input bytes. Inputs without the PNG signature are refused before stb sees them, so the
// target prepends the signature when it is missing: every input reaches the decoder.
#include "fuzz_common.h"

#include <string.h>

#include "loopt/image.h"
#include "loopt/maze.h"

static const uint8_t SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *buf = NULL;
    if (!image_is_png(data, size)) {
        buf = malloc(size + sizeof SIG);
        memcpy(buf, SIG, sizeof SIG);
        memcpy(buf + sizeof SIG, data, size);
        data = buf;
        size += sizeof SIG;
    }
    uint8_t *grid = NULL;
    int h = 0, w = 0;
    char why[256];
    FUZZ_GUARDED(
        if (maze_decode_png(data, size, &grid, &h, &w, why, sizeof why)) {
            // touch every cell: ASan catches a grid smaller than h x w
            unsigned sum = 0;
            for (size_t i = 0; i < (size_t)h * (size_t)w; i++) sum += grid[i];
            (void)sum;
            free(grid);
        });
    free(buf);
    return 0;
}
