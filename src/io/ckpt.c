// ckpt.c — safetensors checkpoints: the atomic writer and the validating reader.
// The header is built and parsed with cJSON. Integers in the header are emitted as raw digit
// strings (cJSON would print 1e15 as "1e+15", which strict readers such as the safetensors
// package reject) and parsed back as doubles, so every offset and dimension is limited to
// 2^53, where doubles are still exact; anything larger is rejected.
// The reader treats the file as hostile: it checks every length before it reads, parses a
// NUL-terminated copy of the header, and verifies the tensors tile the data section exactly.
#include "loopt/ckpt.h"
#include "loopt/check.h"

#include <cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXACT ((uint64_t)1 << 53)   // largest integer a JSON number (double) holds exactly
#define METADATA_KEY "__metadata__"

static const struct { const char *name; size_t size; } DTYPES[DT_COUNT] = {
    [DT_F32] = {"F32", 4}, [DT_F64] = {"F64", 8}, [DT_I32] = {"I32", 4},
    [DT_U32] = {"U32", 4}, [DT_I64] = {"I64", 8}, [DT_U8] = {"U8", 1},
};

size_t dtype_size(DType dt) { return (unsigned)dt < DT_COUNT ? DTYPES[dt].size : 0; }
const char *dtype_name(DType dt) { return (unsigned)dt < DT_COUNT ? DTYPES[dt].name : "?"; }

static int host_is_little_endian(void) {
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}
#define BIG_ENDIAN_REASON "this host is big-endian; loopt checkpoints are little-endian and this build does not byte-swap"

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). Returns the byte
// offset of the first bad sequence, or n if all n bytes are valid.
static size_t utf8_check(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return i;
        if (n - i < len) return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

void ckpt_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t at = 0;
    at += snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && at < cap; d++)
        at += snprintf(buf + at, cap - at, "%s%" PRId64, d ? "," : "", shape[d]);
    if (at < cap) snprintf(buf + at, cap - at, "]");
}

// numel = prod(shape) without overflow: 0 if any dimension is 0, else -1 when the product
// (or the product times elem_size) would exceed 2^53.
static int64_t checked_numel(int ndim, const int64_t *shape, size_t elem_size) {
    for (int d = 0; d < ndim; d++) if (shape[d] == 0) return 0;
    uint64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        uint64_t dim = (uint64_t)shape[d];
        if (dim > MAX_EXACT || numel > MAX_EXACT / dim) return -1;
        numel *= dim;
    }
    if (numel > MAX_EXACT / elem_size) return -1;
    return (int64_t)numel;
}

// ---------------------------------------------------------------------------------------
// writing

// Add `item` to an object (key != NULL) or an array; deletes the item if it cannot be added.
// Returns 0 when allocation failed anywhere (item NULL or the add failed).
static int add_item(cJSON *parent, const char *key, cJSON *item) {
    if (!item) return 0;
    cJSON_bool ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!ok) cJSON_Delete(item);
    return ok ? 1 : 0;
}

// A JSON integer printed exactly as digits (not through a double).
static cJSON *raw_uint(uint64_t v) {
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, v);
    return cJSON_CreateRaw(s);
}

// Build the header JSON for tensors t[order[0..n)] with their nbytes; NULL on out of memory.
static char *build_header(const CkptTensor *t, const int *order, const uint64_t *nbytes, int n,
                          const char *const *meta_keys, const char *const *meta_vals, int n_meta) {
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok && n_meta > 0) {
        cJSON *meta = cJSON_CreateObject();
        ok = add_item(root, METADATA_KEY, meta);
        for (int i = 0; ok && i < n_meta; i++)
            ok = add_item(meta, meta_keys[i], cJSON_CreateString(meta_vals[i]));
    }
    uint64_t offset = 0;
    for (int k = 0; ok && k < n; k++) {
        const CkptTensor *x = &t[order[k]];
        cJSON *e = cJSON_CreateObject(), *shape = cJSON_CreateArray(), *offs = cJSON_CreateArray();
        ok = add_item(root, x->name, e) && add_item(e, "dtype", cJSON_CreateString(dtype_name(x->dtype)));
        if (!ok) { cJSON_Delete(shape); cJSON_Delete(offs); break; }
        ok = add_item(e, "shape", shape);
        for (int d = 0; ok && d < x->ndim; d++) ok = add_item(shape, NULL, raw_uint((uint64_t)x->shape[d]));
        if (!ok) { cJSON_Delete(offs); break; }
        ok = add_item(e, "data_offsets", offs) && add_item(offs, NULL, raw_uint(offset)) &&
             add_item(offs, NULL, raw_uint(offset + nbytes[order[k]]));
        offset += nbytes[order[k]];
    }
    char *json = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return json;
}

// Validate the caller's tensors and metadata; fills nbytes[i]. Returns 1 or 0 with a reason.
static int check_write_args(const char *path, const CkptTensor *t, int n, uint64_t *nbytes,
                            const char *const *meta_keys, const char *const *meta_vals, int n_meta,
                            char *why, size_t whylen) {
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        const CkptTensor *x = &t[i];
        if (!x->name || !x->name[0]) return failf(why, whylen, "%s: tensor %d has no name", path, i);
        const char *nm = x->name;
        if (strcmp(nm, METADATA_KEY) == 0)
            return failf(why, whylen, "%s: '%s' is reserved and cannot name a tensor", path, METADATA_KEY);
        if (utf8_check((const unsigned char *)nm, strlen(nm)) != strlen(nm))
            return failf(why, whylen, "%s: tensor name '%.64s' is not valid UTF-8", path, nm);
        if ((unsigned)x->dtype >= DT_COUNT)
            return failf(why, whylen, "%s: tensor '%.64s' has invalid dtype %d", path, nm, (int)x->dtype);
        if (x->ndim < 0 || x->ndim > CKPT_MAX_DIM)
            return failf(why, whylen, "%s: tensor '%.64s' has %d dimensions (0..%d allowed)", path, nm,
                         x->ndim, CKPT_MAX_DIM);
        for (int d = 0; d < x->ndim; d++)
            if (x->shape[d] < 0 || (uint64_t)x->shape[d] > MAX_EXACT)
                return failf(why, whylen, "%s: tensor '%.64s' has dimension %" PRId64 " (0..2^53 allowed)", path, nm, x->shape[d]);
        int64_t numel = checked_numel(x->ndim, x->shape, dtype_size(x->dtype));
        if (numel < 0) return failf(why, whylen, "%s: tensor '%.64s' is too large", path, nm);
        nbytes[i] = (uint64_t)numel * dtype_size(x->dtype);
        if (nbytes[i] && !x->data) return failf(why, whylen, "%s: tensor '%.64s' has no data", path, nm);
        if (nbytes[i] > MAX_EXACT - total) return failf(why, whylen, "%s: tensors too large in total", path);
        total += nbytes[i];
        for (int j = 0; j < i; j++)
            if (strcmp(t[j].name, nm) == 0) return failf(why, whylen, "%s: duplicate tensor name '%.64s'", path, nm);
    }
    for (int i = 0; i < n_meta; i++) {
        if (!meta_keys || !meta_vals || !meta_keys[i] || !meta_vals[i])
            return failf(why, whylen, "%s: metadata pair %d is NULL", path, i);
        size_t kl = strlen(meta_keys[i]), vl = strlen(meta_vals[i]);
        if (utf8_check((const unsigned char *)meta_keys[i], kl) != kl ||
            utf8_check((const unsigned char *)meta_vals[i], vl) != vl)
            return failf(why, whylen, "%s: metadata '%.64s' is not valid UTF-8", path, meta_keys[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(meta_keys[j], meta_keys[i]) == 0)
                return failf(why, whylen, "%s: duplicate metadata key '%.64s'", path, meta_keys[i]);
    }
    return 1;
}

// fsync the directory holding `path`, so the rename itself survives a crash. Best effort:
// some filesystems refuse fsync on a directory, and the new file is in place either way.
static void fsync_parent_dir(const char *path) {
    char dir[4096];
    path_folder(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) { (void)fsync(fd); close(fd); }
}

int ckpt_write(const char *path, const CkptTensor *t, int n,
               const char *const *meta_keys, const char *const *meta_vals, int n_meta,
               char *why, size_t whylen) {
    if (!path || !path[0]) return failf(why, whylen, "checkpoint path is empty");
    char kind[300];   // the rename would put the file in the place of a device node or FIFO
    if (!output_path_ok(path, kind, sizeof kind)) return failf(why, whylen, "%s: %s", path, kind);
    if (!host_is_little_endian()) return failf(why, whylen, "%s: %s", path, BIG_ENDIAN_REASON);
    if (n < 0 || n_meta < 0 || (n > 0 && !t))
        return failf(why, whylen, "%s: invalid tensor or metadata count", path);

    uint64_t *nbytes = xcalloc(n ? n : 1, sizeof *nbytes);
    int *order = xcalloc(n ? n : 1, sizeof *order);
    char *json = NULL, *tmp = NULL;
    FILE *f = NULL;
    int ok = check_write_args(path, t, n, nbytes, meta_keys, meta_vals, n_meta, why, whylen);
    if (!ok) goto done;

    // Largest elements first (stable): every tensor then starts at a multiple of its size.
    int k = 0;
    for (size_t sz = 8; sz >= 1; sz /= 2)
        for (int i = 0; i < n; i++) if (dtype_size(t[i].dtype) == sz) order[k++] = i;

    json = build_header(t, order, nbytes, n, meta_keys, meta_vals, n_meta);
    if (!json) { ok = failf(why, whylen, "%s: out of memory building the header", path); goto done; }
    size_t json_len = strlen(json);
    uint64_t header_len = (json_len + 7) / 8 * 8;   // pad with spaces: data starts 8-aligned
    if (header_len > CKPT_MAX_HEADER) {
        ok = failf(why, whylen, "%s: header of %" PRIu64 " bytes exceeds the %u-byte limit", path,
                   header_len, CKPT_MAX_HEADER);
        goto done;
    }

    size_t tmplen = strlen(path) + 32;
    tmp = xmalloc(tmplen);
    snprintf(tmp, tmplen, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        ok = failf(why, whylen, "%s: cannot create temp file %s: %s", path, tmp, strerror(errno));
        goto done;
    }
    f = fdopen(fd, "wb");
    if (!f) { int e = errno; close(fd); unlink(tmp); ok = failf(why, whylen, "%s: %s", tmp, strerror(e)); goto done; }

    unsigned char len8[8];
    for (int b = 0; b < 8; b++) len8[b] = (unsigned char)(header_len >> (8 * b));
    int wrote = fwrite(len8, 1, 8, f) == 8 && fwrite(json, 1, json_len, f) == json_len;
    for (size_t p = json_len; wrote && p < header_len; p++) wrote = fputc(' ', f) != EOF;
    for (int i = 0; wrote && i < n; i++) {
        size_t nb = nbytes[order[i]];   // an empty tensor may have data == NULL
        if (nb) wrote = fwrite(t[order[i]].data, 1, nb, f) == nb;
    }
    // fflush hands the bytes to the kernel, fsync makes them durable before the rename: a crash
    // can then leave the old file or the new one, never a mix.
    if (wrote) wrote = fflush(f) == 0 && fsync(fileno(f)) == 0;
    int err = errno;
    if (fclose(f) != 0 && wrote) { wrote = 0; err = errno; }
    f = NULL;
    if (!wrote) {
        unlink(tmp);
        ok = failf(why, whylen, "%s: write failed: %s", path, strerror(err ? err : EIO));
        goto done;
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        unlink(tmp);
        ok = failf(why, whylen, "%s: cannot rename %s over it: %s", path, tmp, strerror(err));
        goto done;
    }
    fsync_parent_dir(path);
done:
    free(tmp);
    if (json) cJSON_free(json);
    free(order);
    free(nbytes);
    return ok;
}

// ---------------------------------------------------------------------------------------
// reading

// An integer 0 <= v <= 2^53 from a JSON number; 0 if it is not one.
static int json_uint(const cJSON *j, uint64_t *v) {
    if (!cJSON_IsNumber(j)) return 0;
    double d = j->valuedouble;
    if (!isfinite(d) || d < 0 || d > (double)MAX_EXACT || d != floor(d)) return 0;
    *v = (uint64_t)d;
    return 1;
}

static char *dup_or_null(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

// Parse one tensor entry `j` (named j->string) into e; data_size bounds its offsets.
// The name is truncated to 64 bytes in messages: a hostile name could be megabytes long.
static int parse_entry(const char *path, const cJSON *j, uint64_t data_size, CkptEntry *e,
                       char *why, size_t whylen) {
    const char *nm = j->string;
    if (!nm[0]) return failf(why, whylen, "%s: a tensor has an empty name", path);
    if (!cJSON_IsObject(j)) return failf(why, whylen, "%s: tensor '%.64s' is not a JSON object", path, nm);
    const cJSON *dtype = NULL, *shape = NULL, *offs = NULL, *m;
    uint64_t begin, end;
    cJSON_ArrayForEach(m, j) {
        const cJSON **slot = strcmp(m->string, "dtype") == 0 ? &dtype
                           : strcmp(m->string, "shape") == 0 ? &shape
                           : strcmp(m->string, "data_offsets") == 0 ? &offs : NULL;
        if (!slot) return failf(why, whylen, "%s: tensor '%.64s' has unexpected key '%.64s'", path, nm, m->string);
        if (*slot) return failf(why, whylen, "%s: tensor '%.64s' has '%s' twice", path, nm, m->string);
        *slot = m;
    }
    if (!dtype || !shape || !offs)
        return failf(why, whylen, "%s: tensor '%.64s' lacks \"%s\"", path, nm,
                     !dtype ? "dtype" : !shape ? "shape" : "data_offsets");

    if (!cJSON_IsString(dtype)) return failf(why, whylen, "%s: tensor '%.64s': dtype is not a string", path, nm);
    int dt = -1;
    for (int k = 0; k < DT_COUNT; k++) if (strcmp(dtype->valuestring, DTYPES[k].name) == 0) dt = k;
    if (dt < 0)
        return failf(why, whylen, "%s: tensor '%.64s' has unsupported dtype '%.16s' (loopt reads F32, F64, I32, U32, I64, U8)",
                     path, nm, dtype->valuestring);
    e->dtype = (DType)dt;

    if (!cJSON_IsArray(shape)) return failf(why, whylen, "%s: tensor '%.64s': shape is not an array", path, nm);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > CKPT_MAX_DIM)
        return failf(why, whylen, "%s: tensor '%.64s' has %d dimensions (at most %d)", path, nm, ndim, CKPT_MAX_DIM);
    e->ndim = 0;
    cJSON_ArrayForEach(m, shape) {
        uint64_t dim;
        if (!json_uint(m, &dim))
            return failf(why, whylen, "%s: tensor '%.64s': shape entry %d is not an integer in [0, 2^53]", path, nm, e->ndim);
        e->shape[e->ndim++] = (int64_t)dim;
    }

    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !json_uint(cJSON_GetArrayItem(offs, 0), &begin) || !json_uint(cJSON_GetArrayItem(offs, 1), &end))
        return failf(why, whylen, "%s: tensor '%.64s': data_offsets is not [begin, end] with integers in [0, 2^53]", path, nm);
    if (begin > end)
        return failf(why, whylen, "%s: tensor '%.64s': data_offsets [%" PRIu64 ",%" PRIu64 "] end before they begin",
                     path, nm, begin, end);
    if (end > data_size)
        return failf(why, whylen, "%s: tensor '%.64s': data_offsets [%" PRIu64 ",%" PRIu64 "] run past the data section (%" PRIu64 " bytes)",
                     path, nm, begin, end, data_size);

    char sh[128];
    ckpt_shape_str(sh, sizeof sh, e->ndim, e->shape);
    int64_t numel = checked_numel(e->ndim, e->shape, dtype_size(e->dtype));
    if (numel < 0 || (uint64_t)numel * dtype_size(e->dtype) != end - begin)
        return failf(why, whylen, "%s: tensor '%.64s': shape %s of %s does not match data_offsets [%" PRIu64 ",%" PRIu64 "] (%" PRIu64 " bytes)",
                     path, nm, sh, dtype_name(e->dtype), begin, end, end - begin);
    e->numel = numel;
    e->nbytes = (size_t)(end - begin);
    e->offset = begin;
    e->name = dup_or_null(nm);
    if (!e->name) return failf(why, whylen, "%s: out of memory", path);
    return 1;
}

static int parse_metadata(const char *path, const cJSON *j, Ckpt *c, char *why, size_t whylen) {
    if (!cJSON_IsObject(j)) return failf(why, whylen, "%s: \"%s\" is not a JSON object", path, METADATA_KEY);
    int n = cJSON_GetArraySize(j);
    c->meta_keys = calloc(n ? n : 1, sizeof *c->meta_keys);
    c->meta_vals = calloc(n ? n : 1, sizeof *c->meta_vals);
    if (!c->meta_keys || !c->meta_vals) return failf(why, whylen, "%s: out of memory", path);
    const cJSON *m;
    cJSON_ArrayForEach(m, j) {
        if (!cJSON_IsString(m))
            return failf(why, whylen, "%s: metadata '%.64s' is not a string", path, m->string);
        for (int i = 0; i < c->n_meta; i++)
            if (strcmp(c->meta_keys[i], m->string) == 0)
                return failf(why, whylen, "%s: duplicate metadata key '%.64s'", path, m->string);
        c->meta_keys[c->n_meta] = dup_or_null(m->string);
        c->meta_vals[c->n_meta] = dup_or_null(m->valuestring);
        c->n_meta++;
        if (!c->meta_keys[c->n_meta - 1] || !c->meta_vals[c->n_meta - 1])
            return failf(why, whylen, "%s: out of memory", path);
    }
    return 1;
}

static int cmp_offset(const void *a, const void *b) {
    const CkptEntry *x = a, *y = b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp((*(const CkptEntry *const *)a)->name, (*(const CkptEntry *const *)b)->name);
}

// Parse and validate the header (hdr: N bytes plus a NUL) against the data section size.
static int parse_header(const char *path, const char *hdr, size_t N, uint64_t data_size, Ckpt *c,
                        char *why, size_t whylen) {
    size_t bad = utf8_check((const unsigned char *)hdr, N);
    if (bad != N) return failf(why, whylen, "%s: header is not valid UTF-8 (byte %zu)", path, bad);
    if (memchr(hdr, '\0', N)) return failf(why, whylen, "%s: header contains a NUL byte", path);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(hdr, N, &end, 0);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= hdr && at <= hdr + N ? (size_t)(at - hdr) : 0;
        return failf(why, whylen, "%s: header is not valid JSON (near byte %zu of %zu)", path, off, N);
    }
    int ok = 1;
    for (const char *p = end; ok && p < hdr + N; p++)
        if (!(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ok = failf(why, whylen, "%s: junk after the JSON header (byte %zu of %zu)", path, (size_t)(p - hdr), N);
    if (ok && !cJSON_IsObject(root)) ok = failf(why, whylen, "%s: header is not a JSON object", path);

    int n = 0, n_metadata = 0;
    const cJSON *j;
    if (ok) cJSON_ArrayForEach(j, root) {
        if (strcmp(j->string, METADATA_KEY) == 0) n_metadata++;
        else n++;
    }
    if (ok && n_metadata > 1) ok = failf(why, whylen, "%s: \"%s\" appears twice", path, METADATA_KEY);
    if (ok) {
        c->entries = calloc(n ? n : 1, sizeof *c->entries);
        if (!c->entries) ok = failf(why, whylen, "%s: out of memory", path);
    }
    if (ok) cJSON_ArrayForEach(j, root) {
        if (strcmp(j->string, METADATA_KEY) == 0) ok = parse_metadata(path, j, c, why, whylen);
        else {
            ok = parse_entry(path, j, data_size, &c->entries[c->n], why, whylen);
            if (c->entries[c->n].name) c->n++;   // owned from here on, freed by ckpt_free
        }
        if (!ok) break;
    }
    cJSON_Delete(root);
    if (!ok) return 0;

    // Duplicate names: cJSON keeps repeated keys, so compare sorted names.
    CkptEntry **by_name = malloc(sizeof *by_name * (n ? n : 1));
    if (!by_name) return failf(why, whylen, "%s: out of memory", path);
    for (int i = 0; i < n; i++) by_name[i] = &c->entries[i];
    qsort(by_name, n, sizeof *by_name, cmp_name);
    for (int i = 1; ok && i < n; i++)
        if (strcmp(by_name[i - 1]->name, by_name[i]->name) == 0)
            ok = failf(why, whylen, "%s: duplicate tensor name '%.64s'", path, by_name[i]->name);
    free(by_name);
    if (!ok) return 0;

    // The tensors must tile the data section: contiguous from 0, no overlap, no gap, no tail.
    qsort(c->entries, n, sizeof *c->entries, cmp_offset);
    uint64_t expect = 0;
    for (int i = 0; i < n; i++) {
        const CkptEntry *e = &c->entries[i];
        if (e->offset != expect)
            return failf(why, whylen, "%s: tensor '%.64s' at data offset %" PRIu64 " %s (expected %" PRIu64 ")",
                         path, e->name, e->offset, e->offset < expect ? "overlaps the tensor before it" : "leaves a gap after the tensor before it",
                        expect);
        expect += e->nbytes;
    }
    if (expect != data_size)
        return failf(why, whylen, "%s: %" PRIu64 " bytes of trailing data after the last tensor", path, data_size - expect);
    return 1;
}

int ckpt_read(const char *path, Ckpt *c, char *why, size_t whylen) {
    memset(c, 0, sizeof *c);
    if (!path) return failf(why, whylen, "checkpoint path is NULL");
    if (!host_is_little_endian()) return failf(why, whylen, "%s: %s", path, BIG_ENDIAN_REASON);
    struct stat st;
    if (stat(path, &st) != 0) return failf(why, whylen, "%s: cannot open checkpoint: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return failf(why, whylen, "%s: is a directory, expected a checkpoint file", path);
    if (!S_ISREG(st.st_mode)) return failf(why, whylen, "%s: not a regular file", path);
    if (st.st_size == 0) return failf(why, whylen, "%s: empty file, not a checkpoint", path);
    if (st.st_size < 8)
        return failf(why, whylen, "%s: file too short (%lld bytes) to be a checkpoint: a safetensors file starts with an 8-byte header length",
                     path, (long long)st.st_size);
    if ((uint64_t)st.st_size > SIZE_MAX - 16) return failf(why, whylen, "%s: file too large", path);

    FILE *f = fopen(path, "rb");
    if (!f) return failf(why, whylen, "%s: cannot open checkpoint: %s", path, strerror(errno));
    unsigned char len8[8];
    if (fread(len8, 1, 8, f) != 8) { fclose(f); return failf(why, whylen, "%s: cannot read the header length", path); }
    uint64_t N = 0;
    for (int b = 7; b >= 0; b--) N = (N << 8) | len8[b];
    uint64_t size = (uint64_t)st.st_size;
    if (N > CKPT_MAX_HEADER) {
        fclose(f);
        return failf(why, whylen, "%s: header length %" PRIu64 " is absurd (limit %u bytes): not a safetensors file?",
                     path, N, CKPT_MAX_HEADER);
    }
    if (N > size - 8) {
        fclose(f);
        return failf(why, whylen, "%s: header length %" PRIu64 " is past the end of the file (%" PRIu64 " bytes): truncated or not a safetensors file",
                     path, N, size);
    }

    // Place the file so that its data section (at 8 + N) lands on an 8-aligned address.
    size_t pad = (size_t)((8 - (8 + N) % 8) % 8);
    c->alloc = malloc((size_t)size + pad + 1);
    char *hdr = malloc((size_t)N + 1);
    if (!c->alloc || !hdr) {
        fclose(f); free(hdr); ckpt_free(c);
        return failf(why, whylen, "%s: out of memory reading %" PRIu64 " bytes", path, size);
    }
    c->buf = c->alloc + pad;
    c->size = (size_t)size;
    c->header_len = (size_t)N;
    memcpy(c->buf, len8, 8);
    size_t got = fread(c->buf + 8, 1, c->size - 8, f);
    int extra = fgetc(f) != EOF;   // the file grew since stat: not the file we sized
    int err = ferror(f);
    fclose(f);
    if (got != c->size - 8 || extra || err) {
        free(hdr); ckpt_free(c);
        return failf(why, whylen, "%s: read error or file changed while reading", path);
    }
    memcpy(hdr, c->buf + 8, (size_t)N);
    hdr[N] = '\0';
    int ok = parse_header(path, hdr, (size_t)N, size - 8 - N, c, why, whylen);
    free(hdr);
    if (!ok) { ckpt_free(c); return 0; }
    unsigned char *data = c->buf + 8 + N;
    for (int i = 0; i < c->n; i++) c->entries[i].data = data + c->entries[i].offset;
    c->path = dup_or_null(path);
    if (!c->path) { ckpt_free(c); return failf(why, whylen, "%s: out of memory", path); }
    return 1;
}

const CkptEntry *ckpt_find(const Ckpt *c, const char *name) {
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].name, name) == 0) return &c->entries[i];
    return NULL;
}

int ckpt_has_prefix(const Ckpt *c, const char *prefix) {
    size_t n = strlen(prefix);
    for (int i = 0; i < c->n; i++)
        if (strncmp(c->entries[i].name, prefix, n) == 0) return 1;
    return 0;
}

const char *ckpt_meta(const Ckpt *c, const char *key) {
    for (int i = 0; i < c->n_meta; i++)
        if (strcmp(c->meta_keys[i], key) == 0) return c->meta_vals[i];
    return NULL;
}

int ckpt_copy(const Ckpt *c, const char *name, DType dtype, int ndim, const int64_t *shape,
              void *dst, char *why, size_t whylen) {
    const char *path = c->path ? c->path : "checkpoint";
    const CkptEntry *e = ckpt_find(c, name);
    if (!e) return failf(why, whylen, "%s: no tensor '%s'", path, name);
    if (e->dtype != dtype)
        return failf(why, whylen, "%s: tensor '%s' is %s, expected %s", path, name, dtype_name(e->dtype), dtype_name(dtype));
    int same = e->ndim == ndim;
    for (int d = 0; same && d < ndim; d++) same = e->shape[d] == shape[d];
    if (!same) {
        char have[128], want[128];
        ckpt_shape_str(have, sizeof have, e->ndim, e->shape);
        ckpt_shape_str(want, sizeof want, ndim, shape);
        return failf(why, whylen, "%s: tensor '%s' has shape %s, expected %s", path, name, have, want);
    }
    if (e->nbytes) memcpy(dst, e->data, e->nbytes);
    return 1;
}

void ckpt_free(Ckpt *c) {
    if (!c) return;
    for (int i = 0; i < c->n; i++) free(c->entries[i].name);
    free(c->entries);
    for (int i = 0; i < c->n_meta; i++) { free(c->meta_keys[i]); free(c->meta_vals[i]); }
    free(c->meta_keys);
    free(c->meta_vals);
    free(c->alloc);
    free(c->path);
    memset(c, 0, sizeof *c);
}
