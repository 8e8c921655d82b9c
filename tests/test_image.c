// test_image.c — PNG in and out: maze pictures read back to the same grid at any cell size,
// palette tolerance, and every refusal (not a PNG, foreign colour, too large, truncated)
// returned as a reason rather than a crash.
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopt/image.h"
#include "loopt/maze.h"

TEST(image_maze_round_trip) {
    Rng r;
    rng_seed(&r, 11);
    int sizes[][2] = {{5, 5}, {6, 9}, {17, 8}, {30, 30}, {31, 31}};
    int cells[] = {1, 3, 8};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
            int h = sizes[s][0], w = sizes[s][1], n = h * w;
            uint8_t *q = malloc(n), *a = malloc(n), *g = NULL;
            maze_generate(&r, h, w, 0, q, a);
            const char *p = test_tmp_path("rt.png");
            maze_write_png(p, a, h, w, cells[c]);   // the answer: all five colours
            int gh = 0, gw = 0;
            char why[256] = "";
            int ok = maze_read_png(p, &g, &gh, &gw, why, sizeof why);
            EXPECTF(ok, "%dx%d cell %d: %s", h, w, cells[c], why);
            if (ok) {
                EXPECTF(gh == h && gw == w, "%dx%d cell %d: read back %dx%d", h, w, cells[c], gh, gw);
                EXPECTF(gh == h && gw == w && memcmp(g, a, n) == 0, "%dx%d cell %d: grid differs", h, w, cells[c]);
            }
            free(g);
            // and through maze_read: the answer comes back as an answer with its question
            MazeSet set;
            maze_read(p, &set, 0);
            EXPECT(set.n == 1 && set.mazes[0].a && memcmp(set.mazes[0].q, q, n) == 0 &&
                   memcmp(set.mazes[0].a, a, n) == 0);
            maze_set_free(&set);
            free(q);
            free(a);
        }
}

TEST(image_read_tolerates_near_palette_colours) {
    // 2x3 cells at 2 px, colours nudged by up to 30 per channel
    int iw = 6, ih = 4;
    uint8_t rgb[4 * 6 * 3];
    const uint8_t cells[2][3] = {{MAZE_WALL, MAZE_START, MAZE_OPEN}, {MAZE_PATH, MAZE_GOAL, MAZE_WALL}};
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++)
            for (int ch = 0; ch < 3; ch++) {
                int v = MAZE_PALETTE[cells[y / 2][x / 2]][ch];
                rgb[(y * iw + x) * 3 + ch] = (uint8_t)(v > 128 ? v - 30 : v + 30);
            }
    const char *p = test_tmp_path("near.png");
    image_write_rgb(p, rgb, iw, ih);
    uint8_t *g = NULL;
    int h, w;
    char why[256] = "";
    EXPECTF(maze_read_png(p, &g, &h, &w, why, sizeof why), "%s", why);
    EXPECT(g && h == 2 && w == 3 && memcmp(g, cells, 6) == 0);
    free(g);
}

TEST(image_read_refusals) {
    uint8_t *g = (uint8_t *)1;
    int h, w;
    char why[256] = "";
    // not a PNG at all
    const char *p = test_tmp_path("text.png");
    FILE *f = fopen(p, "w");
    fputs("#####\n#S G#\n#####\n", f);
    fclose(f);
    EXPECT(!maze_read_png(p, &g, &h, &w, why, sizeof why) && g == NULL && strstr(why, "not a PNG"));
    // missing file, directory
    EXPECT(!maze_read_png(test_tmp_path("nope.png"), &g, &h, &w, why, sizeof why) && strstr(why, "cannot open"));
    EXPECT(!maze_read_png(test_tmp_path(""), &g, &h, &w, why, sizeof why) && strstr(why, "directory"));
    // a colour outside the palette: the first offending pixel is named
    uint8_t rgb[3 * 4 * 3];
    memset(rgb, 255, sizeof rgb);
    rgb[(1 * 4 + 2) * 3 + 1] = 0;   // (x=2, y=1) magenta
    p = test_tmp_path("magenta.png");
    image_write_rgb(p, rgb, 4, 3);
    EXPECT(!maze_read_png(p, &g, &h, &w, why, sizeof why));
    EXPECTF(strstr(why, "pixel (x=2, y=1) has colour #ff00ff"), "got '%s'", why);
    // larger than IMAGE_MAX_SIDE
    int big = IMAGE_MAX_SIDE + 1;
    uint8_t *wide = malloc((size_t)big * 3);
    memset(wide, 255, (size_t)big * 3);
    p = test_tmp_path("wide.png");
    image_write_rgb(p, wide, big, 1);
    free(wide);
    EXPECT(!maze_read_png(p, &g, &h, &w, why, sizeof why));
    EXPECTF(strstr(why, "more than"), "got '%s'", why);
    // truncated PNG in memory
    p = test_tmp_path("ok.png");
    uint8_t grid[25] = {0};
    grid[6] = MAZE_START;
    grid[18] = MAZE_GOAL;
    maze_write_png(p, grid, 5, 5, 4);
    f = fopen(p, "rb");
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    EXPECT(image_is_png(buf, n));
    EXPECT(maze_decode_png(buf, n, &g, &h, &w, why, sizeof why) && h == 5 && w == 5 && memcmp(g, grid, 25) == 0);
    free(g);
    EXPECT(!maze_decode_png(buf, n / 2, &g, &h, &w, why, sizeof why) && g == NULL);
    EXPECTF(strstr(why, "cannot decode PNG"), "got '%s'", why);
    EXPECT(!maze_decode_png(buf, 5, &g, &h, &w, why, sizeof why) && strstr(why, "not a PNG"));
    // a header claiming 100000x100000 pixels: "too large" with the limit (stb alone said
    // "unknown image type")
    uint8_t huge[4096];
    memcpy(huge, buf, n);
    const uint8_t side[4] = {0x00, 0x01, 0x86, 0xa0};   // 100000, big-endian
    memcpy(huge + 16, side, 4);
    memcpy(huge + 20, side, 4);
    EXPECT(!maze_decode_png(huge, n, &g, &h, &w, why, sizeof why) && g == NULL);
    EXPECTF(strstr(why, "too large: 100000x100000 pixels, more than the 4096x4096 allowed"), "got '%s'", why);
}

TEST(image_cell_size_detection_uses_largest_uniform_block) {
    // A maze whose cells are drawn at 6 px: blocks of 2 and 3 are also uniform, 6 is the
    // largest; the grid must come back at the drawn size, not a finer one.
    uint8_t grid[3 * 4] = {MAZE_WALL, MAZE_START, MAZE_OPEN, MAZE_WALL,
                           MAZE_OPEN, MAZE_OPEN, MAZE_GOAL, MAZE_WALL,
                           MAZE_WALL, MAZE_WALL, MAZE_WALL, MAZE_WALL};
    const char *p = test_tmp_path("six.png");
    maze_write_png(p, grid, 3, 4, 6);
    uint8_t *g = NULL;
    int h, w;
    char why[256];
    EXPECTF(maze_read_png(p, &g, &h, &w, why, sizeof why), "%s", why);
    EXPECT(g && h == 3 && w == 4 && memcmp(g, grid, 12) == 0);
    free(g);
}
