// check.h — always-on error checks and checked wrappers for the C library.
// Every failure prints `loopt: <what failed>: <why>` on stderr and exits non-zero.
// Exit codes: 0 ok, 1 runtime failure (EXIT_RUNTIME), 2 usage or invalid input (EXIT_USAGE).
#ifndef LOOPT_CHECK_H
#define LOOPT_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

// Print `loopt: <formatted message>` and exit with `code`. Never returns.
__attribute__((noreturn, format(printf, 2, 3)))
void die(int code, const char *fmt, ...);

#ifdef LOOPT_FUZZ
// Fuzz builds only (make fuzz): when die_jmp is set, die() prints its message and longjmps
// there with the exit code (never 0) instead of exiting, so a libFuzzer target survives an
// input the readers reject. Memory allocated before the jump leaks (run with -detect_leaks=0).
#include <setjmp.h>
extern jmp_buf *die_jmp;
#endif

// Print `loopt: <formatted message>` on stderr (a warning or a recoverable error); returns.
__attribute__((format(printf, 1, 2)))
void warnf(const char *fmt, ...);

// Write the formatted reason into why (when why is not NULL and whylen > 0) and return 0, so a
// failing check reads `return failf(why, whylen, "...")`.
__attribute__((format(printf, 3, 4)))
int failf(char *why, size_t whylen, const char *fmt, ...);

// The entries a reader skipped, in input order: each with its line, the reason (owned), and
// how many good entries the reader had taken before it, so that a caller can put every skipped
// entry back in its place (task.h: a PuzzleSet keeps one placeholder per skipped entry).
typedef struct { int line, before; char *why; } Skip;
typedef struct { int n, cap; Skip *s; } SkipList;
void skip_list_free(SkipList *l);

// One bad entry of an input file, reported as `path:line: <formatted reason>`: exits 2 unless
// skip_bad; otherwise warns `path:line: <reason> (skipped)` on stderr (skip_bad 2: silently,
// the caller sums them up) and appends (line, before, reason) to *skipped (`before`: the good
// entries taken so far).
__attribute__((format(printf, 6, 7)))
void report_bad(const char *path, int line, int skip_bad, SkipList *skipped, int before, const char *fmt, ...);

// CHECK: an internal invariant or runtime failure (exit 1). Always on, unlike assert.
#define CHECK(cond, ...) do { if (!(cond)) die(EXIT_RUNTIME, __VA_ARGS__); } while (0)
// CHECK_SHAPE: always on at the entry of every op (src/nn): a size that breaks an op's contract
// is a bug in its caller, reported with the op's name rather than read past a buffer.
#define CHECK_SHAPE(cond) CHECK(cond, "%s: shape check failed: %s", __func__, #cond)
// CHECK_INPUT: something the user gave us is wrong (exit 2).
#define CHECK_INPUT(cond, ...) do { if (!(cond)) die(EXIT_USAGE, __VA_ARGS__); } while (0)

// Checked wrappers: on failure they die with the path / size and strerror.
void *xmalloc(size_t n);                 // never returns NULL; n == 0 allowed
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
// fopen that dies with exit 2 (a file the user named) naming the path; "-" gives stdin/stdout.
FILE *xfopen(const char *path, const char *mode);
void xfclose(FILE *f, const char *path);   // checks for write errors on close
void xfread(void *buf, size_t size, size_t n, FILE *f, const char *path);
void xfwrite(const void *buf, size_t size, size_t n, FILE *f, const char *path);

// How messages name a file argument: "<stdin>" for "-", else the path itself.
static inline const char *path_label(const char *path) { return strcmp(path, "-") ? path : "<stdin>"; }

// Read a whole file ("-" = stdin) into a NUL-terminated buffer. Dies (exit 2) on a
// directory, a missing file, or more than max_bytes. *len gets the byte count (may be NULL).
char *read_file(const char *path, size_t max_bytes, size_t *len);
// The head of `path` ("-" = stdin; `name` for messages), for sniffing the task: its first
// well-formed lines, NUL-terminated, at least HEAD_BYTES of them when the file has that many.
// A line holding a NUL byte is given as an empty line, and so is one longer than HEAD_BYTES
// (the first few of those are kept cut to HEAD_BYTES + 1 bytes, so a reader's "line too long"
// rule still sees them as too long and a CSV row's first fields can still be looked at): the
// per-line readers skip such lines too, so one bad line never hides the puzzles after it. The
// scan stops after HEAD_SCAN_BYTES bytes or HEAD_BAD_LINES bad lines. A PNG (by its signature)
// is given as its first HEAD_BYTES bytes, unchanged. *len gets the bytes read from the input
// (0: an empty input). Every input is read from the system once: an input that cannot be read
// twice (stdin, a pipe, a FIFO, /dev/fd/N, a character device) is copied here, whole, into an
// unlinked temp file (at most SPOOL_MAX_BYTES), and every later xfopen / read_file of the same
// path reads that copy from its start. A regular file is read where it lies.
#define HEAD_BYTES (64 * 1024)
#define HEAD_SCAN_BYTES ((long long)64 << 20)
#define HEAD_BAD_LINES 1000
#define SPOOL_MAX_BYTES ((long long)1 << 30)
char *read_head(const char *path, const char *name, size_t *len);

// ---- the standard streams -----------------------------------------------------------------
// First thing in main: a standard descriptor (0, 1, 2) the caller left closed (`<&-`, `>&-`)
// is opened on /dev/null the wrong way round (reads from stdin and writes to stdout then fail
// with EBADF instead of succeeding), so that no file loopt opens later takes its number (a
// temp file read as stdin, a log written as stdout), and reading "-" then says that stdin is
// closed rather than that it is empty.
void stdio_guard(void);
// 1 if stdin was closed when loopt started (stdio_guard).
int stdin_closed(void);
// Flush stdout and exit 1 (`loopt: <stdout>: write failed: <why>`) if that or any earlier
// write to it failed (a full disk, /dev/full, a closed stdout). main calls it after every
// command, so data that never reached its file is never an exit 0.
void stdout_check(void);

// ---- output files ---------------------------------------------------------------------------
// loopt writes its outputs to regular files only (or "-", stdout): an output path that exists
// and is a folder, a device, a FIFO or a socket is never replaced (rename would put a file in
// a device node's place) nor written into. Returns 1 when path does not exist or is a regular
// file; else 0 with `is a <kind>, not a regular file ...` in why.
int output_path_ok(const char *path, char *why, size_t whylen);
// The folder part of path into dir (len bytes): "." for a bare file name, "/" for one at the root.
void path_folder(const char *path, char *dir, size_t len);
// 1 if a new file can be created in folder dir, tried with a probe file removed at once (the one
// test that holds everywhere: root passes access() on read-only mounts and on /proc); else 0,
// errno telling why.
int folder_takes_files(const char *dir);
// Exit 2 with `opt path: <why>` unless a file can be written at `path` ("-" = stdout: always):
// its folder exists and takes a new file (tried with a probe file, removed at once), and the
// path is not a folder, a device, a FIFO (output_path_ok) nor an existing file we may not write.
// For outputs named on the command line, checked before the work that would fill them.
void check_writable(const char *opt, const char *path);

#endif
