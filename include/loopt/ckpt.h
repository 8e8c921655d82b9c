// ckpt.h — checkpoints as safetensors files: an 8-byte little-endian header length N, N bytes
// of UTF-8 JSON (tensor name -> {"dtype", "shape", "data_offsets"}, plus an optional
// "__metadata__" object of string -> string), then the raw little-endian tensor bytes.
// Any numpy / PyTorch user can open them; docs/checkpoints.md has the format as loopt writes
// it and a 10-line numpy loader.
//
// Nothing here exits the process: every function that can fail returns 0 and writes a
// one-line reason that starts with the file's path into `why` (the caller prints it with
// die()/warnf() and picks the exit code: a bad file the user named is EXIT_USAGE, a failed
// write is EXIT_RUNTIME). Reading never trusts the file: every length, offset and shape is
// checked before it is used, so a corrupt or hostile file gives a reason, never a crash.
#ifndef LOOPT_CKPT_H
#define LOOPT_CKPT_H

#include <stddef.h>
#include <stdint.h>

#define CKPT_MAX_DIM 8                        // most dimensions of one tensor
#define CKPT_MAX_HEADER (100u * 1024 * 1024)  // a header longer than this is rejected as absurd

// The element types loopt reads and writes ("F32", "F64", ... in the file).
typedef enum { DT_F32 = 0, DT_F64, DT_I32, DT_U32, DT_I64, DT_U8, DT_COUNT } DType;

// Bytes per element of `dt` (4, 8, 4, 4, 8, 1); 0 for an invalid value.
size_t dtype_size(DType dt);
// The safetensors name of `dt` ("F32", ...); "?" for an invalid value.
const char *dtype_name(DType dt);

// One tensor to write. `data` points at numel = prod(shape) elements of `dtype` in host
// (little-endian) order; it may be NULL only when numel is 0. ndim 0 is a scalar.
typedef struct {
    const char *name;              // non-empty UTF-8, unique, not "__metadata__"
    DType dtype;
    int ndim;                      // 0..CKPT_MAX_DIM
    int64_t shape[CKPT_MAX_DIM];   // each >= 0
    const void *data;
} CkptTensor;

// Write n tensors and n_meta metadata pairs (meta_keys[i] -> meta_vals[i], UTF-8 strings) to
// `path`, atomically: the bytes go to "<path>.tmp.<pid>" in the same directory, are flushed
// and fsync'ed, and the temp file is renamed over `path` (then the directory is fsync'ed,
// best effort). Tensors are laid out in the order given, except that they are stably sorted
// by element size, largest first, so every tensor's data is aligned to its element size
// (the safetensors package does the same). The JSON header is padded with spaces to a
// multiple of 8 bytes, so the data section starts 8-aligned.
// Returns 1 on success. On any failure (bad argument, cannot create the temp file, disk
// full, rename failed) returns 0 with the reason in `why`; the temp file is removed and a
// file already at `path` is left untouched.
int ckpt_write(const char *path, const CkptTensor *t, int n,
               const char *const *meta_keys, const char *const *meta_vals, int n_meta,
               char *why, size_t whylen);

// One tensor of a loaded checkpoint. `data` points into the Ckpt's buffer; it is aligned to
// the element size for files loopt (or the safetensors package) wrote, but a hand-made file
// may leave it unaligned: read it with memcpy, or with ckpt_copy().
typedef struct {
    char *name;
    DType dtype;
    int ndim;
    int64_t shape[CKPT_MAX_DIM];
    int64_t numel;                 // prod(shape); 1 for a scalar
    const void *data;
    size_t nbytes;                 // numel * dtype_size(dtype)
    uint64_t offset;               // begin of the data, relative to the data section
} CkptEntry;

// A loaded checkpoint. It owns the whole file in `buf`; entries are in data-offset order.
typedef struct {
    char *path;                    // copy of the path it was read from (for messages)
    unsigned char *buf;            // the whole file
    size_t size;                   // bytes in buf
    size_t header_len;             // N, the JSON header's length
    CkptEntry *entries;
    int n;
    char **meta_keys, **meta_vals; // the "__metadata__" pairs, in file order
    int n_meta;
    unsigned char *alloc;          // private: the allocation behind buf (buf is offset in it so
                                   // the data section is 8-aligned)
} Ckpt;

// Read and validate the safetensors file at `path` into *c. Returns 1 on success (free with
// ckpt_free), or 0 with the reason in `why` and *c left empty (ckpt_free on it is a no-op).
// Rejected, each with its own reason: a missing file, a directory or other non-regular file,
// a file shorter than 8 bytes, a header length that is past the end of the file or over
// CKPT_MAX_HEADER, a header that is not UTF-8 / not JSON / not an object, an entry that is
// not an object or lacks dtype, shape or data_offsets (or has other keys), an unknown dtype,
// a shape with a negative or non-integer dimension or more than CKPT_MAX_DIM of them, data
// offsets that are not two integers 0 <= begin <= end <= 2^53, a byte count (shape product
// times element size, computed without overflow) that differs from end - begin, offsets past
// the data section, overlapping or gapped tensors, bytes after the last tensor, duplicate
// names, and metadata that is not an object of strings.
// Also fails (with a reason) on a big-endian host: this build does not byte-swap.
int ckpt_read(const char *path, Ckpt *c, char *why, size_t whylen);

// The entry named `name`, or NULL if the checkpoint has none.
const CkptEntry *ckpt_find(const Ckpt *c, const char *name);

// 1 if any tensor's name starts with `prefix` ("ema.", "adam_m."), else 0.
int ckpt_has_prefix(const Ckpt *c, const char *prefix);

// The metadata value for `key`, or NULL if absent.
const char *ckpt_meta(const Ckpt *c, const char *key);

// Copy tensor `name` into dst (numel * dtype_size(dtype) bytes), after checking that it
// exists, has element type `dtype` and exactly the shape shape[0..ndim). Returns 1, or 0 with
// a reason naming the file and the tensor ("model.safetensors: tensor 'w_qkv' has shape
// [128,384], expected [128,256]").
int ckpt_copy(const Ckpt *c, const char *name, DType dtype, int ndim, const int64_t *shape,
              void *dst, char *why, size_t whylen);

// A shape as "[2,3,4]" ("[]" for a scalar) into buf, truncated to fit cap.
void ckpt_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape);

// Free everything ckpt_read allocated and zero *c. Safe on a zeroed or already-freed Ckpt.
void ckpt_free(Ckpt *c);

#endif
