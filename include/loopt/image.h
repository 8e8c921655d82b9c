// image.h — PNG in and out through stb_image / stb_image_write: maze pictures in a fixed
// palette, and plain RGB images (plots).
#ifndef LOOPT_IMAGE_H
#define LOOPT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

// Palette (RGB) per maze code: open white, wall black, start green, goal red, path blue.
extern const uint8_t MAZE_PALETTE[5][3];

// Write grid (h, w) of maze codes as a PNG, `cell_px` pixels per cell. Exit 1 on write failure.
void image_write_maze(const char *path, const uint8_t *grid, int h, int w, int cell_px);

// Read a PNG drawn in the maze palette (any cell size: the cell size is detected as the
// largest size that makes every cell a single colour; each pixel must be within a small
// distance of a palette colour). On success returns 1 with *grid malloc'd (h, w).
// On failure returns 0 with the reason (not a PNG, colour not in palette at x,y, ...).
int image_read_maze(const char *path, uint8_t **grid, int *h, int *w, char *why, int whylen);

// Added by image.c's owner: images wider or taller than this are refused (reading and
// writing), so a hostile PNG header cannot make us allocate gigabytes.
#define IMAGE_MAX_SIDE 4096
// 1 if buf starts with the 8-byte PNG signature.
int image_is_png(const uint8_t *buf, size_t len);
// image_read_maze on a PNG already in memory (e.g. read from stdin).
int image_decode_maze(const uint8_t *png, size_t len, uint8_t **grid, int *h, int *w, char *why, int whylen);

// Write an RGB buffer (h, w, 3) as PNG. Exit 1 on failure.
void image_write_rgb(const char *path, const uint8_t *rgb, int w, int h);

#endif
