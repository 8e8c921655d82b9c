// image.h — PNG in and out through stb_image / stb_image_write: grids of cells drawn one flat
// palette colour per cell (the caller's palette: maze.c's for maze pictures), and plain RGB
// images (plots). Nothing here knows what the cells mean.
#ifndef LOOPT_IMAGE_H
#define LOOPT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

// A palette for cell pictures: cell value k is drawn in rgb[k]. Reading snaps each pixel to the
// palette colour within 48 of it in every channel, so the colours must differ by more than 96
// in some channel pairwise. `what` and `legend` only word the messages: "not a <what> picture",
// "not in the <what> palette (<legend>)", "a HxW <what> at N px per cell exceeds ...".
// Reading also accepts each alias colour (r, g, b, code) for its code, e.g. the pure #00ff00 of
// a paint program for the green of S; aliases obey the same spacing against the other codes.
typedef struct {
    const uint8_t (*rgb)[3];
    int n;
    const char *what;      // e.g. "maze"
    const char *legend;    // e.g. "white #ffffff open, black #000000 wall, ..."
    const uint8_t (*alias)[4];
    int n_alias;
} Palette;

// Write grid (h, w) of palette indices as a PNG ("-" = stdout), `cell_px` pixels per cell.
// Exit 1 on write failure.
void image_write_cells(const char *path, const uint8_t *grid, int h, int w, int cell_px, const Palette *pal);

// Read a PNG drawn in the palette (any cell size: the cell size is detected as the largest size
// that makes every cell a single colour; each pixel must be within a small distance of a
// palette colour). On success returns 1 with *grid malloc'd (h, w) of palette indices.
// On failure returns 0 with the reason (not a PNG, colour not in palette at x,y, ...).
int image_read_cells(const char *path, const Palette *pal, uint8_t **grid, int *h, int *w, char *why, int whylen);

// Added by image.c's owner: images wider or taller than this are refused (reading and
// writing), so a hostile PNG header cannot make us allocate gigabytes.
#define IMAGE_MAX_SIDE 4096
// 1 if buf starts with the 8-byte PNG signature.
int image_is_png(const uint8_t *buf, size_t len);
// image_read_cells on a PNG already in memory (e.g. read from stdin).
int image_decode_cells(const uint8_t *png, size_t len, const Palette *pal, uint8_t **grid, int *h, int *w,
                       char *why, int whylen);

// Write an RGB buffer (h, w, 3) as PNG. Exit 1 on failure.
void image_write_rgb(const char *path, const uint8_t *rgb, int w, int h);

#endif
