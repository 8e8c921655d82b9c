// stop.h — a clean stop on a signal (src/util/stop.c): SIGINT, SIGTERM and SIGHUP (a closed
// terminal or ssh session) only raise stop_requested; long loops test it and end on a whole
// step or record (train saves a checkpoint, gen ends on a whole line).
#ifndef LOOPT_STOP_H
#define LOOPT_STOP_H

#include <signal.h>

extern volatile sig_atomic_t stop_requested;

// Install the handler, with sigaction, no SA_RESETHAND (a second signal is caught too) and
// SA_RESTART (a write under way completes). Call it before any work.
void stop_on_signals(void);

#endif
