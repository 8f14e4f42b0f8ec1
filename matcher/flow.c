/*
 * flow — the primal network simplex (see flow.h for the contract) and
 * the maximum flow (Dinic) that flow_max_min_cost runs first.
 *
 * The spanning tree lives in arrays indexed by node: parent, pred (the
 * tree arc to the parent), up (pred points from the node to its parent),
 * thread/rthread (a doubly linked, cyclic preorder of the whole tree),
 * size and last (a subtree's node count and its last node in the
 * thread, so a subtree is the run thread[v .. last[v]]).  The root is
 * the artificial node n.
 */
#include "flow.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

typedef __int128 i128;

/* arc states outside the tree: +1 flow at 0, -1 flow at cap; 0 in tree */
#define AT_LOWER 1
#define AT_UPPER (-1)
#define IN_TREE 0

struct flow {
	int n, m, mcap;
	int *from, *to;              /* [m] arcs in index order */
	int64_t *cap, *cost;
	int64_t *x;                  /* [m] flows of the last solve */
	int64_t *supply;             /* [n] */
	int64_t total;               /* Σ cost·flow of the last solve */
	int wide;                    /* flow_set_wide */
	int overflow;                /* a node's supply left int64 */
	struct flow_stats st;
};

/* The simplex's working set for one solve, in its own arc order. */
struct ns {
	int n;                       /* nodes with the root; root = n - 1 */
	int m;                       /* real arcs: the ones pricing scans */
	int *src, *tgt;              /* [m + n - 1] */
	int64_t *cost, *cap, *x;
	signed char *state;
	int *parent, *pred;          /* [n] the tree */
	signed char *up;
	int *thread, *rthread;       /* preorder, cyclic, doubly linked */
	int *size, *last;            /* subtree: node count, last in thread */
	int *runs;                   /* [4n] rehang's scratch */
	uint64_t *pi;                /* potentials mod 2^64 (narrow), or */
	unsigned __int128 *piw;      /* mod 2^128 (wide); the other NULL */
	int block, next;             /* block search: size, where to go on */
	long long pivots, degenerate;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- building the network ---- */

struct flow *flow_new(int nodes)
{
	if (nodes < 0 || nodes > FLOW_MAX_NODES)
		return NULL;
	struct flow *f = xcalloc(1, sizeof *f);

	f->n = nodes;
	f->supply = xcalloc((size_t)f->n + 1, sizeof *f->supply);
	return f;
}

void flow_free(struct flow *f)
{
	if (!f)
		return;
	free(f->from);
	free(f->to);
	free(f->cap);
	free(f->cost);
	free(f->x);
	free(f->supply);
	free(f);
}

static void forget_solution(struct flow *f)
{
	free(f->x);
	f->x = NULL;
	f->total = 0;
}

int flow_arc(struct flow *f, int from, int to, int64_t cap, int64_t cost)
{
	if (from < 0 || from >= f->n || to < 0 || to >= f->n || cap < 0 ||
	    cost == INT64_MIN || f->m >= INT_MAX / 2 - f->n - 2)
		return -1;
	if (f->m == f->mcap) {
		size_t c = f->mcap ? (size_t)f->mcap * 2 : 64;
		if (c > (size_t)INT_MAX)
			c = INT_MAX;
		f->from = xrealloc(f->from, c * sizeof *f->from);
		f->to = xrealloc(f->to, c * sizeof *f->to);
		f->cap = xrealloc(f->cap, c * sizeof *f->cap);
		f->cost = xrealloc(f->cost, c * sizeof *f->cost);
		f->mcap = (int)c;
	}
	forget_solution(f);
	f->from[f->m] = from;
	f->to[f->m] = to;
	f->cap[f->m] = cap;
	f->cost[f->m] = cost;
	return f->m++;
}

void flow_supply(struct flow *f, int node, int64_t s)
{
	if (node >= 0 && node < f->n &&
	    __builtin_add_overflow(f->supply[node], s, &f->supply[node]))
		f->overflow = 1;
}

int64_t flow_get(const struct flow *f, int arc)
{
	return f->x && arc >= 0 && arc < f->m ? f->x[arc] : 0;
}

int64_t flow_cost(const struct flow *f)
{
	return f->total;
}

void flow_get_stats(const struct flow *f, struct flow_stats *st)
{
	*st = f->st;
}

void flow_set_wide(struct flow *f, int on)
{
	f->wide = on;
}

/* ---- the network simplex ---- */

/*
 * Potentials are defined up to a constant, and only their differences
 * are ever used (reduced costs, shifts), so they are kept modulo 2^64
 * (narrow) or 2^128 (wide) in unsigned integers: a difference comes out
 * exact whenever its true value fits the signed type, whatever constant
 * the potentials have drifted by.  That lets a pivot shift whichever
 * side of the cut is smaller.
 */
typedef unsigned __int128 u128;

/*
 * Residual room of a tree arc in the direction the cycle pushes: with
 * `raise` the flow goes up towards cap (FLOW_INF: unbounded), else down
 * towards 0.
 */
static inline int64_t room(const struct ns *s, int a, int raise)
{
	if (!raise)
		return s->x[a];
	return s->cap[a] == FLOW_INF ? FLOW_INF : s->cap[a] - s->x[a];
}

/* The reduced cost of arc e: cost + pi[src] - pi[tgt]. */
static inline i128 reduced(const struct ns *s, int e)
{
	if (s->piw)
		return (i128)((u128)s->cost[e] + s->piw[s->src[e]] -
		    s->piw[s->tgt[e]]);
	return (int64_t)((uint64_t)s->cost[e] + s->pi[s->src[e]] -
	    s->pi[s->tgt[e]]);
}

/*
 * Block search: scan arcs from where the last search stopped, a block
 * of s->block at a time, and take the most negative reduced cost
 * (signed by the arc's state; 0 for tree arcs) of the first block that
 * has one.  -1 when no arc is eligible: the tree is optimal.  Two
 * copies, for narrow and wide potentials.
 */
#define PRICE_BODY(PI, U, T)                                              \
	const int *src = s->src, *tgt = s->tgt;                           \
	const int64_t *cost = s->cost;                                    \
	const signed char *state = s->state;                              \
	const U *pi = PI;                                                 \
	int m = s->m, e = s->next, cnt = s->block, best = -1;             \
	T min = 0;                                                        \
	for (int seen = 0; seen < m; seen++) {                            \
		T c = state[e] * (T)((U)cost[e] + pi[src[e]] - pi[tgt[e]]); \
		if (c < min) {                                            \
			min = c;                                          \
			best = e;                                         \
		}                                                         \
		if (++e == m)                                             \
			e = 0;                                            \
		if (--cnt == 0) {                                         \
			if (best >= 0)                                    \
				break;                                    \
			cnt = s->block;                                   \
		}                                                         \
	}                                                                 \
	s->next = e;                                                      \
	return best;

static int price_narrow(struct ns *s)
{
	PRICE_BODY(s->pi, uint64_t, int64_t)
}

static int price_wide(struct ns *s)
{
	PRICE_BODY(s->piw, u128, i128)
}

/* Add sigma to the potentials of the k nodes of the thread from x on. */
static void shift_run(struct ns *s, int x, int k, i128 sigma)
{
	const int *thread = s->thread;

	if (s->piw) {
		u128 d = (u128)sigma, *pi = s->piw;
		for (; k > 0; k--, x = thread[x])
			pi[x] += d;
	} else {
		uint64_t d = (uint64_t)(int64_t)sigma, *pi = s->pi;
		for (; k > 0; k--, x = thread[x])
			pi[x] += d;
	}
}

/*
 * Move the subtree of w (cut off by removing the arc pred[w]) so that
 * it hangs from vin by the arc e, rerooted at uin; join is the apex of
 * the pivot's cycle.  The stem uin → w reverses: each stem node's
 * parent becomes the stem node below it.
 *
 * The subtree's new preorder is, stem node by stem node from uin up to
 * w, the node and its old subtree without the previous stem node's.
 * Each of those is at most two runs of the old thread, so the thread
 * is relinked at O(stem) places: the runs are read first (s->runs),
 * then w's subtree is cut out and the runs are spliced in after vin.
 * Sizes change on the stem and on the paths up to the join; `last`
 * changes on the stem and on ancestors whose subtree ended where the
 * cut or the splice is.
 */
static void rehang(struct ns *s, int e, int uin, int vin, int w, int join)
{
	int *thread = s->thread, *rthread = s->rthread;
	int *last = s->last, *size = s->size, *runs = s->runs;
	int *parent = s->parent, *pred = s->pred;
	signed char *up = s->up;
	int S = size[w], lw = last[w], vout = parent[w];
	int prev = rthread[w], after = thread[lw];
	int nr = 0;

	runs[nr++] = uin;
	runs[nr++] = last[uin];
	for (int c = uin, v = parent[uin]; c != w; c = v, v = parent[v]) {
		runs[nr++] = v;                    /* v and what precedes c */
		runs[nr++] = rthread[c];
		if (last[v] != last[c]) {          /* what follows c's subtree */
			runs[nr++] = thread[last[c]];
			runs[nr++] = last[v];
		}
	}
	int tail = runs[nr - 1];

	thread[prev] = after;
	rthread[after] = prev;
	int next = thread[vin], t = vin;
	for (int k = 0; k < nr; k += 2) {
		thread[t] = runs[k];
		rthread[runs[k]] = t;
		t = runs[k + 1];
	}
	thread[tail] = next;
	rthread[next] = tail;

	int par_new = vin, arc_new = e, below = 0;
	signed char up_new = s->src[e] == uin;
	for (int v = uin;;) {
		int par = parent[v], arc = pred[v], sz = size[v];
		signed char u = up[v];
		parent[v] = par_new;
		pred[v] = arc_new;
		up[v] = up_new;
		size[v] = S - below;
		last[v] = tail;
		if (v == w)
			break;
		below = sz;
		par_new = v;
		arc_new = arc;
		up_new = !u;
		v = par;
	}
	for (int u = vout; u != join; u = parent[u])
		size[u] -= S;
	for (int u = vin; u != join; u = parent[u])
		size[u] += S;
	for (int u = vout; u >= 0 && last[u] == lw; u = parent[u])
		last[u] = prev;
	for (int u = vin; u >= 0 && last[u] == vin; u = parent[u])
		last[u] = tail;
}

/*
 * One pivot on the eligible arc e.  Flow goes round the cycle e closes,
 * from a across e to b, up from b to the join, down from the join to a.
 * The leaving arc is the last blocking arc met going round from the
 * join (the rule that keeps the tree strongly feasible): on b's side the
 * one nearest the join, then e itself, then on a's side the one
 * nearest a.  Returns 0, or -1 when the cycle has unbounded room.
 */
static int pivot(struct ns *s, int e)
{
	const int *parent = s->parent, *pred = s->pred, *size = s->size;
	const signed char *up = s->up;
	int raise = s->state[e] == AT_LOWER;
	int a = raise ? s->src[e] : s->tgt[e];
	int b = raise ? s->tgt[e] : s->src[e];
	int64_t da = FLOW_INF, db = FLOW_INF, de, delta;
	int wa = -1, wb = -1, u = a, v = b, w;

	while (u != v) {
		if (size[u] <= size[v]) {      /* u is no ancestor of v */
			int64_t r = room(s, pred[u], !up[u]);
			if (r < da) {
				da = r;
				wa = u;
			}
			u = parent[u];
		} else {
			int64_t r = room(s, pred[v], up[v]);
			if (r <= db) {
				db = r;
				wb = v;
			}
			v = parent[v];
		}
	}
	int join = u;
	de = s->cap[e];
	if (db <= da && db <= de) {
		delta = db;
		w = wb;
	} else if (de <= da) {
		delta = de;
		w = -1;
	} else {
		delta = da;
		w = wa;
	}
	if (delta == FLOW_INF)
		return -1;
	s->pivots++;
	if (delta > 0) {
		s->x[e] += raise ? delta : -delta;
		for (u = a; u != join; u = parent[u])
			s->x[pred[u]] += up[u] ? -delta : delta;
		for (v = b; v != join; v = parent[v])
			s->x[pred[v]] += up[v] ? delta : -delta;
	} else {
		s->degenerate++;
	}
	if (w < 0) {
		s->state[e] = raise ? AT_UPPER : AT_LOWER;
		return 0;
	}
	int l = pred[w];
	s->state[l] = s->x[l] == 0 ? AT_LOWER : AT_UPPER;
	s->state[e] = IN_TREE;

	/*
	 * uin's side moves; its potentials shift by sigma so e's reduced
	 * cost becomes 0 — or, when that side is the larger, the rest shifts
	 * by -sigma.
	 */
	int uin = w == wa ? a : b, vin = w == wa ? b : a;
	i128 rc = reduced(s, e), sigma = uin == s->tgt[e] ? rc : -rc;
	int S = s->size[w];
	rehang(s, e, uin, vin, w, join);
	if (S <= s->n - S)
		shift_run(s, uin, S, sigma);
	else
		shift_run(s, s->thread[s->last[uin]], s->n - S, -sigma);
	return 0;
}

static void ns_free(struct ns *s)
{
	free(s->src);
	free(s->tgt);
	free(s->cost);
	free(s->cap);
	free(s->x);
	free(s->state);
	free(s->parent);
	free(s->pred);
	free(s->up);
	free(s->thread);
	free(s->rthread);
	free(s->size);
	free(s->last);
	free(s->runs);
	free(s->pi);
	free(s->piw);
}

/*
 * The position of arc i in the simplex's order: arcs are dealt into
 * `cols` columns round-robin and the columns laid end to end, so a block
 * of the pricing scan samples the whole network rather than one node's
 * consecutive arcs.
 */
static void arc_order(int m, int cols, int *pos)
{
	int k = 0;

	for (int c = 0; c < cols; c++)
		for (int i = c; i < m; i += cols)
			pos[i] = k++;
}

/*
 * The starting tree: every node hangs from the root by an artificial
 * arc of unbounded capacity carrying its supply — node→root at cost 0
 * for supply ≥ 0, root→node at cost `art` for demand.  With art above
 * the cost of any simple path the optimum uses no artificial flow
 * whenever a feasible flow exists.  Arcs with zero flow point to the
 * root, so the tree is strongly feasible.
 *
 * A potential difference pi[u] - pi[v] is the cost of the tree path
 * from v to u: through the root at worst, art or 0 and at most n - 1
 * arcs on each side, so |pi[u] - pi[v]| ≤ 2·(art + (n - 1)·cmax) and a
 * reduced cost, or a shift sigma, is at most (4n + 1)·cmax + 2 in
 * magnitude.  When that fits int64 the potentials are narrow, else wide.
 */
static void ns_init(struct ns *s, const struct flow *f, const int *pos,
    const int64_t *x0)
{
	int n = f->n, root = n, N = n + 1, m = f->m, M = m + n;
	i128 cmax = 0;

	s->n = N;
	s->m = m;
	s->src = xmalloc((size_t)M * sizeof *s->src);
	s->tgt = xmalloc((size_t)M * sizeof *s->tgt);
	s->cost = xmalloc((size_t)M * sizeof *s->cost);
	s->cap = xmalloc((size_t)M * sizeof *s->cap);
	s->x = xcalloc((size_t)M, sizeof *s->x);
	s->state = xmalloc((size_t)M);
	s->parent = xmalloc((size_t)N * sizeof *s->parent);
	s->pred = xmalloc((size_t)N * sizeof *s->pred);
	s->up = xmalloc((size_t)N);
	s->thread = xmalloc((size_t)N * sizeof *s->thread);
	s->rthread = xmalloc((size_t)N * sizeof *s->rthread);
	s->size = xmalloc((size_t)N * sizeof *s->size);
	s->last = xmalloc((size_t)N * sizeof *s->last);
	s->runs = xmalloc((4 * (size_t)N + 4) * sizeof *s->runs);

	for (int i = 0; i < m; i++) {
		int k = pos[i];
		s->src[k] = f->from[i];
		s->tgt[k] = f->to[i];
		s->cost[k] = f->cost[i];
		s->cap[k] = f->cap[i];
		s->state[k] = AT_LOWER;
		i128 c = f->cost[i] < 0 ? -(i128)f->cost[i] : f->cost[i];
		if (c > cmax)
			cmax = c;
	}
	i128 art = (i128)(n + 1) * cmax + 1;
	if (f->wide || (4 * (i128)n + 1) * cmax + 2 > INT64_MAX)
		s->piw = xcalloc((size_t)N, sizeof *s->piw);
	else
		s->pi = xcalloc((size_t)N, sizeof *s->pi);

	/* arcs x0 fills start at their bound; the artificial arcs carry the rest */
	int64_t *b = xmalloc((size_t)N * sizeof *b);
	memcpy(b, f->supply, (size_t)n * sizeof *b);
	for (int i = 0; x0 && i < m; i++)
		if (x0[i] == f->cap[i] && x0[i] > 0 && x0[i] != FLOW_INF) {
			int k = pos[i];
			s->state[k] = AT_UPPER;
			s->x[k] = x0[i];
			b[f->from[i]] -= x0[i];
			b[f->to[i]] += x0[i];
		}

	s->parent[root] = -1;
	s->pred[root] = -1;
	s->up[root] = 0;
	s->size[root] = N;
	s->last[root] = n > 0 ? n - 1 : root;
	s->thread[root] = n > 0 ? 0 : root;
	s->rthread[n > 0 ? 0 : root] = root;
	for (int v = 0; v < n; v++) {
		int a = m + v;
		int64_t sup = b[v];
		s->parent[v] = root;
		s->pred[v] = a;
		s->size[v] = 1;
		s->last[v] = v;
		s->thread[v] = v + 1 < n ? v + 1 : root;
		s->rthread[v + 1 < n ? v + 1 : root] = v;
		s->cap[a] = FLOW_INF;
		s->state[a] = IN_TREE;
		s->cost[a] = 0;     /* art may not fit int64: pi holds it */
		s->up[v] = sup >= 0;
		if (sup >= 0) {
			s->src[a] = v;
			s->tgt[a] = root;
			s->x[a] = sup;
		} else {
			s->src[a] = root;
			s->tgt[a] = v;
			s->x[a] = -sup;
			if (s->piw)
				s->piw[v] = (u128)art;
			else
				s->pi[v] = (uint64_t)art;
		}
	}
	free(b);
	int bs = (int)sqrt((double)m);
	s->block = bs < 10 ? 10 : bs;
	s->next = 0;
	s->pivots = s->degenerate = 0;
}

#ifdef FLOW_VERIFY
/*
 * The tree's invariants, checked after every pivot when flow.c is built
 * with -DFLOW_VERIFY (slow: O(n + m) a pivot; for debugging): the thread
 * is a preorder with size/last right, tree arcs join node and parent as
 * up says, real tree arcs have reduced cost 0, flows are within bounds
 * and conserve the supplies, and the tree is strongly feasible.
 */
static void verify(const struct ns *s, const struct flow *f)
{
	int N = s->n, root = N - 1, M = s->m + N - 1;
	int *seen = xcalloc((size_t)N, sizeof *seen);
	int64_t *bal = xcalloc((size_t)N, sizeof *bal);
	int x = root, bad = 0;

	for (int k = 0; k < N; k++, x = s->thread[x]) {
		bad |= seen[x]++ || s->rthread[s->thread[x]] != x;
		/* the run of size[x] from x ends at last[x], all below x */
		int y = x;
		for (int j = 1; j < s->size[x]; j++) {
			y = s->thread[y];
			int z = y;
			while (z >= 0 && z != x)
				z = s->parent[z];
			bad |= z != x;
		}
		bad |= y != s->last[x];
	}
	bad |= x != root;
	for (int v = 0; v < N; v++) {
		if (v == root)
			continue;
		int a = s->pred[v], p = s->parent[v];
		bad |= s->state[a] != IN_TREE;
		bad |= s->up[v] ? s->src[a] != v || s->tgt[a] != p :
		    s->src[a] != p || s->tgt[a] != v;
		bad |= a < s->m && reduced(s, a) != 0;
		bad |= s->up[v] ? s->cap[a] != FLOW_INF && s->x[a] >= s->cap[a] :
		    s->x[a] <= 0;      /* strongly feasible: v can push up */
	}
	for (int a = 0; a < M; a++) {
		bad |= s->x[a] < 0 || s->x[a] > s->cap[a];
		bad |= s->state[a] == AT_LOWER && s->x[a] != 0;
		bad |= s->state[a] == AT_UPPER && s->x[a] != s->cap[a];
		bal[s->src[a]] += s->x[a];
		bal[s->tgt[a]] -= s->x[a];
	}
	for (int v = 0; v < N - 1; v++)
		bad |= bal[v] != f->supply[v];
	free(seen);
	free(bal);
	if (bad) {
		fprintf(stderr, "flow: tree invariant broken at pivot %lld\n",
		    s->pivots);
		abort();
	}
}
#endif

/*
 * Whether the solve's flows stay in int64: S = Σ|supply| + Σ finite
 * capacities bounds every flow of every basis (a tree arc carries its
 * subtree's net supply plus the arcs at their bound across the cut).
 */
static int in_range(const struct flow *f)
{
	i128 S = 0;

	for (int v = 0; v < f->n; v++) {
		int64_t b = f->supply[v];
		S += b < 0 ? -(i128)b : b;
	}
	for (int i = 0; i < f->m; i++)
		if (f->cap[i] != FLOW_INF)
			S += f->cap[i];
	return S < FLOW_INF;
}

static i128 supply_sum(const struct flow *f)
{
	i128 sum = 0;

	for (int v = 0; v < f->n; v++)
		sum += f->supply[v];
	return sum;
}

/* Σ cost·flow into f->total; -1 if it leaves int64. */
static int total_cost(struct flow *f)
{
	i128 t = 0;

	for (int i = 0; i < f->m; i++) {
		i128 term = (i128)f->cost[i] * f->x[i];
		if (__builtin_add_overflow(t, term, &t))
			return -1;
	}
	if (t > INT64_MAX || t < -(i128)INT64_MAX)
		return -1;
	f->total = (int64_t)t;
	return 0;
}

/*
 * The artificial arcs of demand nodes cost `art`, which the ns arrays
 * hold as 0 (it may not fit int64); pricing never sees them, and the
 * potentials carry it.  So pivots only need the real arcs' costs.
 */
static enum flow_status solve(struct flow *f, const int64_t *x0)
{
	struct ns s;
	enum flow_status rc;
	double t0 = now_ms();
	int *pos = NULL;

	forget_solution(f);
	f->st.pivots = f->st.degenerate = 0;
	f->st.simplex_ms = 0;
	if (f->overflow || !in_range(f))
		return FLOW_RANGE;
	if (supply_sum(f) != 0)
		return FLOW_INFEASIBLE;

	memset(&s, 0, sizeof s);
	pos = xmalloc(((size_t)f->m + 1) * sizeof *pos);
	int cols = (int)sqrt((double)f->m);
	arc_order(f->m, cols < 1 ? 1 : cols, pos);
	ns_init(&s, f, pos, x0);

	rc = FLOW_OPTIMAL;
	int (*price)(struct ns *) = s.piw ? price_wide : price_narrow;
	for (int e; (e = price(&s)) >= 0;) {
		if (pivot(&s, e) < 0) {
			rc = FLOW_UNBOUNDED;
			break;
		}
#ifdef FLOW_VERIFY
		verify(&s, f);
#endif
	}
	for (int a = s.m; rc == FLOW_OPTIMAL && a < s.m + f->n; a++)
		if (s.x[a] != 0)
			rc = FLOW_INFEASIBLE;
	if (rc == FLOW_OPTIMAL) {
		f->x = xmalloc(((size_t)f->m + 1) * sizeof *f->x);
		for (int i = 0; i < f->m; i++)
			f->x[i] = s.x[pos[i]];
		if (total_cost(f) < 0) {
			forget_solution(f);
			rc = FLOW_RANGE;
		}
	}
	f->st.pivots = s.pivots;
	f->st.degenerate = s.degenerate;
	f->st.simplex_ms = now_ms() - t0;
	ns_free(&s);
	free(pos);
	return rc;
}

enum flow_status flow_solve(struct flow *f)
{
	f->st.maxflow_ms = 0;
	return solve(f, NULL);
}

/* ---- maximum flow (Dinic) ---- */

/*
 * The residual network in CSR form: node v's residual arcs are
 * adj[head[v] .. head[v+1]), each 2·arc (forward, from its tail) or
 * 2·arc + 1 (backward, from its head).
 */
struct resid {
	const struct flow *f;
	int64_t *x;
	int *head, *adj;
	int *level, *it, *queue, *path;
};

static inline int64_t rroom(const struct resid *r, int c)
{
	int a = c >> 1;

	if (c & 1)
		return r->x[a];
	return r->f->cap[a] == FLOW_INF ? FLOW_INF : r->f->cap[a] - r->x[a];
}

static inline int rtarget(const struct resid *r, int c)
{
	return c & 1 ? r->f->from[c >> 1] : r->f->to[c >> 1];
}

static void resid_init(struct resid *r, const struct flow *f)
{
	int n = f->n, m = f->m;

	r->f = f;
	r->x = xcalloc((size_t)m + 1, sizeof *r->x);
	r->head = xcalloc((size_t)n + 2, sizeof *r->head);
	r->adj = xmalloc(((size_t)2 * m + 1) * sizeof *r->adj);
	r->level = xmalloc(((size_t)n + 1) * sizeof *r->level);
	r->it = xmalloc(((size_t)n + 1) * sizeof *r->it);
	r->queue = xmalloc(((size_t)n + 1) * sizeof *r->queue);
	r->path = xmalloc(((size_t)n + 1) * sizeof *r->path);
	for (int a = 0; a < m; a++) {
		r->head[f->from[a] + 2]++;
		r->head[f->to[a] + 2]++;
	}
	for (int v = 0; v < n; v++)
		r->head[v + 2] += r->head[v + 1];
	for (int a = 0; a < m; a++) {
		r->adj[r->head[f->from[a] + 1]++] = 2 * a;
		r->adj[r->head[f->to[a] + 1]++] = 2 * a + 1;
	}
}

static void resid_free(struct resid *r)
{
	free(r->x);
	free(r->head);
	free(r->adj);
	free(r->level);
	free(r->it);
	free(r->queue);
	free(r->path);
}

/*
 * BFS levels from s over residual arcs (only unbounded forward arcs when
 * inf_only).  Returns whether t was reached.
 */
static int levels(struct resid *r, int s, int t, int inf_only)
{
	int qh = 0, qt = 0;

	for (int v = 0; v < r->f->n; v++)
		r->level[v] = -1;
	r->level[s] = 0;
	r->queue[qt++] = s;
	while (qh < qt) {
		int v = r->queue[qh++];
		for (int k = r->head[v]; k < r->head[v + 1]; k++) {
			int c = r->adj[k], w = rtarget(r, c);
			if (r->level[w] >= 0)
				continue;
			if (inf_only ? (c & 1) || r->f->cap[c >> 1] != FLOW_INF :
			    rroom(r, c) == 0)
				continue;
			r->level[w] = r->level[v] + 1;
			r->queue[qt++] = w;
		}
	}
	return r->level[t] >= 0;
}

/* A blocking flow in the level graph by iterative DFS; its value. */
static int64_t blocking(struct resid *r, int s, int t)
{
	int n = r->f->n, depth = 0, v = s;
	int64_t total = 0;

	for (int u = 0; u < n; u++)
		r->it[u] = r->head[u];
	for (;;) {
		if (v == t) {
			int64_t d = FLOW_INF;
			int cut = 0;
			for (int k = 0; k < depth; k++) {
				int64_t q = rroom(r, r->path[k]);
				if (q < d) {
					d = q;
					cut = k;
				}
			}
			for (int k = 0; k < depth; k++) {
				int c = r->path[k];
				r->x[c >> 1] += c & 1 ? -d : d;
			}
			total += d;
			depth = cut;           /* back to the saturated arc's tail */
			v = depth ? rtarget(r, r->path[depth - 1]) : s;
			continue;
		}
		int k = r->it[v], end = r->head[v + 1];
		for (; k < end; k++) {
			int c = r->adj[k], w = rtarget(r, c);
			if (r->level[w] == r->level[v] + 1 && rroom(r, c) > 0)
				break;
		}
		r->it[v] = k;
		if (k < end) {
			r->path[depth++] = r->adj[k];
			v = rtarget(r, r->adj[k]);
			continue;
		}
		r->level[v] = -1;              /* a dead end: never again */
		if (depth == 0)
			break;
		depth--;
		v = depth ? rtarget(r, r->path[depth - 1]) : s;
	}
	return total;
}

/*
 * The maximum s→t flow value, FLOW_INF when an s→t path of unbounded
 * arcs exists; *x (malloc'd, the caller frees) a maximum flow by arc.
 * The caller has checked Σ finite capacities < FLOW_INF, which bounds
 * the value and every arc's flow.
 */
static int64_t max_flow(const struct flow *f, int s, int t, int64_t **x)
{
	struct resid r;
	int64_t value = 0;

	resid_init(&r, f);
	if (levels(&r, s, t, 1))
		value = FLOW_INF;
	else
		while (levels(&r, s, t, 0))
			value += blocking(&r, s, t);
	*x = r.x;
	r.x = NULL;
	resid_free(&r);
	return value;
}

/*
 * The arcs out of s and into t that the maximum flow saturates start
 * the simplex at their upper bound.  On a fair's network (source →
 * directions → postings → sink) that leaves the simplex a
 * transportation problem, directions' graduates to postings' places,
 * and saves half its pivots and more.  (Starting every saturated arc at
 * its bound does worse: the maximum flow's choice of middle arcs is
 * arbitrary and has to be undone.)
 */
enum flow_status flow_max_min_cost(struct flow *f, int s, int t,
    int64_t *value)
{
	enum flow_status rc;
	int64_t F, *x0;
	i128 caps = 0;
	double t0;

	if (value)
		*value = 0;
	forget_solution(f);
	f->st.maxflow_ms = 0;
	if (s < 0 || s >= f->n || t < 0 || t >= f->n || s == t)
		return FLOW_INFEASIBLE;
	for (int i = 0; i < f->m; i++)
		if (f->cap[i] != FLOW_INF)
			caps += f->cap[i];
	if (caps >= FLOW_INF)
		return FLOW_RANGE;
	t0 = now_ms();
	F = max_flow(f, s, t, &x0);
	f->st.maxflow_ms = now_ms() - t0;
	if (value)
		*value = F;
	if (F == FLOW_INF) {
		free(x0);
		return FLOW_UNBOUNDED;
	}
	for (int i = 0; i < f->m; i++)
		if (f->from[i] != s && f->to[i] != t)
			x0[i] = 0;
	memset(f->supply, 0, (size_t)f->n * sizeof *f->supply);
	f->overflow = 0;
	f->supply[s] = F;
	f->supply[t] = -F;
	rc = solve(f, x0);
	free(x0);
	return rc;
}

/* ---- DIMACS ---- */

int flow_write_dimacs(const struct flow *f, FILE *out)
{
	fprintf(out, "c chanjiao flow network\np min %d %d\n", f->n, f->m);
	for (int v = 0; v < f->n; v++)
		if (f->supply[v])
			fprintf(out, "n %d %lld\n", v + 1, (long long)f->supply[v]);
	for (int i = 0; i < f->m; i++)
		fprintf(out, "a %d %d 0 %lld %lld\n", f->from[i] + 1, f->to[i] + 1,
		    (long long)f->cap[i], (long long)f->cost[i]);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
