// log.h — logs and progress on stderr (data goes to stdout, never here).
#ifndef LOOPT_LOG_H
#define LOOPT_LOG_H

#include <stddef.h>

extern int log_quiet;   // set by --quiet: info lines and progress are dropped, errors still print

__attribute__((format(printf, 1, 2)))
void log_info(const char *fmt, ...);       // one line on stderr, newline added

// A progress line redrawn in place (\r) when stderr is a terminal, else printed every
// call as its own line. `done`/`total` in steps; `extra` is free text (loss, accuracy...).
void log_progress(long done, long total, double elapsed_s, const char *extra);
void log_progress_end(void);               // finish the line (newline) if one is open

// Seconds as "mm:ss", or "h:mm:ss" from an hour on; "--:--" when unknown (negative or huge).
void log_hms(char *buf, size_t n, double s);

#endif
