// check.c — die/warn, failf/report_bad, the checked wrappers around malloc and stdio, the
// guard on the standard streams, and the head of an input for task detection.
#include "loopt/check.h"

#include <errno.h>
#include <fcntl.h>
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

void report_bad(const char *path, int line, int skip_bad, SkipList *skipped, int before, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!skip_bad) die(EXIT_USAGE, "%s:%d: %s", path, line, msg);
    if (skip_bad == 1) warnf("%s:%d: %s (skipped)", path, line, msg);
    if (skipped->n == skipped->cap) {
        skipped->cap = skipped->cap ? skipped->cap * 2 : 16;
        skipped->s = xrealloc(skipped->s, sizeof(Skip) * (size_t)skipped->cap);
    }
    skipped->s[skipped->n++] = (Skip){line, before, xstrdup(msg)};
}

void skip_list_free(SkipList *l) {
    for (int i = 0; i < l->n; i++) free(l->s[i].why);
    free(l->s);
    memset(l, 0, sizeof *l);
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

// ---- inputs read once --------------------------------------------------------------------
// The copies read_head made of inputs that cannot be read twice, by path; they live until exit.
#define MAX_SPOOLS 8
static struct { char *path; int fd; } spools[MAX_SPOOLS];
static int n_spools;

static int spool_find(const char *path) {
    for (int i = 0; i < n_spools; i++) if (strcmp(spools[i].path, path) == 0) return spools[i].fd;
    return -1;
}

// A fresh stream on the copy of `path`, from its start (sequential readers share the copy's
// offset through dup, so each rewinds it).
static FILE *spool_open(int fd, const char *path) {
    int d = dup(fd);
    CHECK(d >= 0 && lseek(d, 0, SEEK_SET) == 0, "%s: cannot reopen the copy of the input: %s", path, strerror(errno));
    FILE *f = fdopen(d, "rb");
    CHECK(f, "%s: cannot reopen the copy of the input: %s", path, strerror(errno));
    return f;
}

// Whether `path` can be opened and read again from its start: a regular file (or a path that
// does not resolve, left to xfopen's message). "-" never: stdin is always copied.
static int rereadable(const char *path) {
    struct stat st;
    if (strcmp(path, "-") == 0) return 0;
    return stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

// Copy all of `path` into an unlinked temp file and register it.
static void spool(const char *path, const char *name) {
    CHECK(n_spools < MAX_SPOOLS, "%s: too many piped inputs (at most %d)", name, MAX_SPOOLS);
    int is_stdin = strcmp(path, "-") == 0;
    if (is_stdin && stdin_closed()) die(EXIT_USAGE, "%s: stdin is closed: nothing to read (give a FILE, or "
                                        "input on stdin: < FILE, or a pipe)", name);
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    if (!in) die(EXIT_USAGE, "%s: cannot open: %s", name, strerror(errno));
    FILE *tmp = tmpfile();
    CHECK(tmp, "cannot create a temporary file to hold %s: %s", name, strerror(errno));
    char buf[1 << 16];
    size_t got;
    long long total = 0;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        total += (long long)got;
        if (total > SPOOL_MAX_BYTES)
            die(EXIT_USAGE, "%s: more than %lld bytes through a pipe or device; save it to a file first", name,
                SPOOL_MAX_BYTES);
        xfwrite(buf, 1, got, tmp, "temporary file");
    }
    if (ferror(in)) die(EXIT_USAGE, "%s: read error: %s", name, strerror(errno));
    if (in != stdin) fclose(in);
    CHECK(fflush(tmp) == 0, "cannot write the copy of %s: %s", name, strerror(errno));
    int fd = dup(fileno(tmp));
    CHECK(fd >= 0, "cannot keep the copy of %s: %s", name, strerror(errno));
    fclose(tmp);
    spools[n_spools].path = xstrdup(path);
    spools[n_spools].fd = fd;
    n_spools++;
}

FILE *xfopen(const char *path, const char *mode) {
    if (mode[0] == 'r') {
        int fd = spool_find(path);
        if (fd >= 0) return spool_open(fd, path);
    }
    if (strcmp(path, "-") == 0) {
        if (mode[0] == 'r' && stdin_closed())
            die(EXIT_USAGE, "<stdin>: stdin is closed: nothing to read (give a FILE, or input on stdin)");
        return mode[0] == 'r' ? stdin : stdout;
    }
    struct stat st;
    if (mode[0] == 'r' && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        die(EXIT_USAGE, "%s: is a directory, expected a file", path);
    FILE *f = fopen(path, mode);
    if (!f) die(EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

void xfclose(FILE *f, const char *path) {
    if (f == stdin || f == stdout) { if (f == stdout) stdout_check(); return; }
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

// A line of the head is bad (given as an empty line) when it holds a NUL byte or is longer
// than HEAD_BYTES; the first HEAD_LONG_KEPT long ones are kept, cut to HEAD_BYTES + 1 bytes.
#define HEAD_LONG_KEPT 4

// Append n bytes to the growing buffer *buf (*len used, *cap allocated, room for a NUL kept).
static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap) *cap *= 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
}

// The detection text of stream f (read_head); *raw gets the bytes read.
static char *head_lines(FILE *f, const char *name, size_t *raw) {
    static const char PNG_SIG[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    size_t cap = HEAD_BYTES + 2, n = 0, good = 0, ln = 0;
    char *out = xmalloc(cap), *line = xmalloc(HEAD_BYTES + 2), sig[sizeof PNG_SIG];
    size_t n_sig = fread(sig, 1, sizeof sig, f), total = n_sig;
    if (n_sig == sizeof sig && memcmp(sig, PNG_SIG, sizeof sig) == 0) {   // a PNG: its bytes as they are
        memcpy(out, sig, n_sig);
        n = n_sig + fread(out + n_sig, 1, HEAD_BYTES - n_sig, f);
        total = n;
    } else {
        int bad = 0, kept_long = 0, nul = 0;
        for (size_t i = 0; ; i++) {
            int c = i < n_sig ? (unsigned char)sig[i] : getc(f);
            if (c == EOF && ln == 0 && !nul) break;   // no line left (or none begun after the last '\n')
            if (c != EOF && i >= n_sig) total++;
            if (c != EOF && c != '\n') {
                nul |= c == 0;
                if (ln <= HEAD_BYTES) line[ln++] = (char)c;
                continue;
            }
            if (nul) bad++;   // the end of a line: keep it when it is well formed
            else if (ln > HEAD_BYTES) {
                bad++;
                if (kept_long++ < HEAD_LONG_KEPT) append(&out, &n, &cap, line, ln);
            } else {
                append(&out, &n, &cap, line, ln);
                good += ln + 1;
            }
            append(&out, &n, &cap, "\n", 1);
            ln = 0;
            nul = 0;
            if (c == EOF || good >= HEAD_BYTES || (long long)total >= HEAD_SCAN_BYTES || bad >= HEAD_BAD_LINES) break;
        }
    }
    if (ferror(f)) die(EXIT_USAGE, "%s: read error: %s", name, strerror(errno));
    free(line);
    out[n] = '\0';
    *raw = total;
    return out;
}

char *read_head(const char *path, const char *name, size_t *len) {
    if (spool_find(path) < 0 && !rereadable(path)) spool(path, name);
    FILE *f = xfopen(path, "rb");
    char *head = head_lines(f, name, len);
    if (f != stdin) fclose(f);
    return head;
}

// ---- the standard streams -----------------------------------------------------------------
static int std_closed[3];

void stdio_guard(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        std_closed[fd] = 1;
        // The lowest free descriptor, so fd itself: 0..fd-1 are open by now.
        int nfd = open("/dev/null", fd == 1 ? O_RDONLY : O_WRONLY);
        if (nfd >= 0 && nfd != fd) { dup2(nfd, fd); close(nfd); }
    }
}

int stdin_closed(void) { return std_closed[0]; }

void stdout_check(void) {
    int bad = ferror(stdout), err = 0;
    errno = 0;
    if (fflush(stdout) != 0) { bad = 1; err = errno; }
    if (!bad) return;
    clearerr(stdout);
    die(EXIT_RUNTIME, "<stdout>: write failed: %s", std_closed[1] ? "stdout is closed"
                                                      : err ? strerror(err) : "write error");
}

// ---- output files ---------------------------------------------------------------------------
int output_path_ok(const char *path, char *why, size_t whylen) {
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) return 1;
    if (S_ISDIR(st.st_mode)) return failf(why, whylen, "is a folder, expected a file name");
    const char *kind = S_ISCHR(st.st_mode) ? "character device" : S_ISBLK(st.st_mode) ? "block device"
                     : S_ISFIFO(st.st_mode) ? "FIFO (named pipe)" : S_ISSOCK(st.st_mode) ? "socket"
                     : "special file";
    return failf(why, whylen, "is a %s, not a regular file: loopt writes its outputs to regular files only, "
                 "and never replaces anything else (\"-\" writes to stdout)", kind);
}

void path_folder(const char *path, char *dir, size_t len) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, len, ".");
    else if (slash == path) snprintf(dir, len, "/");
    else snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int folder_takes_files(const char *dir) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.loopt-probe-XXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) return 0;
    close(fd);
    unlink(probe);
    return 1;
}

void check_writable(const char *opt, const char *path) {
    if (strcmp(path, "-") == 0) return;
    if (!*path) die(EXIT_USAGE, "%s: empty path", opt);
    struct stat st;
    char why[300];
    if (!output_path_ok(path, why, sizeof why)) die(EXIT_USAGE, "%s %s: %s", opt, path, why);
    if (stat(path, &st) == 0) {
        if (access(path, W_OK) != 0) die(EXIT_USAGE, "%s %s: cannot write: %s", opt, path, strerror(errno));
    }
    char dir[4096];
    path_folder(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) die(EXIT_USAGE, "%s %s: folder %s: %s", opt, path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) die(EXIT_USAGE, "%s %s: %s is not a folder", opt, path, dir);
    if (!folder_takes_files(dir)) die(EXIT_USAGE, "%s %s: cannot create files in %s: %s", opt, path, dir, strerror(errno));
}
