// progress.h — the progress line of `solve` and `eval` on stderr: puzzles done / total, rate
// and ETA on one line rewritten in place (\r), erased when the work ends. Shown only when
// stderr is a terminal, --quiet is off and the work has run for more than a second
// (LOOPT_PROGRESS_DELAY=SECONDS changes the second): pipes and files see nothing.
#ifndef LOOPT_PROGRESS_H
#define LOOPT_PROGRESS_H

typedef struct {
    int on;           // stderr is a terminal and not --quiet
    int shown;        // the line is on the screen
    int clear_out;    // stdout is the same terminal: erase the line before each answer
    double delay;     // seconds of quiet work before the line shows
    double t0;        // start of the work (the ETA's clock)
    double t_phase;   // start of the current phase (the rate's clock; eval: one --iters row)
    double t_draw;    // last redraw
    long done_draw;   // the count it showed
} Progress;

void progress_start(Progress *p);
void progress_phase(Progress *p);   // the rate counts from now
// `label: done/total puzzles, R/s, ETA mm:ss`, after the delay: redrawn 5 times a
// second, and whenever done moved by 1% of total (answers come in bursts, a batch at a time:
// the line must not stop on the first of a burst). frac: the fraction of all the work done,
// for the ETA (< 0: done / total).
void progress_update(Progress *p, const char *label, long done, long total, double frac);
// Before writing to stdout: erase the line when stdout is the same terminal (the next update
// draws it again below the output).
void progress_before_output(Progress *p);
// Before a line of its own on stderr: erase the progress line (the next update draws it again).
void progress_before_log(Progress *p);
void progress_end(Progress *p);     // erase the line

#endif
