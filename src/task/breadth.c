// breadth.c — test-time breadth: the K variants of every puzzle (Task.variant), and the vote
// that maps each variant's answer back to its puzzle and picks one answer per puzzle by each
// rule (model: confidence-weighted vote per cell; valid: of the well-formed variants the one of
// least cost, then the most confident; confident: the most confident variant). Judging a
// finished grid is the task's (Task.well_formed); no solver or search is involved.
#include "loopt/breadth.h"

#include "loopt/check.h"
#include "loopt/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const SELECT_NAMES[] = {"model", "valid", "confident", NULL};

// The K transforms of an h x w grid: src (K, stride) cell maps, tok (K, 256) token maps, then
// (K, 256) their inverses, vh/vw (K, may be NULL) the transformed sizes. The stream restarts
// here, so they depend on (k, h, w) alone. A task without transforms gets the identity (K = 1).
static void variant_maps(const Task *task, int K, int h, int w, int stride, int *src, uint8_t *tok,
                         int *vh, int *vw) {
    Rng r;
    rng_seed(&r, BREADTH_SEED);
    for (int k = 0; k < K; k++) {
        int *s = src + (size_t)k * stride, th = h, tw = w;
        uint8_t *t = tok + (size_t)k * 256, *inv = tok + (size_t)(K + k) * 256;
        if (task->variant) {
            task->variant(k, &r, h, w, s, t, &th, &tw);
        } else {
            for (int c = 0; c < h * w; c++) s[c] = c;
            for (int v = 0; v < 256; v++) t[v] = (uint8_t)v;
        }
        for (int v = 0; v < 256; v++) inv[t[v]] = (uint8_t)v;
        if (vh) { vh[k] = th; vw[k] = tw; }
    }
}

void breadth_init(Breadth *b, const Task *task, const PuzzleSet *set, int K, const char *opt) {
    if (K > 1 && !task->variant)
        die(EXIT_USAGE, "%s %d: %s have no test-time transforms here; %s 1 only", opt, K, task->what, opt);
    *b = (Breadth){.task = task, .set = set, .K = K};
    size_t cells = 0;
    for (int i = 0; i < set->n; i++) if (set->p[i].q) cells += (size_t)set->p[i].h * set->p[i].w;
    puzzle_set_alloc(&b->vars, set->n * K, cells * K);
    int s_max = puzzle_set_max_cells(set), mh = 0, mw = 0;
    s_max = s_max > 0 ? s_max : 1;
    int *src = xmalloc(sizeof(int) * (size_t)K * s_max), *vhw = xmalloc(sizeof(int) * 2 * (size_t)K);
    uint8_t *tok = xmalloc(2 * 256 * (size_t)K), *q = xmalloc((size_t)s_max);
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        if (!p->q) {
            for (int k = 0; k < K; k++) puzzle_set_skip(&b->vars, p->line, p->why);
            continue;
        }
        if (p->h != mh || p->w != mw) {
            variant_maps(task, K, p->h, p->w, s_max, src, tok, vhw, vhw + K);
            mh = p->h; mw = p->w;
        }
        for (int k = 0; k < K; k++) {
            const int *s = src + (size_t)k * s_max;
            const uint8_t *t = tok + (size_t)k * 256;
            for (int c = 0; c < p->h * p->w; c++) q[c] = t[p->q[s[c]]];
            puzzle_set_add(&b->vars, vhw[k], vhw[K + k], q, NULL, p->line);
        }
    }
    free(src); free(vhw); free(tok); free(q);
}

void breadth_free(Breadth *b) { puzzle_set_free(&b->vars); }

void breadth_vote_init(BreadthVote *v, const Breadth *b, int V, BreadthEmit emit, void *ctx) {
    int K = b->K, s = puzzle_set_max_cells(b->set);
    s = s > 0 ? s : 1;
    *v = (BreadthVote){.b = b, .V = V, .s_max = s, .emit = emit, .ctx = ctx, .entry = -1};
    size_t ks = (size_t)K * s;
    v->src = xmalloc(sizeof(int) * ks);
    v->tok = xmalloc(2 * 256 * (size_t)K);
    v->pred = xmalloc(sizeof(int) * ks);
    v->loops = xmalloc(sizeof(int) * ks);
    v->conf = xmalloc(sizeof(float) * ks);
    v->ans = xmalloc(sizeof(int) * (size_t)s);
    v->votes = xmalloc(sizeof(float) * (size_t)s * (V + 1));
    v->score = xmalloc(sizeof(double) * (size_t)K);
    v->cells = xmalloc((size_t)s);
}

void breadth_vote_free(BreadthVote *v) {
    free(v->src); free(v->tok); free(v->pred); free(v->loops); free(v->conf);
    free(v->ans); free(v->votes); free(v->score); free(v->cells);
}

// The vote's answer into v->ans (S): per cell the class with the largest sum of confidence over
// the variants predicting it (the first such class on a tie). One variant: its answer as it is.
static void vote_cells(BreadthVote *v, int S) {
    int K = v->b->K, V = v->V, s = v->s_max;
    if (K == 1) { memcpy(v->ans, v->pred, sizeof(int) * (size_t)S); return; }
    float *tally = v->votes;   // (S, V)
    memset(tally, 0, sizeof(float) * (size_t)S * V);
    for (int k = 0; k < K; k++)
        for (int t = 0; t < S; t++) {
            int c = v->pred[(size_t)k * s + t];
            if (c >= 0 && c < V) tally[(size_t)t * V + c] += v->conf[(size_t)k * s + t];
        }
    for (int t = 0; t < S; t++) {
        const float *row = tally + (size_t)t * V;
        int best = 0;
        for (int c = 1; c < V; c++) if (row[c] > row[best]) best = c;
        v->ans[t] = best;
    }
}

// Puzzle p's K answers are in: pick by every rule and emit.
static void pick(BreadthVote *v, int entry, const Puzzle *p) {
    const Task *task = v->b->task;
    int K = v->b->K, S = p->h * p->w, s = v->s_max;
    BreadthAnswer a = {.K = K};
    int best = 0, best_valid = -1, best_cost = 0;
    double loops = 0.0;
    for (int k = 0; k < K; k++) {
        const int *pk = v->pred + (size_t)k * s, *lk = v->loops + (size_t)k * s;
        const float *ck = v->conf + (size_t)k * s;
        double score = 0.0, lsum = 0.0;
        for (int t = 0; t < S; t++) {
            score += log((double)ck[t]);
            lsum += lk[t];
            v->cells[t] = (uint8_t)pk[t];
        }
        loops += lsum / S;
        v->score[k] = score;
        int cost, ok = task->well_formed(p->q, v->cells, p->h, p->w, &cost);
        a.n_valid += ok;
        if (score > v->score[best]) best = k;
        if (ok && (best_valid < 0 || cost < best_cost || (cost == best_cost && score > v->score[best_valid]))) {
            best_valid = k;
            best_cost = cost;
        }
    }
    vote_cells(v, S);
    a.pred[SELECT_MODEL] = v->ans;
    a.from[SELECT_MODEL] = -1;
    a.pred[SELECT_VALID] = best_valid >= 0 ? v->pred + (size_t)best_valid * s : v->ans;
    a.from[SELECT_VALID] = best_valid;
    a.pred[SELECT_CONFIDENT] = v->pred + (size_t)best * s;
    a.from[SELECT_CONFIDENT] = best;
    for (int r = 0; r < NUM_SELECT; r++)
        for (int k = 0; k < K; k++)
            a.agree[r] += memcmp(v->pred + (size_t)k * s, a.pred[r], sizeof(int) * (size_t)S) == 0;
    float *cl = v->votes + (size_t)s * v->V;   // (S) the mean loops per cell
    for (int t = 0; t < S; t++) {
        float sum = 0.0f;
        for (int k = 0; k < K; k++) sum += (float)v->loops[(size_t)k * s + t];
        cl[t] = sum / K;
    }
    a.loops = loops / K;
    a.cell_loops = cl;
    v->emit(v->ctx, entry, &a);
}

void breadth_vote_add(void *ctx, int entry, const int *pred, const int *loops, const float *conf) {
    BreadthVote *v = ctx;
    const Breadth *b = v->b;
    int K = b->K, i = entry / K, k = entry % K, s = v->s_max;
    const Puzzle *p = &b->set->p[i];
    CHECK(k == (i == v->entry ? v->have : 0), "breadth: variant %d of entry %d came out of order", k, i);
    if (k == 0) {
        v->entry = i;
        v->have = 0;
        if (p->h != v->h || p->w != v->w) {
            variant_maps(b->task, K, p->h, p->w, s, v->src, v->tok, NULL, NULL);
            v->h = p->h; v->w = p->w;
        }
    }
    const int *src = v->src + (size_t)k * s;
    const uint8_t *inv = v->tok + (size_t)(K + k) * 256;
    int *pk = v->pred + (size_t)k * s, *lk = v->loops + (size_t)k * s;
    float *ck = v->conf + (size_t)k * s;
    for (int t = 0; t < p->h * p->w; t++) {   // variant cell t is puzzle cell src[t]
        int c = pred[t];
        pk[src[t]] = c >= 0 && c < 256 ? inv[c] : c;
        lk[src[t]] = loops[t];
        ck[src[t]] = conf ? conf[t] : 1.0f;
    }
    if (++v->have == K) pick(v, i, p);
}
