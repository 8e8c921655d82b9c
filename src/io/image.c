// image.c — PNG in and out through stb_image / stb_image_write (Debian's libstb ships the
// implementations in libstb.so, so no STB_*_IMPLEMENTATION here). Cell pictures are drawn one
// flat colour per cell from the caller's palette; reading undoes that: every pixel is snapped to
// the nearest palette colour (within a tolerance), then the cell size is detected as the
// largest block size that makes every block a single colour.
#include "loopt/image.h"
#include "loopt/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>
#include <stb_image_write.h>

// Per-channel tolerance when snapping a pixel to a palette colour (image.h: palette colours
// differ by more than twice this in some channel, so a pixel never matches two).
#define PALETTE_TOL 48

// PNG files larger than this are not cell pictures (a 4096x4096 RGBA PNG is at most ~64 MiB
// even uncompressed); refusing early keeps a stray huge file from being slurped.
#define PNG_MAX_BYTES ((size_t)256 << 20)

static const uint8_t PNG_MAGIC[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

int image_is_png(const uint8_t *buf, size_t len) {
    return len >= sizeof PNG_MAGIC && memcmp(buf, PNG_MAGIC, sizeof PNG_MAGIC) == 0;
}

// 1 if (r,g,b) is within tolerance of colour c.
static int near(const uint8_t *px, const uint8_t *c) {
    for (int k = 0; k < 3; k++) {
        int d = (int)px[k] - (int)c[k];
        if (d < -PALETTE_TOL || d > PALETTE_TOL) return 0;
    }
    return 1;
}

// Index of the palette colour (or alias) within tolerance of (r,g,b), or -1.
static int palette_code(const Palette *pal, const uint8_t *px) {
    for (int k = 0; k < pal->n; k++) if (near(px, pal->rgb[k])) return k;
    for (int k = 0; k < pal->n_alias; k++) if (near(px, pal->alias[k])) return pal->alias[k][3];
    return -1;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// A palette PNG (colour type 3) whose pixels index past its PLTE chunk's entries is refused:
// stb_image fills its palette table only as far as PLTE goes and would read the rest of it
// uninitialised (a different picture on each run). Only a PLTE shorter than the bit depth can
// address needs a look at the pixels: the IDAT data is inflated and unfiltered here (every
// Adam7 pass for an interlaced image) and each index compared. Returns 1 when the image is fine
// or not such an image (stb reports any other problem), else 0 with the reason.
static int palette_indices_ok(const uint8_t *png, size_t len, char *why, size_t wl) {
    if (len < 33 || memcmp(png + 12, "IHDR", 4) != 0 || png[25] != 3) return 1;
    uint32_t w = be32(png + 16), h = be32(png + 20);
    int depth = png[24], interlace = png[28];
    if (w == 0 || h == 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE || (depth != 1 && depth != 2 && depth != 4 && depth != 8))
        return 1;
    long n_plte = -1;
    size_t idat = 0;
    for (size_t pos = 8; pos + 12 <= len; pos += 12 + be32(png + pos)) {   // lengths checked by the caller
        uint32_t clen = be32(png + pos);
        if (!memcmp(png + pos + 4, "PLTE", 4) && n_plte < 0) n_plte = clen / 3;
        if (!memcmp(png + pos + 4, "IDAT", 4)) idat += clen;
        if (!memcmp(png + pos + 4, "IEND", 4)) break;
    }
    if (n_plte < 0 || n_plte >= (1L << depth) || idat == 0 || idat > 0x7fffffff) return 1;
    uint8_t *z = xmalloc(idat);
    size_t zn = 0;
    for (size_t pos = 8; pos + 12 <= len; pos += 12 + be32(png + pos)) {
        uint32_t clen = be32(png + pos);
        if (!memcmp(png + pos + 4, "IDAT", 4)) { memcpy(z + zn, png + pos + 8, clen); zn += clen; }
        if (!memcmp(png + pos + 4, "IEND", 4)) break;
    }
    static const int XO[7] = {0, 4, 0, 2, 0, 1, 0}, YO[7] = {0, 0, 4, 0, 2, 0, 1};
    static const int XS[7] = {8, 8, 4, 4, 2, 2, 1}, YS[7] = {8, 8, 8, 4, 4, 2, 2};
    int passes = interlace ? 7 : 1;
    size_t want = 0;
    for (int p = 0; p < passes; p++) {
        size_t pw = interlace ? (w > (uint32_t)XO[p] ? (w - XO[p] + XS[p] - 1) / XS[p] : 0) : w;
        size_t ph = interlace ? (h > (uint32_t)YO[p] ? (h - YO[p] + YS[p] - 1) / YS[p] : 0) : h;
        if (pw && ph) want += ph * (1 + (pw * depth + 7) / 8);
    }
    int got = 0;
    uint8_t *raw = (uint8_t *)stbi_zlib_decode_malloc_guesssize((const char *)z, (int)zn, (int)want, &got);
    free(z);
    int ok = 1;
    if (!raw || (size_t)got < want) { free(raw); return 1; }   // stb's own decoding says what is wrong
    uint8_t *prev = xcalloc(1 + (w * depth + 7) / 8, 1);
    size_t off = 0;
    for (int p = 0; p < passes && ok; p++) {
        size_t pw = interlace ? (w > (uint32_t)XO[p] ? (w - XO[p] + XS[p] - 1) / XS[p] : 0) : w;
        size_t ph = interlace ? (h > (uint32_t)YO[p] ? (h - YO[p] + YS[p] - 1) / YS[p] : 0) : h;
        if (!pw || !ph) continue;
        size_t rb = (pw * depth + 7) / 8;
        memset(prev, 0, rb);
        for (size_t y = 0; y < ph && ok; y++) {
            uint8_t f = raw[off], *row = raw + off + 1;
            off += 1 + rb;
            if (f > 4) { ok = -1; break; }   // a bad filter: stb says so
            for (size_t i = 0; i < rb; i++) {   // palette pixels: the byte to the left is the neighbour
                int a = i ? row[i - 1] : 0, b = prev[i], c = i ? prev[i - 1] : 0;
                int add = f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : f == 4 ? paeth(a, b, c) : 0;
                row[i] = (uint8_t)(row[i] + add);
            }
            memcpy(prev, row, rb);
            for (size_t x = 0; x < pw; x++) {
                size_t bit = x * depth;
                int idx = depth == 8 ? row[x] : (row[bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
                if (idx >= n_plte) {
                    failf(why, wl, "pixel (x=%zu, y=%zu) is palette entry %d, but the PLTE chunk holds only %ld "
                          "colours: not a valid PNG", interlace ? XO[p] + x * XS[p] : x, interlace ? YO[p] + y * YS[p] : y,
                          idx, n_plte);
                    ok = 0;
                    break;
                }
            }
        }
    }
    free(prev);
    free(raw);
    return ok != 0;
}

// 1 if every s x s block of the code image (ih, iw) holds a single code.
static int blocks_uniform(const uint8_t *codes, int ih, int iw, int s) {
    for (int y = 0; y < ih; y++) {
        const uint8_t *row = codes + (size_t)y * iw;
        const uint8_t *top = codes + (size_t)(y - y % s) * iw;   // first row of this block
        for (int x = 0; x < iw; x++)
            if (row[x] != top[x - x % s]) return 0;
    }
    return 1;
}

int image_decode_cells(const uint8_t *png, size_t len, const Palette *pal, uint8_t **grid, int *h, int *w,
                       char *why, int whylen) {
    size_t wl = whylen > 0 ? (size_t)whylen : 0;   // room in why, for failf
    *grid = NULL;
    if (!image_is_png(png, len)) return failf(why, wl, "not a PNG file (no PNG signature)");
    if (len > (size_t)0x7fffffff) return failf(why, wl, "PNG file too large");
    // Every chunk's length must fit in the file: stb_image grows its IDAT buffer to the length
    // a chunk claims before reading it, so a few hundred bytes claiming a 1 GiB chunk made it
    // allocate 2 GiB (found by fuzz/fuzz_maze.c; tests/fuzz_regressions/maze/).
    int iend = 0;
    size_t pos = 8;
    while (pos + 8 <= len) {
        uint32_t clen = be32(png + pos);
        if (clen > len - pos - 8 || len - pos - 8 - clen < 4)
            return failf(why, wl, "cannot decode PNG: chunk at byte %zu claims %u bytes, past the end of the file "
                         "(truncated or corrupt)", pos, clen);
        iend = memcmp(png + pos + 4, "IEND", 4) == 0;
        pos += 12 + (size_t)clen;
        if (iend) break;
    }
    if (!iend)   // stb gives no reason for this one
        return failf(why, wl, "cannot decode PNG: the file ends at byte %zu without the IEND chunk that closes "
                     "every PNG (truncated?)", len);
    // The size, from the IHDR chunk that must come first: stb refuses an image it thinks too
    // large with a reason ("too large") that its format probing then overwrites with "unknown
    // image type", so a huge header is told here, with the limit.
    if (len >= 24 && memcmp(png + 12, "IHDR", 4) == 0) {
        uint32_t hw = (uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | (uint32_t)png[18] << 8 | png[19];
        uint32_t hh = (uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | (uint32_t)png[22] << 8 | png[23];
        if (hw > IMAGE_MAX_SIDE || hh > IMAGE_MAX_SIDE)
            return failf(why, wl, "image is too large: %ux%u pixels, more than the %dx%d allowed", hw, hh,
                         IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
    }
    int iw, ih, comp;
    if (!stbi_info_from_memory(png, (int)len, &iw, &ih, &comp))
        return failf(why, wl, "cannot decode PNG: %s", stbi_failure_reason());
    if (iw <= 0 || ih <= 0) return failf(why, wl, "image is %dx%d pixels: no cells", iw, ih);
    if (iw > IMAGE_MAX_SIDE || ih > IMAGE_MAX_SIDE)
        return failf(why, wl, "image is too large: %dx%d pixels, more than the %dx%d allowed", iw, ih,
                     IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
    if (!palette_indices_ok(png, len, why, wl)) return 0;
    // Ask for 3 channels: stb converts grey/palette/alpha PNGs to RGB for us.
    uint8_t *rgb = stbi_load_from_memory(png, (int)len, &iw, &ih, &comp, 3);
    if (!rgb) return failf(why, wl, "cannot decode PNG: %s", stbi_failure_reason());

    uint8_t *codes = xmalloc((size_t)iw * ih);
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++) {
            const uint8_t *px = rgb + ((size_t)y * iw + x) * 3;
            int k = palette_code(pal, px);
            if (k < 0) {
                failf(why, wl, "pixel (x=%d, y=%d) has colour #%02x%02x%02x, not in the %s palette (%s; each "
                      "channel within %d of one)", x, y, px[0], px[1], px[2], pal->what, pal->legend, PALETTE_TOL);
                stbi_image_free(rgb);
                free(codes);
                return 0;
            }
            codes[(size_t)y * iw + x] = (uint8_t)k;
        }
    stbi_image_free(rgb);

    // Largest s dividing both sides with uniform s x s blocks; s = 1 always qualifies.
    int s = iw < ih ? iw : ih;
    for (; s > 1; s--)
        if (iw % s == 0 && ih % s == 0 && blocks_uniform(codes, ih, iw, s)) break;
    int gh = ih / s, gw = iw / s;
    uint8_t *g = xmalloc((size_t)gh * gw);
    for (int r = 0; r < gh; r++)
        for (int c = 0; c < gw; c++) g[(size_t)r * gw + c] = codes[(size_t)r * s * iw + (size_t)c * s];
    free(codes);
    *grid = g;
    *h = gh;
    *w = gw;
    return 1;
}

int image_read_cells(const char *path, const Palette *pal, uint8_t **grid, int *h, int *w, char *why, int whylen) {
    size_t wl = whylen > 0 ? (size_t)whylen : 0;   // room in why, for failf
    *grid = NULL;
    // Not xfopen/read_file: those exit, and this function promises a reason instead.
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return failf(why, wl, "is a directory, expected a PNG file");
    FILE *f = fopen(path, "rb");
    if (!f) return failf(why, wl, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= PNG_MAX_BYTES) {
                fclose(f);
                free(buf);
                return failf(why, wl, "file larger than %zu bytes, not a %s picture", PNG_MAX_BYTES, pal->what);
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) { free(buf); return failf(why, wl, "read error"); }
    int ok = image_decode_cells(buf, n, pal, grid, h, w, why, whylen);
    free(buf);
    return ok;
}

// stb's callback writer: we open the file ourselves so that failures name strerror, and so
// that "-" can mean stdout.
typedef struct { FILE *f; int err; } WriteCtx;
static void write_cb(void *ctx, void *data, int size) {
    WriteCtx *c = ctx;
    if (!c->err && fwrite(data, 1, (size_t)size, c->f) != (size_t)size) c->err = errno ? errno : EIO;
}

static void write_png(const char *path, const uint8_t *rgb, int w, int h) {
    int to_stdout = strcmp(path, "-") == 0;
    char why[300];
    if (!to_stdout && !output_path_ok(path, why, sizeof why)) die(EXIT_USAGE, "%s: %s", path, why);
    WriteCtx c = {to_stdout ? stdout : fopen(path, "wb"), 0};
    if (!c.f) die(EXIT_RUNTIME, "%s: cannot write PNG: %s", path, strerror(errno));
    int ok = stbi_write_png_to_func(write_cb, &c, w, h, 3, rgb, w * 3);
    if (to_stdout) { if (fflush(stdout) != 0 && !c.err) c.err = errno; }
    else if (fclose(c.f) != 0 && !c.err) c.err = errno;
    if (!ok) die(EXIT_RUNTIME, "%s: PNG encoding failed", path);
    if (c.err) die(EXIT_RUNTIME, "%s: cannot write PNG: %s", path, strerror(c.err));
}

void image_write_cells(const char *path, const uint8_t *grid, int h, int w, int cell_px, const Palette *pal) {
    CHECK(h > 0 && w > 0 && cell_px > 0, "image_write_cells: bad size %dx%d, cell %d", h, w, cell_px);
    CHECK((long)w * cell_px <= IMAGE_MAX_SIDE && (long)h * cell_px <= IMAGE_MAX_SIDE,
          "%s: a %dx%d %s at %d px per cell exceeds %d px on a side", path, h, w, pal->what, cell_px,
          IMAGE_MAX_SIDE);
    int iw = w * cell_px, ih = h * cell_px;
    uint8_t *rgb = xmalloc((size_t)iw * ih * 3);
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++) {
            uint8_t code = grid[(size_t)(y / cell_px) * w + x / cell_px];
            CHECK(code < pal->n, "image_write_cells: cell (%d,%d) has unknown code %d", y / cell_px + 1,
                  x / cell_px + 1, code);
            memcpy(rgb + ((size_t)y * iw + x) * 3, pal->rgb[code], 3);
        }
    write_png(path, rgb, iw, ih);
    free(rgb);
}

void image_write_rgb(const char *path, const uint8_t *rgb, int w, int h) {
    CHECK(w > 0 && h > 0 && w <= IMAGE_MAX_SIDE * 4 && h <= IMAGE_MAX_SIDE * 4,
          "%s: image size %dx%d out of range", path, w, h);
    write_png(path, rgb, w, h);
}
