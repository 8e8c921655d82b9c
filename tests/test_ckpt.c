// test_ckpt.c — unit tests of the safetensors checkpoints (src/io/ckpt.c): the round trip of
// every dtype and the metadata, the header layout, atomic overwrite (including a simulated
// disk-full through RLIMIT_FSIZE in a forked child), every kind of corrupt file, a fuzz loop
// of random byte flips and truncations, and files written by other safetensors writers.
#include "test.h"

#include "loopt/ckpt.h"

#include <cJSON.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

// ---------------------------------------------------------------------------------------
// helpers: a scratch directory per test, whole-file read/write

static char scratch[64];

static const char *scratch_dir(void) {
    snprintf(scratch, sizeof scratch, "/tmp/loopt_test_ckpt_XXXXXX");
    if (!mkdtemp(scratch)) { perror("mkdtemp"); exit(1); }
    return scratch;
}

// A fresh scratch directory (returned) and the path of `name` in it (into path).
static const char *scratch_file(char *path, size_t cap, const char *name) {
    const char *dir = scratch_dir();
    snprintf(path, cap, "%s/%s", dir, name);
    return dir;
}

// Files in dir whose name contains `part` (e.g. ".tmp.").
static int count_files(const char *dir, const char *part) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, part)) n++;
    closedir(d);
    return n;
}

// Remove dir and the plain files / empty directories in it (no recursion needed here).
static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0) rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

static void write_bytes(const char *path, const void *buf, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) { perror(path); exit(1); }
}

static unsigned char *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(len + 1);
    if (fread(buf, 1, len, f) != (size_t)len) { perror(path); exit(1); }
    buf[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return buf;
}

// A safetensors file by hand: 8-byte little-endian length of `header` (+ `pad` spaces), the
// header, then data_len bytes 0, 1, 2, ...
static void make_file(const char *path, const char *header, size_t pad, size_t data_len) {
    size_t hl = strlen(header), n = 8 + hl + pad + data_len;
    unsigned char *buf = malloc(n);
    uint64_t N = hl + pad;
    for (int b = 0; b < 8; b++) buf[b] = (unsigned char)(N >> (8 * b));
    memcpy(buf + 8, header, hl);
    memset(buf + 8 + hl, ' ', pad);
    for (size_t i = 0; i < data_len; i++) buf[8 + hl + pad + i] = (unsigned char)i;
    write_bytes(path, buf, n);
    free(buf);
}

// The sample checkpoint: one tensor of every dtype (odd sizes, so the layout needs the
// alignment sort), a scalar, an empty tensor, awkward float values, and metadata.
static float f32[3][5];
static double f64[7];
static int32_t i32[2][2][3];
static uint32_t u32[5];
static int64_t i64[3];
static uint8_t u8[13];
static float scalar = 42.5f;

static int sample_tensors(CkptTensor *t) {
    for (int i = 0; i < 15; i++) f32[i / 5][i % 5] = (float)i * 0.37f - 2.0f;
    f32[0][0] = -0.0f; f32[0][1] = 1.0f / 0.0f; f32[0][2] = 1e-42f;   // -0, inf, subnormal
    uint32_t nan_bits = 0x7fc01234u;                                   // a NaN with a payload
    memcpy(&f32[0][3], &nan_bits, 4);
    for (int i = 0; i < 7; i++) f64[i] = 1.0 / (i + 3);
    for (int i = 0; i < 12; i++) ((int32_t *)i32)[i] = i * 1000003 - 6000000;
    ((int32_t *)i32)[0] = INT32_MIN;
    for (int i = 0; i < 5; i++) u32[i] = 0xdeadbeefu + i;
    i64[0] = INT64_MIN; i64[1] = INT64_MAX; i64[2] = -1;
    for (int i = 0; i < 13; i++) u8[i] = (uint8_t)(i * 37);
    int n = 0;
    t[n++] = (CkptTensor){"u8", DT_U8, 1, {13}, u8};                   // first: tests the sort
    t[n++] = (CkptTensor){"w.f32", DT_F32, 2, {3, 5}, f32};
    t[n++] = (CkptTensor){"f64", DT_F64, 1, {7}, f64};
    t[n++] = (CkptTensor){"i32", DT_I32, 3, {2, 2, 3}, i32};
    t[n++] = (CkptTensor){"u32", DT_U32, 1, {5}, u32};
    t[n++] = (CkptTensor){"rng.state", DT_I64, 1, {3}, i64};
    t[n++] = (CkptTensor){"scalar", DT_F32, 0, {0}, &scalar};
    t[n++] = (CkptTensor){"empty", DT_F32, 2, {0, 4}, NULL};
    return n;
}

static const char *META_K[] = {"config", "step", "note", "empty"};
static const char *META_V[] = {"{\"model\": {\"d_model\": 128}}", "1200", "quotes \" \\ tab\t nl\n ünïcødé", ""};

static int write_sample(const char *path, char *why, size_t whylen) {
    CkptTensor t[16];
    int n = sample_tensors(t);
    return ckpt_write(path, t, n, META_K, META_V, 4, why, whylen);
}

// The sample checkpoint written to path, read back as bytes (their count in *len).
static unsigned char *sample_bytes(const char *path, size_t *len) {
    char why[512] = "";
    EXPECTF(write_sample(path, why, sizeof why), "%s", why);
    return read_bytes(path, len);
}

// The header length N: a file's first 8 bytes, little-endian.
static uint64_t header_len(const unsigned char *b) {
    uint64_t N = 0;
    for (int i = 7; i >= 0; i--) N = (N << 8) | b[i];
    return N;
}

// ---------------------------------------------------------------------------------------

TEST(ckpt_dtype_table) {
    EXPECT(dtype_size(DT_F32) == 4 && dtype_size(DT_F64) == 8 && dtype_size(DT_I32) == 4);
    EXPECT(dtype_size(DT_U32) == 4 && dtype_size(DT_I64) == 8 && dtype_size(DT_U8) == 1);
    EXPECT(dtype_size((DType)99) == 0 && strcmp(dtype_name((DType)99), "?") == 0);
    EXPECT(strcmp(dtype_name(DT_I64), "I64") == 0 && strcmp(dtype_name(DT_U8), "U8") == 0);
}

TEST(ckpt_round_trip) {
    char path[256], why[512] = "";
    const char *dir = scratch_file(path, sizeof path, "model.safetensors");
    EXPECTF(write_sample(path, why, sizeof why), "write: %s", why);
    EXPECT(count_files(dir, ".tmp.") == 0);

    Ckpt c;
    EXPECTF(ckpt_read(path, &c, why, sizeof why), "read: %s", why);
    CkptTensor t[16];
    int n = sample_tensors(t);
    EXPECT(c.n == n);
    for (int i = 0; i < n; i++) {
        const CkptEntry *e = ckpt_find(&c, t[i].name);
        EXPECTF(e != NULL, "tensor %s missing", t[i].name);
        if (!e) continue;
        EXPECT(e->dtype == t[i].dtype && e->ndim == t[i].ndim);
        int64_t numel = 1;
        for (int d = 0; d < e->ndim; d++) { EXPECT(e->shape[d] == t[i].shape[d]); numel *= t[i].shape[d]; }
        EXPECT(e->numel == numel);
        EXPECT(e->nbytes == (size_t)numel * dtype_size(e->dtype));
        if (e->nbytes) EXPECTF(memcmp(e->data, t[i].data, e->nbytes) == 0, "tensor %s differs", t[i].name);
        EXPECTF((uintptr_t)e->data % dtype_size(e->dtype) == 0, "tensor %s misaligned", t[i].name);
    }
    for (int i = 0; i < 4; i++) {
        const char *v = ckpt_meta(&c, META_K[i]);
        EXPECTF(v && strcmp(v, META_V[i]) == 0, "metadata %s = %s", META_K[i], v ? v : "(null)");
    }
    EXPECT(c.n_meta == 4);
    EXPECT(ckpt_find(&c, "nope") == NULL && ckpt_meta(&c, "nope") == NULL);
    EXPECT(ckpt_has_prefix(&c, "w.") && ckpt_has_prefix(&c, "w.f32") && ckpt_has_prefix(&c, ""));
    EXPECT(!ckpt_has_prefix(&c, "w.f32x") && !ckpt_has_prefix(&c, "ema."));
    // entries come in data-offset order: the 8-byte types first, then 4, then 1
    for (int i = 1; i < c.n; i++) EXPECT(c.entries[i].offset >= c.entries[i - 1].offset);
    EXPECT(c.entries[0].dtype == DT_F64 && c.entries[c.n - 1].dtype == DT_U8);
    ckpt_free(&c);
    EXPECT(c.n == 0 && c.buf == NULL);
    ckpt_free(&c);   // twice is harmless

    // no tensors, no metadata: still a valid file
    EXPECTF(ckpt_write(path, NULL, 0, NULL, NULL, 0, why, sizeof why), "%s", why);
    EXPECTF(ckpt_read(path, &c, why, sizeof why), "%s", why);
    EXPECT(c.n == 0 && c.n_meta == 0 && c.size == 16);
    ckpt_free(&c);
    remove_dir(dir);
}

TEST(ckpt_header_layout) {
    char path[256], why[512] = "";
    const char *dir = scratch_file(path, sizeof path, "m.safetensors");
    size_t len;
    unsigned char *b = sample_bytes(path, &len);
    uint64_t N = header_len(b);
    EXPECT(N % 8 == 0 && 8 + N <= len);
    EXPECT(b[8] == '{' && (b[8 + N - 1] == ' ' || b[8 + N - 1] == '}'));
    cJSON *h = cJSON_ParseWithLength((const char *)b + 8, N);
    EXPECT(cJSON_IsObject(h));
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(h, "__metadata__");
    EXPECT(cJSON_IsObject(meta) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta, "step")));
    cJSON *w = cJSON_GetObjectItemCaseSensitive(h, "w.f32");
    cJSON *offs = cJSON_GetObjectItemCaseSensitive(w, "data_offsets");
    EXPECT(cJSON_IsArray(offs) && cJSON_GetArraySize(offs) == 2);
    double end = cJSON_GetArrayItem(offs, 1)->valuedouble, beg = cJSON_GetArrayItem(offs, 0)->valuedouble;
    EXPECT(end - beg == 60);
    EXPECT(memcmp(b + 8 + N + (size_t)beg + 4 * 5, &f32[1][0], 4) == 0);   // raw little-endian floats
    cJSON_Delete(h);
    free(b);

    // integers are printed as digits (strict JSON-to-usize readers need that), never 1e+15:
    // an empty tensor can have a huge dimension without any data
    CkptTensor z = {"z", DT_F32, 2, {1000000000000000LL, 0}, NULL};
    EXPECTF(ckpt_write(path, &z, 1, NULL, NULL, 0, why, sizeof why), "%s", why);
    b = read_bytes(path, &len);
    EXPECTF(strstr((const char *)b + 8, "[1000000000000000,0]") != NULL, "header: %s", (const char *)b + 8);
    free(b);
    Ckpt c;
    EXPECTF(ckpt_read(path, &c, why, sizeof why), "%s", why);
    EXPECT(c.n == 1 && c.entries[0].shape[0] == 1000000000000000LL && c.entries[0].numel == 0);
    ckpt_free(&c);
    remove_dir(dir);
}

TEST(ckpt_atomic_overwrite) {
    char path[256], why[512] = "";
    const char *dir = scratch_file(path, sizeof path, "ck.safetensors");
    uint32_t a[4] = {1, 2, 3, 4}, bb[4] = {5, 6, 7, 8};
    CkptTensor ta = {"x", DT_U32, 1, {4}, a}, tb = {"x", DT_U32, 1, {4}, bb};
    EXPECTF(ckpt_write(path, &ta, 1, NULL, NULL, 0, why, sizeof why), "%s", why);
    EXPECTF(ckpt_write(path, &tb, 1, NULL, NULL, 0, why, sizeof why), "%s", why);   // overwrite
    Ckpt c;
    EXPECT(ckpt_read(path, &c, why, sizeof why) && memcmp(ckpt_find(&c, "x")->data, bb, 16) == 0);
    ckpt_free(&c);
    EXPECT(count_files(dir, ".tmp.") == 0);

    // a directory that does not exist: a reason naming the path, nothing created
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir/ck.safetensors", dir);
    why[0] = '\0';
    EXPECT(ckpt_write(bad, &ta, 1, NULL, NULL, 0, why, sizeof why) == 0);
    EXPECTF(strstr(why, bad) && strstr(why, "No such file"), "why: %s", why);

    // the target is a directory, or a FIFO: refused before any temp file (outputs replace
    // regular files only), the FIFO left as it was
    char sub[300];
    snprintf(sub, sizeof sub, "%s/subdir", dir);
    mkdir(sub, 0755);
    EXPECT(ckpt_write(sub, &ta, 1, NULL, NULL, 0, why, sizeof why) == 0);
    EXPECTF(strstr(why, "is a folder"), "why: %s", why);
    EXPECT(count_files(dir, ".tmp.") == 0);
    rmdir(sub);
    struct stat fst;
    if (mkfifo(sub, 0644) == 0) {
        EXPECT(ckpt_write(sub, &ta, 1, NULL, NULL, 0, why, sizeof why) == 0);
        EXPECTF(strstr(why, "is a FIFO"), "why: %s", why);
        EXPECT(stat(sub, &fst) == 0 && S_ISFIFO(fst.st_mode));
        EXPECT(count_files(dir, ".tmp.") == 0);
        unlink(sub);
    }

    // disk full mid-write (simulated with a file size limit in a child): the old file survives
    fflush(stdout); fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);   // writes past the limit then fail with EFBIG, no signal death
        struct rlimit rl = {4096, 4096};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(10);
        size_t big_n = 1 << 18;
        float *big = calloc(big_n, sizeof *big);
        CkptTensor tbig = {"x", DT_F32, 1, {(int64_t)big_n}, big};
        char w[512] = "";
        if (ckpt_write(path, &tbig, 1, NULL, NULL, 0, w, sizeof w)) _exit(11);   // must fail
        if (!strstr(w, "write failed")) { fprintf(stderr, "reason: %s\n", w); _exit(12); }
        Ckpt k;
        if (!ckpt_read(path, &k, w, sizeof w)) _exit(13);
        const CkptEntry *e = ckpt_find(&k, "x");
        if (!e || e->dtype != DT_U32 || memcmp(e->data, bb, 16) != 0) _exit(14);
        ckpt_free(&k);
        free(big);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECTF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    EXPECT(count_files(dir, ".tmp.") == 0);
    remove_dir(dir);
}

TEST(ckpt_write_rejects_bad_arguments) {
    char path[256], why[512];
    const char *dir = scratch_file(path, sizeof path, "bad.safetensors");
    float x[2] = {1, 2};
    struct { CkptTensor t[2]; int n; const char *want; } cases[] = {
        {{{"a", DT_F32, 1, {2}, x}, {"a", DT_F32, 1, {2}, x}}, 2, "duplicate tensor name"},
        {{{"", DT_F32, 1, {2}, x}}, 1, "no name"},
        {{{NULL, DT_F32, 1, {2}, x}}, 1, "no name"},
        {{{"__metadata__", DT_F32, 1, {2}, x}}, 1, "reserved"},
        {{{"a", DT_F32, 1, {-2}, x}}, 1, "dimension -2"},
        {{{"a", DT_F32, 2, {INT64_MAX, 0}, NULL}}, 1, "0..2^53"},
        {{{"a", DT_F32, 9, {2}, x}}, 1, "dimensions"},
        {{{"a", (DType)17, 1, {2}, x}}, 1, "invalid dtype"},
        {{{"a", DT_F32, 1, {2}, NULL}}, 1, "no data"},
        {{{"bad\xff", DT_F32, 1, {2}, x}}, 1, "UTF-8"},
        {{{"a", DT_F32, 2, {1LL << 40, 1LL << 40}, x}}, 1, "too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        EXPECTF(ckpt_write(path, cases[i].t, cases[i].n, NULL, NULL, 0, why, sizeof why) == 0, "case %zu wrote", i);
        EXPECTF(strstr(why, cases[i].want) != NULL, "case %zu: want \"%s\", got \"%s\"", i, cases[i].want, why);
    }
    const char *k2[] = {"a", "a"}, *v2[] = {"1", "2"};
    EXPECT(ckpt_write(path, NULL, 0, k2, v2, 2, why, sizeof why) == 0 && strstr(why, "duplicate metadata"));
    const char *k1[] = {"a"}, *v1[] = {NULL};
    EXPECT(ckpt_write(path, NULL, 0, k1, v1, 1, why, sizeof why) == 0 && strstr(why, "NULL"));
    EXPECT(ckpt_write("", NULL, 0, NULL, NULL, 0, why, sizeof why) == 0);
    EXPECT(count_files(dir, "bad") == 0);   // nothing written, no temp left
    remove_dir(dir);
}

// Expect ckpt_read(path) to fail with a reason that names the file and contains `want`.
static void expect_rejected(const char *path, const char *want, const char *label) {
    Ckpt c;
    char why[1024] = "";
    int ok = ckpt_read(path, &c, why, sizeof why);
    EXPECTF(!ok, "%s: accepted", label);
    if (ok) { ckpt_free(&c); return; }
    EXPECTF(strstr(why, want) != NULL, "%s: want \"%s\", got \"%s\"", label, want, why);
    EXPECTF(strncmp(why, path, strlen(path)) == 0, "%s: reason does not start with the path: %s", label, why);
    EXPECTF(c.n == 0 && c.buf == NULL && c.entries == NULL, "%s: Ckpt not left empty", label);
}

TEST(ckpt_rejects_corrupt_files) {
    char good[256], p[256];
    const char *dir = scratch_file(good, sizeof good, "good.safetensors");
    snprintf(p, sizeof p, "%s/bad.safetensors", dir);
    size_t len;
    unsigned char *g = sample_bytes(good, &len);
    unsigned char *b = malloc(len + 64);
    uint64_t N = header_len(g);

    // edits of the good file's bytes
    write_bytes(p, g, 0);
    expect_rejected(p, "empty file", "empty file");
    write_bytes(p, g, 7);
    expect_rejected(p, "too short", "7-byte file");
    write_bytes(p, g, 8 + N / 2);
    expect_rejected(p, "past the end of the file", "cut inside the header");
    write_bytes(p, g, len - 4);
    expect_rejected(p, "past the data section", "truncated data");
    memcpy(b, g, len); memcpy(b + len, "junkjunk", 8);
    write_bytes(p, b, len + 8);
    expect_rejected(p, "trailing data", "trailing junk");
    memcpy(b, g, len); b[0] += 8;
    write_bytes(p, b, len);
    expect_rejected(p, "", "header length off by 8");
    memcpy(b, g, len); b[5] = 1;   // 2^40
    write_bytes(p, b, len);
    expect_rejected(p, "absurd", "absurd header length");
    memcpy(b, g, len); b[6] = 0x7f; b[7] = 0xff;
    write_bytes(p, b, len);
    expect_rejected(p, "absurd", "huge header length");
    memcpy(b, g, len); b[8] = '[';
    write_bytes(p, b, len);
    expect_rejected(p, "not valid JSON", "bad JSON");
    memcpy(b, g, len); b[8 + N - 1] = 'x';
    write_bytes(p, b, len);
    expect_rejected(p, "JSON", "junk at the end of the header");
    memcpy(b, g, len); b[8 + N - 1] = 0;
    write_bytes(p, b, len);
    expect_rejected(p, "NUL", "NUL in the header");
    memcpy(b, g, len); b[10] = 0xc3; b[11] = 0x28;
    write_bytes(p, b, len);
    expect_rejected(p, "UTF-8", "invalid UTF-8");

    // hand-made headers (data bytes 0, 1, 2, ...)
    struct { const char *hdr; size_t data; const char *want; } cases[] = {
        {"[1,2]", 0, "not a JSON object"},
        {"\"x\"", 0, "not a JSON object"},
        {"{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "lacks \"dtype\""},
        {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "lacks \"shape\""},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "lacks \"data_offsets\""},
        {"{\"a\":[1]}", 8, "not a JSON object"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8, "unexpected key 'x'"},
        {"{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "twice"},
        {"{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, "unsupported dtype 'BF16'"},
        {"{\"a\":{\"dtype\":3,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype is not a string"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape entry 0"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}", 10, "shape entry 0"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, "shape entry 0"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "shape is not an array"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", 8, "dimensions"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "does not match"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[9007199254740992,9007199254740992],\"data_offsets\":[0,8]}}", 8, "does not match"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,8]}}", 8, "shape entry 0"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,1e300]}}", 8, "data_offsets is not"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "data_offsets is not"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "data_offsets is not"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "end before they begin"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8, "past the data section"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlaps"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20, "gap"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "gap"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "duplicate tensor name 'a'"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 9, "trailing"},
        {"{\"__metadata__\":{\"step\":3}}", 0, "metadata 'step' is not a string"},
        {"{\"__metadata__\":[\"x\"]}", 0, "is not a JSON object"},
        {"{\"__metadata__\":{},\"__metadata__\":{}}", 0, "appears twice"},
        {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "duplicate metadata key"},
        {"{\"\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "empty name"},
        {"", 0, "not valid JSON"},
        {"{\"a\":", 0, "not valid JSON"},
        {"{} {}", 0, "junk after the JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "header case %zu", i);
        make_file(p, cases[i].hdr, 0, cases[i].data);
        expect_rejected(p, cases[i].want, label);
    }

    // deep nesting must not exhaust the stack (cJSON has a nesting limit)
    size_t deep = 200000;
    char *nest = malloc(deep + 1);
    memset(nest, '[', deep);
    nest[deep] = '\0';
    make_file(p, nest, 0, 0);
    expect_rejected(p, "not valid JSON", "deeply nested header");
    free(nest);

    // not files at all
    expect_rejected(dir, "is a directory", "directory");
    snprintf(p, sizeof p, "%s/missing.safetensors", dir);
    expect_rejected(p, "No such file", "missing file");
    if (access("/dev/null", R_OK) == 0) expect_rejected("/dev/null", "not a regular file", "/dev/null");
    free(b);
    free(g);
    remove_dir(dir);
}

// 2000 random corruptions of a good file: byte flips (mostly in the header, where parsing
// happens), digits written into the header, truncations. ckpt_read must answer 0 or 1 without
// crashing (run under ASan to catch out-of-bounds reads), and whatever it accepts must be
// internally consistent.
TEST(ckpt_fuzz_corruptions) {
    char good[256], p[256], why[512];
    const char *dir = scratch_file(good, sizeof good, "good.safetensors");
    snprintf(p, sizeof p, "%s/fuzz.safetensors", dir);
    size_t len;
    unsigned char *g = sample_bytes(good, &len);
    unsigned char *b = malloc(len);
    uint64_t N = header_len(g);
    uint64_t s = 0x9E3779B97F4A7C15ull;   // xorshift64*: the test is reproducible
#define RND() (s ^= s >> 12, s ^= s << 25, s ^= s >> 27, (s * 0x2545F4914F6CDD1Dull) >> 11)
    int accepted = 0;
    for (int it = 0; it < 2000; it++) {
        memcpy(b, g, len);
        size_t n = len;
        int kind = (int)(RND() % 4);
        int flips = 1 + (int)(RND() % 4);
        for (int f = 0; f < flips && kind != 3; f++) {
            size_t at = kind == 2 ? RND() % len : RND() % (8 + N);   // kind 0/1: length or header
            if (kind == 1) b[at] = (unsigned char)('0' + RND() % 10);
            else b[at] ^= (unsigned char)(1u << (RND() % 8));
        }
        if (kind == 3 || RND() % 8 == 0) n = RND() % (len + 1);
        write_bytes(p, b, n);
        Ckpt c;
        int ok = ckpt_read(p, &c, why, sizeof why);
        EXPECTF(ok == 0 || ok == 1, "iteration %d: returned %d", it, ok);
        if (ok == 1) {
            accepted++;
            size_t total = 0;
            for (int i = 0; i < c.n; i++) {
                const CkptEntry *e = &c.entries[i];
                const unsigned char *d = e->data;
                EXPECT(d >= c.buf + 8 + c.header_len && d + e->nbytes <= c.buf + c.size);
                total += e->nbytes;
            }
            EXPECT(total == c.size - 8 - c.header_len);
            ckpt_free(&c);
        } else {
            EXPECTF(why[0] != '\0', "iteration %d: no reason", it);
        }
    }
#undef RND
    EXPECT(accepted < 2000);   // most corruptions must be caught
    free(b);
    free(g);
    remove_dir(dir);
}

// Files from other writers: the minimal unpadded header of the safetensors convention, and a
// Python-style file (keys sorted by name, not by offset; "format": "pt" metadata; whitespace).
TEST(ckpt_reads_foreign_files) {
    char p[256], why[512] = "";
    const char *dir = scratch_file(p, sizeof p, "py.safetensors");
    const char *hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    size_t hl = strlen(hdr);
    unsigned char buf[256] = {0};
    buf[0] = (unsigned char)hl;
    memcpy(buf + 8, hdr, hl);
    float v[2] = {1.5f, -3.25f};
    memcpy(buf + 8 + hl, v, 8);
    write_bytes(p, buf, 8 + hl + 8);
    Ckpt c;
    EXPECTF(ckpt_read(p, &c, why, sizeof why), "%s", why);
    const CkptEntry *e = ckpt_find(&c, "a");
    EXPECT(e && e->dtype == DT_F32 && e->ndim == 1 && e->shape[0] == 2 && e->nbytes == 8);
    EXPECT(e && memcmp(e->data, v, 8) == 0);
    EXPECT(e && (uintptr_t)e->data % 8 == 0);   // realigned although the header is unpadded
    ckpt_free(&c);

    make_file(p,
        "{\"__metadata__\": {\"format\": \"pt\"},\n"
        " \"b\": {\"dtype\": \"U8\", \"shape\": [3], \"data_offsets\": [8, 11]},\n"
        " \"a\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 8]},\n"
        " \"c\": {\"dtype\": \"F32\", \"shape\": [0, 7], \"data_offsets\": [11, 11]}}", 5, 11);
    EXPECTF(ckpt_read(p, &c, why, sizeof why), "%s", why);
    EXPECT(c.n == 3 && strcmp(c.entries[0].name, "a") == 0);   // sorted by offset
    EXPECT(ckpt_meta(&c, "format") && strcmp(ckpt_meta(&c, "format"), "pt") == 0);
    e = ckpt_find(&c, "b");
    EXPECT(e && e->nbytes == 3 && ((const uint8_t *)e->data)[0] == 8 && ((const uint8_t *)e->data)[2] == 10);
    e = ckpt_find(&c, "a");
    EXPECT(e && e->ndim == 0 && e->numel == 1);
    e = ckpt_find(&c, "c");
    EXPECT(e && e->numel == 0 && e->nbytes == 0);
    ckpt_free(&c);
    remove_dir(dir);
}

TEST(ckpt_copy_checks_dtype_and_shape) {
    char path[256], why[512] = "";
    const char *dir = scratch_file(path, sizeof path, "m.safetensors");
    EXPECTF(write_sample(path, why, sizeof why), "%s", why);
    Ckpt c;
    EXPECTF(ckpt_read(path, &c, why, sizeof why), "%s", why);
    float out[3][5];
    EXPECT(ckpt_copy(&c, "w.f32", DT_F32, 2, (int64_t[]){3, 5}, out, why, sizeof why));
    EXPECT(memcmp(out, f32, sizeof out) == 0);
    EXPECT(!ckpt_copy(&c, "w.f32", DT_F32, 2, (int64_t[]){5, 3}, out, why, sizeof why));
    EXPECTF(strstr(why, "has shape [3,5], expected [5,3]") && strstr(why, path), "why: %s", why);
    EXPECT(!ckpt_copy(&c, "w.f32", DT_F64, 2, (int64_t[]){3, 5}, out, why, sizeof why));
    EXPECTF(strstr(why, "is F32, expected F64"), "why: %s", why);
    EXPECT(!ckpt_copy(&c, "w.f32", DT_F32, 1, (int64_t[]){15}, out, why, sizeof why));
    EXPECT(!ckpt_copy(&c, "missing", DT_F32, 1, (int64_t[]){15}, out, why, sizeof why));
    EXPECTF(strstr(why, "no tensor 'missing'"), "why: %s", why);
    float sc = 0;
    EXPECT(ckpt_copy(&c, "scalar", DT_F32, 0, NULL, &sc, why, sizeof why) && sc == 42.5f);
    ckpt_free(&c);
    remove_dir(dir);
}

TEST(ckpt_shape_str_formats) {
    char buf[64];
    int64_t s[3] = {2, 48, 16};
    ckpt_shape_str(buf, sizeof buf, 3, s);
    EXPECT(strcmp(buf, "[2,48,16]") == 0);
    ckpt_shape_str(buf, sizeof buf, 0, s);
    EXPECT(strcmp(buf, "[]") == 0);
    char small[6];
    ckpt_shape_str(small, sizeof small, 3, s);   // truncated, still terminated
    EXPECT(strlen(small) < sizeof small);
}
