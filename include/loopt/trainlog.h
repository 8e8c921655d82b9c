// trainlog.h — what `loopt train` writes beside its checkpoint: the training log, one JSON
// object per line (JSON lines: `train.jsonl` in the run folder by default), and config.json,
// the full resolved config. `loopt plot run/train.jsonl` draws the log.
//
// A log line every train.log_every steps:
//   {"step": 50, "loss": 2.1, "cell": 0.31, "exact": 0, "lr": 0.0003, "samples_per_s": 410,
//    "loops": 8, "elapsed_s": 7.9}
// and one per evaluation on the held-out split:
//   {"step": 1000, "eval": true, "puzzles": 256, "cell": 0.93, "exact": 0.45, "loops": 8, "elapsed_s": 160.2}
// cell / exact / loops of a step line are over the batches since the previous line on the
// train.log_every cadence (a line at the end of a run off the cadence does not start a new
// interval, and a resumed run carries the sums on from its checkpoint); loops is the mean
// loops per cell.
//
// A fresh run starts the file empty: a file that already holds lines is replaced only with
// --force (it is another run's log), and not before the run writes its first line, so a run
// stopped before its first step leaves it as it was. A resumed run appends, after dropping the
// lines with a step past the checkpoint's (written by a run killed after its last checkpoint:
// the resumed run writes those steps again), so the log reads as one run; a log that is not
// the run's own (train.jsonl beside the checkpoint, or the log the checkpoint records) is
// neither cut nor appended to without --force.
#ifndef LOOPT_TRAINLOG_H
#define LOOPT_TRAINLOG_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    char path[600];   // "" = no log
    FILE *f;          // open once the first line is written
    int append;       // resumed run: open for appending, else truncate
    int failed;       // a write failed (warned once; the run goes on without its log)
} TrainLog;

// Check the log path before training (exit 2 naming `what`, e.g. "--log FILE", when it cannot be
// written, or when a fresh run would replace a file (a log, or anything else: said so) without
// force) and, for a resumed run (resume_step >= 0), drop its lines past resume_step. A resumed
// run's log that is not known as its own (foreign, not NULL: a few words on which log is) and
// holds lines is refused unless force. Nothing is created yet.
void trainlog_prepare(TrainLog *l, const char *path, const char *what, long resume_step, int force,
                      const char *foreign);

// One step line / one evaluation line (opens the file on the first one).
typedef struct {
    long step;
    double loss, cell, exact, lr, samples_per_s, loops, elapsed_s;
} TrainLogStep;
void trainlog_step(TrainLog *l, const TrainLogStep *s);
void trainlog_eval(TrainLog *l, long step, long puzzles, double cell, double exact, double loops, double elapsed_s);
void trainlog_close(TrainLog *l);

// Write `text` to path atomically (a temp file beside it, flushed, then renamed over it).
// Returns 1, or 0 with the reason in why (a file already at path is left as it was).
int write_text_atomic(const char *path, const char *text, char *why, size_t whylen);

#endif
