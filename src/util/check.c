// check.c — die/warn, failf/report_bad and the checked wrappers around malloc and stdio.
#include "loopt/check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef LOOPT_FUZZ
jmp_buf *die_jmp = NULL;
#endif

void die(int code, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("loopt: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
#ifdef LOOPT_FUZZ
    if (die_jmp) longjmp(*die_jmp, code ? code : 1);
#endif
    exit(code);
}

void warnf(const char *fmt, ...) {
    va_list ap;
    fputs("loopt: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int failf(char *why, size_t whylen, const char *fmt, ...) {
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return 0;
}

void report_bad(const char *path, int line, int skip_bad, int *counter, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!skip_bad) die(EXIT_USAGE, "%s:%d: %s", path, line, msg);
    warnf("%s:%d: %s (skipped)", path, line, msg);
    (*counter)++;
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    CHECK(p, "out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    CHECK(p, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    CHECK(q, "out of memory reallocating %zu bytes", n);
    return q;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

FILE *xfopen(const char *path, const char *mode) {
    if (strcmp(path, "-") == 0) return mode[0] == 'r' ? stdin : stdout;
    struct stat st;
    if (mode[0] == 'r' && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        die(EXIT_USAGE, "%s: is a directory, expected a file", path);
    FILE *f = fopen(path, mode);
    if (!f) die(EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

void xfclose(FILE *f, const char *path) {
    if (f == stdin || f == stdout) { if (f == stdout) fflush(f); return; }
    int err = ferror(f);
    if (fclose(f) != 0 || err) die(EXIT_RUNTIME, "%s: write failed: %s", path, strerror(errno));
}

void xfread(void *buf, size_t size, size_t n, FILE *f, const char *path) {
    if (fread(buf, size, n, f) != n)
        die(EXIT_USAGE, "%s: unexpected end of file or read error", path);
}

void xfwrite(const void *buf, size_t size, size_t n, FILE *f, const char *path) {
    if (fwrite(buf, size, n, f) != n)
        die(EXIT_RUNTIME, "%s: write failed: %s", path, strerror(errno));
}

char *read_file(const char *path, size_t max_bytes, size_t *len) {
    FILE *f = xfopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max_bytes) die(EXIT_USAGE, "%s: file larger than %zu bytes", path, max_bytes);
            cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) die(EXIT_USAGE, "%s: read error: %s", path, strerror(errno));
    if (f != stdin) fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

// The readers take a path and stdin can be read only once, so stdin is first spooled into an
// anonymous temp file that then replaces file descriptor 0: the readers read "-" again.
char *read_head(const char *path, const char *name, size_t *len) {
    char *head = xmalloc(HEAD_BYTES + 1);
    size_t n = 0;
    if (strcmp(path, "-") != 0) {
        FILE *f = xfopen(path, "rb");
        n = fread(head, 1, HEAD_BYTES, f);
        if (ferror(f)) die(EXIT_USAGE, "%s: read error", name);
        fclose(f);
    } else {
        FILE *tmp = tmpfile();
        CHECK(tmp, "cannot create a temporary file to hold stdin");
        char buf[1 << 16];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
            if (n < HEAD_BYTES) {
                size_t k = got < HEAD_BYTES - n ? got : HEAD_BYTES - n;
                memcpy(head + n, buf, k);
                n += k;
            }
            xfwrite(buf, 1, got, tmp, "temporary file");
        }
        if (ferror(stdin)) die(EXIT_USAGE, "%s: read error", name);
        CHECK(fflush(tmp) == 0 && dup2(fileno(tmp), 0) == 0, "cannot redirect stdin to its copy");
        fclose(tmp);                        // fd 0 keeps the (unlinked) file alive
        clearerr(stdin);
        CHECK(fseek(stdin, 0, SEEK_SET) == 0, "cannot rewind the copy of stdin");
    }
    head[n] = '\0';
    *len = n;
    return head;
}
