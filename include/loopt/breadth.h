// breadth.h — test-time breadth (`solve --tries K`, `eval --tries K1,K2,...`): each puzzle runs
// as K variants made by the task's validity-preserving transforms (Task.variant; variant 0 is
// the puzzle itself), K consecutive entries of one set that the batch runner takes as more
// rows; each variant's answer is mapped back to the puzzle's frame, and one answer per puzzle
// is selected by a rule. Depth is --iters; breadth is K.
#ifndef LOOPT_BREADTH_H
#define LOOPT_BREADTH_H

#include "loopt/task.h"

// The variants are drawn from one stream with this seed, restarted for every puzzle: variant k
// depends only on k and the grid size (never on the puzzle's place in the file), and the
// variants of K tries are the first K of any larger K.
#define BREADTH_SEED 18
#define BREADTH_MAX_TRIES 1024

// How one answer is picked from the K variants' answers (mapped back):
//   model      per cell, the class with the most confidence summed over the variants that
//              predict it (confidence: the softmax probability of a variant's argmax)
//   valid      of the variants whose answer is well formed (Task.well_formed, no search:
//              Sudoku a full grid keeping the givens with no repeat, maze an S-G path), the
//              one of least cost (maze: the shortest path), then the most confident (sum over
//              cells of log confidence); none: as model
//   confident  the most confident variant, valid or not
typedef enum { SELECT_MODEL, SELECT_VALID, SELECT_CONFIDENT, NUM_SELECT } SelectRule;
extern const char *const SELECT_NAMES[];   // NUM_SELECT names, then NULL (arg_enum)

// The variants of a set's entries: vars entry i*K + k is variant k of set entry i (a
// placeholder for a placeholder).
typedef struct {
    const Task *task;
    const PuzzleSet *set;
    PuzzleSet vars;
    int K;
} Breadth;

// Make the K variants of every entry of set (K = 1: vars is a copy). Exit 2 naming `opt`
// when K > 1 and the task has no transforms.
void breadth_init(Breadth *b, const Task *task, const PuzzleSet *set, int K, const char *opt);
void breadth_free(Breadth *b);

// One puzzle's answer by each rule, in the puzzle's frame.
typedef struct {
    int K;
    const int *pred[NUM_SELECT];   // (S) the answer of each rule
    int agree[NUM_SELECT];         // variants whose answer is the rule's, cell for cell
    int from[NUM_SELECT];          // the variant the rule took, or -1: the per-cell vote
    int n_valid;                   // variants whose answer is well formed (Task.well_formed)
    double loops;                  // mean over the variants of each one's mean loops per cell
    const float *cell_loops;       // (S) loops per cell, mean over the variants
} BreadthAnswer;
typedef void (*BreadthEmit)(void *ctx, int entry, const BreadthAnswer *a);

// What collects the variants' answers, as the runner gives them (in entry order of vars: a
// RunnerEmit), and once a puzzle's K are in calls emit(ctx, set entry, answer). One per
// stream of answers (eval's sweep keeps one per depth).
typedef struct {
    const Breadth *b;
    int V, s_max;              // classes per cell (the model's Vout); cells of the largest puzzle
    BreadthEmit emit;
    void *ctx;
    int entry, have;           // the set entry being collected, and its variants so far
    int h, w;                  // the grid size the maps below are for (0: none yet)
    int *src;                  // (K, s_max) Task.variant's cell maps
    uint8_t *tok;              // (K, 256) its token maps, then (K, 256) their inverses
    int *pred, *loops;         // (K, s_max) each variant's answer and loops, in the puzzle's frame
    float *conf;               // (K, s_max) its confidence at each cell, in the puzzle's frame
    int *ans;                  // (NUM_SELECT, s_max) each rule's answer
    float *votes;              // (s_max, V) the vote's tally, then (s_max) the mean cell loops
    double *score;             // (K) each variant's sum over cells of log confidence
    uint8_t *cells;            // (s_max) scratch for Task.well_formed
} BreadthVote;

void breadth_vote_init(BreadthVote *v, const Breadth *b, int V, BreadthEmit emit, void *ctx);
void breadth_vote_free(BreadthVote *v);
// A RunnerEmit (ctx: the BreadthVote) for the answers to b->vars: entry, pred, loops, conf
// (conf may be NULL when K = 1).
void breadth_vote_add(void *ctx, int entry, const int *pred, const int *loops, const float *conf);

#endif
