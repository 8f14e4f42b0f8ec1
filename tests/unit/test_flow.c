/*
 * test_flow — the network simplex of flow.h: hand-made networks with
 * known answers (infeasible supplies, zero capacities, parallel arcs,
 * loops, negative costs and cycles, unbounded cycles, the int64 range),
 * then random networks solved again by GLPK as an independent oracle:
 * the same problem as an LP, solved by glp_simplex and confirmed in
 * exact rational arithmetic by glp_exact, optimal costs compared
 * exactly; for flow_max_min_cost the maximum flow from
 * glp_maxflow_ffalg and the cost from the LP with that flow fixed.
 * Unboundedness is decided on the test's side (a negative cycle of
 * unbounded arcs by Bellman–Ford, an unbounded s→t path by search).
 * The random networks: general ones (loops, parallel, zero and unbounded
 * capacities, costs up to 1, 50 or 1e9, some all zero) and fair-shaped
 * ones (source → directions → postings → sink, scores ×1e9, some with
 * only two or three distinct scores, so pivots are mostly degenerate).
 *
 * Every returned flow is also checked on its own: within capacities,
 * conserving the supplies, and costing what flow_cost says; every solve
 * is repeated with 128-bit potentials forced and must give the same
 * flows; a few are repeated to check they come out the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "check.h"
#include "flow.h"

static int64_t rndr(int64_t lo, int64_t hi)   /* uniform in [lo, hi] */
{
	return lo + (int64_t)(check_rand() % (uint64_t)(hi - lo + 1));
}

/* GLPK's terminal output off in every test's child. */
SETUP
{
	glp_term_out(GLP_OFF);
}

/* ---- a network kept on the test's side, to hand to both solvers ---- */

struct net {
	int n, m;
	int from[4096], to[4096];
	int64_t cap[4096], cost[4096];
	int64_t supply[512];
};

static void net_arc(struct net *g, int u, int v, int64_t cap, int64_t cost)
{
	g->from[g->m] = u;
	g->to[g->m] = v;
	g->cap[g->m] = cap;
	g->cost[g->m] = cost;
	g->m++;
}

static struct flow *net_flow(const struct net *g)
{
	struct flow *f = flow_new(g->n);

	for (int i = 0; i < g->m; i++)
		CHECK_EQ_INT(flow_arc(f, g->from[i], g->to[i], g->cap[i],
		    g->cost[i]), i);
	for (int v = 0; v < g->n; v++)
		if (g->supply[v])
			flow_supply(f, v, g->supply[v]);
	return f;
}

/* The flow of f is feasible for g's supplies and costs flow_cost(f). */
static void check_flow(const struct net *g, const struct flow *f,
    const int64_t *supply)
{
	__int128 total = 0;
	int64_t net[512] = {0};
	int ok = 1;

	for (int i = 0; i < g->m; i++) {
		int64_t x = flow_get(f, i);
		if (x < 0 || x > g->cap[i])
			ok = 0;
		net[g->from[i]] += x;
		net[g->to[i]] -= x;
		total += (__int128)x * g->cost[i];
	}
	for (int v = 0; v < g->n; v++)
		if (net[v] != supply[v])
			ok = 0;
	CHECKF(ok, "flow infeasible");
	CHECK(total == flow_cost(f));
}

/* ---- the GLPK oracle ---- */

enum { ORA_OPT, ORA_NOFEAS, ORA_UNBND };

/*
 * min Σ cost·x, 0 ≤ x ≤ cap (none above for FLOW_INF), out − in =
 * supply, solved exactly.  The status, and the optimum in *obj.
 */
static int lp_mincost(const struct net *g, const int64_t *supply,
    int64_t *obj)
{
	glp_prob *lp = glp_create_prob();
	int *ia = malloc((2 * (size_t)g->m + 1) * sizeof *ia);
	int *ja = malloc((2 * (size_t)g->m + 1) * sizeof *ja);
	double *ar = malloc((2 * (size_t)g->m + 1) * sizeof *ar);
	int ne = 0, rc;
	glp_smcp parm;

	glp_set_obj_dir(lp, GLP_MIN);
	glp_add_rows(lp, g->n);
	for (int v = 0; v < g->n; v++)
		glp_set_row_bnds(lp, v + 1, GLP_FX, (double)supply[v],
		    (double)supply[v]);
	if (g->m)
		glp_add_cols(lp, g->m);
	for (int i = 0; i < g->m; i++) {
		int j = i + 1;
		if (g->cap[i] == FLOW_INF)
			glp_set_col_bnds(lp, j, GLP_LO, 0, 0);
		else if (g->cap[i] == 0)
			glp_set_col_bnds(lp, j, GLP_FX, 0, 0);
		else
			glp_set_col_bnds(lp, j, GLP_DB, 0, (double)g->cap[i]);
		glp_set_obj_coef(lp, j, (double)g->cost[i]);
		if (g->from[i] == g->to[i])
			continue;           /* a loop leaves every row as it is */
		ne++, ia[ne] = g->from[i] + 1, ja[ne] = j, ar[ne] = 1;
		ne++, ia[ne] = g->to[i] + 1, ja[ne] = j, ar[ne] = -1;
	}
	glp_load_matrix(lp, ne, ia, ja, ar);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	glp_simplex(lp, &parm);
	glp_exact(lp, &parm);
	switch (glp_get_status(lp)) {
	case GLP_OPT:
		rc = ORA_OPT;
		*obj = llround(glp_get_obj_val(lp));
		break;
	case GLP_UNBND:
		rc = ORA_UNBND;
		break;
	default:
		rc = ORA_NOFEAS;
		break;
	}
	glp_delete_prob(lp);
	free(ia);
	free(ja);
	free(ar);
	return rc;
}

/* The maximum s→t flow by Ford–Fulkerson; unbounded caps as Σ caps + 1. */
static int64_t glpk_maxflow(const struct net *g, int s, int t)
{
	glp_graph *G = glp_create_graph(0, sizeof(double));
	double big = 1, sol = 0;

	for (int i = 0; i < g->m; i++)
		if (g->cap[i] != FLOW_INF)
			big += (double)g->cap[i];
	glp_add_vertices(G, g->n);
	for (int i = 0; i < g->m; i++) {
		if (g->from[i] == g->to[i])
			continue;
		glp_arc *a = glp_add_arc(G, g->from[i] + 1, g->to[i] + 1);
		double c = g->cap[i] == FLOW_INF ? big : (double)g->cap[i];
		memcpy(a->data, &c, sizeof c);
	}
	CHECK_EQ_INT(glp_maxflow_ffalg(G, s + 1, t + 1, 0, &sol, -1, -1), 0);
	glp_delete_graph(G);
	return llround(sol);
}

/* Whether the arcs of unbounded capacity hold a negative-cost cycle. */
static int inf_negative_cycle(const struct net *g)
{
	int64_t d[512] = {0};

	for (int round = 0; round <= g->n; round++) {
		int changed = 0;
		for (int i = 0; i < g->m; i++)
			if (g->cap[i] == FLOW_INF &&
			    d[g->from[i]] + g->cost[i] < d[g->to[i]]) {
				d[g->to[i]] = d[g->from[i]] + g->cost[i];
				changed = 1;
			}
		if (!changed)
			return 0;
	}
	return 1;
}

/* Whether an s→t path of unbounded arcs exists. */
static int inf_path(const struct net *g, int s, int t)
{
	char seen[512] = {0};

	seen[s] = 1;
	for (int round = 0; round < g->n; round++)
		for (int i = 0; i < g->m; i++)
			if (g->cap[i] == FLOW_INF && seen[g->from[i]])
				seen[g->to[i]] = 1;
	return seen[t];
}

/* ---- hand cases ---- */

static enum flow_status solve_one(struct net *g, struct flow **out)
{
	struct flow *f = net_flow(g);
	enum flow_status st = flow_solve(f);

	if (st == FLOW_OPTIMAL)
		check_flow(g, f, g->supply);
	*out = f;
	return st;
}

TEST(tiny)
{
	struct net g = {.n = 2};
	struct flow *f;

	CHECK_CTX("one arc");
	net_arc(&g, 0, 1, 10, 3);
	g.supply[0] = 5, g.supply[1] = -5;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 5);
	CHECK_EQ_INT(flow_cost(f), 15);
	flow_free(f);

	CHECK_CTX("two routes");
	memset(&g, 0, sizeof g);
	g.n = 3;                       /* 0 → 2 direct at 3, or via 1 at 2 */
	net_arc(&g, 0, 2, 2, 3);
	net_arc(&g, 0, 1, 3, 1);
	net_arc(&g, 1, 2, 3, 1);
	g.supply[0] = 4, g.supply[2] = -4;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 1);
	CHECK_EQ_INT(flow_get(f, 1), 3);
	CHECK_EQ_INT(flow_cost(f), 9);
	flow_free(f);

	CHECK_CTX("no supply, no arcs");
	memset(&g, 0, sizeof g);
	g.n = 3;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_cost(f), 0);
	flow_free(f);

	CHECK_CTX("no nodes");
	f = flow_new(0);
	CHECK_EQ_INT(flow_solve(f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_arc(f, 0, 0, 1, 1), -1);
	flow_free(f);
	CHECK_CTX("");
}

TEST(infeasible)
{
	struct net g = {.n = 3};
	struct flow *f;

	CHECK_CTX("too little capacity");
	net_arc(&g, 0, 1, 2, 1);
	net_arc(&g, 1, 2, 5, 1);
	g.supply[0] = 3, g.supply[2] = -3;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_INFEASIBLE);
	CHECK_EQ_INT(flow_get(f, 0), 0);
	CHECK_EQ_INT(flow_cost(f), 0);
	flow_free(f);

	CHECK_CTX("unbalanced supplies");
	memset(&g, 0, sizeof g);
	g.n = 2;
	net_arc(&g, 0, 1, 10, 1);
	g.supply[0] = 3, g.supply[1] = -2;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_INFEASIBLE);
	flow_free(f);

	CHECK_CTX("no path");
	memset(&g, 0, sizeof g);
	g.n = 3;
	net_arc(&g, 1, 0, 10, 1);      /* the wrong way */
	net_arc(&g, 2, 1, 10, 1);
	g.supply[0] = 1, g.supply[2] = -1;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_INFEASIBLE);
	flow_free(f);
	CHECK_CTX("");
}

TEST(zero_parallel_loops)
{
	struct net g = {.n = 2};
	struct flow *f;

	CHECK_CTX("zero capacity only");
	net_arc(&g, 0, 1, 0, -5);
	g.supply[0] = 1, g.supply[1] = -1;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_INFEASIBLE);
	flow_free(f);

	CHECK_CTX("zero capacity beside");
	net_arc(&g, 0, 1, 4, 7);
	net_arc(&g, 1, 0, 0, -100);    /* a negative cycle with no room */
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 0);
	CHECK_EQ_INT(flow_get(f, 1), 1);
	CHECK_EQ_INT(flow_get(f, 2), 0);
	CHECK_EQ_INT(flow_cost(f), 7);
	flow_free(f);

	CHECK_CTX("parallel arcs");
	memset(&g, 0, sizeof g);
	g.n = 2;
	net_arc(&g, 0, 1, 3, 5);
	net_arc(&g, 0, 1, 2, 1);
	net_arc(&g, 0, 1, 10, 9);
	net_arc(&g, 0, 1, 2, 1);
	g.supply[0] = 8, g.supply[1] = -8;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 3);
	CHECK_EQ_INT(flow_get(f, 1), 2);
	CHECK_EQ_INT(flow_get(f, 2), 1);
	CHECK_EQ_INT(flow_get(f, 3), 2);
	CHECK_EQ_INT(flow_cost(f), 15 + 2 + 9 + 2);
	flow_free(f);

	CHECK_CTX("loops");
	memset(&g, 0, sizeof g);
	g.n = 2;
	net_arc(&g, 0, 0, 3, -4);      /* filled: it pays */
	net_arc(&g, 1, 1, 3, 4);       /* empty */
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 3);
	CHECK_EQ_INT(flow_get(f, 1), 0);
	CHECK_EQ_INT(flow_cost(f), -12);
	flow_free(f);
	net_arc(&g, 1, 1, FLOW_INF, -1);
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_UNBOUNDED);
	flow_free(f);
	CHECK_CTX("");
}

TEST(negative)
{
	struct net g = {.n = 3};
	struct flow *f;

	CHECK_CTX("negative cycle, finite");
	net_arc(&g, 0, 1, 4, -1);
	net_arc(&g, 1, 2, 6, -1);
	net_arc(&g, 2, 0, 5, 1);
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 4);
	CHECK_EQ_INT(flow_get(f, 1), 4);
	CHECK_EQ_INT(flow_get(f, 2), 4);
	CHECK_EQ_INT(flow_cost(f), -4);
	flow_free(f);

	CHECK_CTX("negative costs, with supplies");
	g.supply[0] = 2, g.supply[2] = -2;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_get(f, 0), 4);   /* 0→1→2 carries 4, 2→0 returns 2 */
	CHECK_EQ_INT(flow_get(f, 2), 2);
	CHECK_EQ_INT(flow_cost(f), -6);
	flow_free(f);

	CHECK_CTX("negative cycle, unbounded");
	memset(&g, 0, sizeof g);
	g.n = 4;
	net_arc(&g, 0, 1, 5, 1);
	net_arc(&g, 1, 2, FLOW_INF, -3);
	net_arc(&g, 2, 3, FLOW_INF, 1);
	net_arc(&g, 3, 1, FLOW_INF, 1);
	g.supply[0] = 1, g.supply[3] = -1;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_UNBOUNDED);
	CHECK_EQ_INT(flow_get(f, 0), 0);
	flow_free(f);

	CHECK_CTX("one finite arc bounds the cycle");
	g.cap[3] = 7;
	CHECK_EQ_INT(solve_one(&g, &f), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_cost(f), 1 - 3 + 1 - 7);
	flow_free(f);
	CHECK_CTX("");
}

TEST(max_min_cost)
{
	struct net g = {.n = 4};
	struct flow *f;
	int64_t v;

	CHECK_CTX("most flow before least cost");
	net_arc(&g, 0, 3, 1, 0);
	net_arc(&g, 0, 1, 1, 100);
	net_arc(&g, 1, 3, 1, 100);
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 3, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 2);
	CHECK_EQ_INT(flow_cost(f), 200);
	flow_free(f);

	CHECK_CTX("least cost among maximum flows");
	memset(&g, 0, sizeof g);
	g.n = 4;
	net_arc(&g, 0, 1, 3, 0);
	net_arc(&g, 0, 2, 3, 0);
	net_arc(&g, 1, 3, 2, -5);
	net_arc(&g, 2, 3, 2, -1);
	net_arc(&g, 1, 2, 1, 0);
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 3, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 4);
	CHECK_EQ_INT(flow_cost(f), -12);
	flow_free(f);

	CHECK_CTX("supplies are replaced");
	g.supply[1] = 7, g.supply[2] = -7;
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 3, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 4);
	flow_free(f);

	CHECK_CTX("no path");
	memset(&g, 0, sizeof g);
	g.n = 3;
	net_arc(&g, 0, 1, 3, 1);
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 2, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(flow_cost(f), 0);
	flow_free(f);

	CHECK_CTX("unbounded flow");
	memset(&g, 0, sizeof g);
	g.n = 3;
	net_arc(&g, 0, 1, FLOW_INF, 1);
	net_arc(&g, 1, 2, FLOW_INF, 1);
	net_arc(&g, 0, 2, 5, 1);
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 2, &v), FLOW_UNBOUNDED);
	CHECK(v == FLOW_INF);
	flow_free(f);

	CHECK_CTX("unbounded cost");
	memset(&g, 0, sizeof g);
	g.n = 3;
	net_arc(&g, 0, 2, 5, 1);
	net_arc(&g, 1, 1, FLOW_INF, -1);
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 2, &v), FLOW_UNBOUNDED);
	CHECK_EQ_INT(v, 5);
	flow_free(f);

	CHECK_CTX("bad ends");
	f = net_flow(&g);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 0, &v), FLOW_INFEASIBLE);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 3, &v), FLOW_INFEASIBLE);
	CHECK_EQ_INT(flow_max_min_cost(f, -1, 2, NULL), FLOW_INFEASIBLE);
	flow_free(f);
	CHECK_CTX("");
}

TEST(range)
{
	struct flow *f = flow_new(3);
	int64_t v;

	CHECK_CTX("arguments");
	CHECK_EQ_INT(flow_arc(f, 0, 3, 1, 1), -1);
	CHECK_EQ_INT(flow_arc(f, -1, 0, 1, 1), -1);
	CHECK_EQ_INT(flow_arc(f, 0, 1, -1, 1), -1);
	CHECK_EQ_INT(flow_arc(f, 0, 1, 1, INT64_MIN), -1);
	CHECK_EQ_INT(flow_get(f, -1), 0);
	CHECK_EQ_INT(flow_get(f, 0), 0);
	flow_supply(f, 9, 1);          /* ignored */
	CHECK_EQ_INT(flow_solve(f), FLOW_OPTIMAL);

	CHECK_CTX("capacities beyond int64");
	CHECK_EQ_INT(flow_arc(f, 0, 1, INT64_MAX - 1, 1), 0);
	CHECK_EQ_INT(flow_arc(f, 1, 2, INT64_MAX - 1, 1), 1);
	CHECK_EQ_INT(flow_solve(f), FLOW_RANGE);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 2, &v), FLOW_RANGE);
	flow_free(f);

	CHECK_CTX("supply beyond int64");
	f = flow_new(2);
	flow_arc(f, 0, 1, 5, 1);
	flow_supply(f, 0, INT64_MAX);
	flow_supply(f, 0, 1);
	flow_supply(f, 1, -1);
	CHECK_EQ_INT(flow_solve(f), FLOW_RANGE);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 1, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 5);            /* supplies replaced: in range again */
	flow_free(f);

	CHECK_CTX("cost beyond int64");
	f = flow_new(2);
	flow_arc(f, 0, 1, 100, INT64_MAX / 10);
	flow_supply(f, 0, 50), flow_supply(f, 1, -50);
	CHECK_EQ_INT(flow_solve(f), FLOW_RANGE);
	CHECK_EQ_INT(flow_cost(f), 0);
	flow_free(f);

	/*
	 * Costs near int64's end on a long path: potentials reach ~n·1e18,
	 * beyond int64, while the optimum (a cheap detour) fits.
	 */
	CHECK_CTX("huge costs");
	enum { L = 40 };
	const int64_t H = 4000000000000000000;
	f = flow_new(L + 1);
	for (int i = 0; i < L; i++) {
		flow_arc(f, i, i + 1, 1, i % 2 ? -H : H);
		flow_arc(f, i + 1, i, 1, i % 2 ? H - 1 : -H + 1);
	}
	flow_arc(f, 0, L, 1, H / 2 * 3);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, L, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(v, 2);
	/*
	 * The chain's arcs cost H − H + ... = 0; the odd segments' 2-cycles
	 * (cost −1) cannot be used, the chain needs their forward arcs.
	 */
	CHECK_EQ_INT(flow_cost(f), H / 2 * 3);
	flow_free(f);
	CHECK_CTX("");
}

/* ---- DIMACS and determinism ---- */

TEST(dimacs)
{
	struct flow *f = flow_new(3);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int64_t v;

	flow_arc(f, 0, 1, 4, -2);
	flow_arc(f, 1, 2, FLOW_INF, 3);
	CHECK_EQ_INT(flow_max_min_cost(f, 0, 2, &v), FLOW_OPTIMAL);
	CHECK_EQ_INT(flow_write_dimacs(f, out), 0);
	fclose(out);
	CHECK_STR(buf, "c chanjiao flow network\n"
	    "p min 3 2\n"
	    "n 1 4\n"
	    "n 3 -4\n"
	    "a 1 2 0 4 -2\n"
	    "a 2 3 0 9223372036854775807 3\n");
	free(buf);
	flow_free(f);
}

static struct net rg;                  /* the random network at hand */

/* A random network: n nodes, m arcs, costs up to cmax, some unbounded. */
static void random_net(int n, int m, int64_t cmax, int inf_pct, int neg)
{
	memset(&rg, 0, sizeof rg);
	rg.n = n;
	for (int i = 0; i < m; i++) {
		int u = (int)rndr(0, n - 1), v = (int)rndr(0, n - 1);
		int64_t cap = rndr(0, 9) == 0 ? 0 : rndr(1, 30);
		if ((int)rndr(0, 99) < inf_pct)
			cap = FLOW_INF;
		int64_t cost = rndr(neg ? -cmax : 0, cmax);
		net_arc(&rg, u, v, cap, cost);
	}
	/* supplies in matched pairs, so Σ = 0 */
	for (int k = (int)rndr(0, n); k > 0; k--) {
		int u = (int)rndr(0, n - 1), v = (int)rndr(0, n - 1);
		int64_t b = rndr(1, 12);
		rg.supply[u] += b;
		rg.supply[v] -= b;
	}
}

/*
 * A fair-shaped network: 0 source, 1 sink, D directions, P postings;
 * source→direction cap supply, direction→posting cap headcount (some
 * unbounded) cost −round(score·1e9), posting→sink cap headcount.
 */
static void random_fair(int D, int P, int per, int levels)
{
	memset(&rg, 0, sizeof rg);
	rg.n = 2 + D + P;
	for (int d = 0; d < D; d++)
		net_arc(&rg, 0, 2 + d, rndr(0, 3 * P / D + 3), 0);
	for (int p = 0; p < P; p++) {
		int64_t head = rndr(1, 6);
		for (int k = (int)rndr(0, per); k > 0; k--) {
			/* scores rounded to 1e-9, many of them equal */
			int64_t sc = rndr(0, 3) == 0 ? 500000000 + rndr(0, 4) :
			    rndr(0, 1000000000);
			if (levels)         /* few distinct scores: degenerate */
				sc = rndr(0, levels - 1) * 100000000;
			net_arc(&rg, 2 + (int)rndr(0, D - 1), 2 + D + p,
			    rndr(0, 4) == 0 ? FLOW_INF : head, -sc);
		}
		net_arc(&rg, 2 + D + p, 1, head, 0);
	}
}

static int runs, agree_opt, agree_infeas, agree_unbnd;

/*
 * The same solve with 128-bit potentials forced: the arithmetic is exact
 * both ways, so the pivots, the status and the flows must be the same.
 */
static void check_wide(const struct flow *f, enum flow_status st, int s,
    int t)
{
	struct flow *g = net_flow(&rg);
	enum flow_status sg;
	int same = 1;

	flow_set_wide(g, 1);
	sg = s < 0 ? flow_solve(g) : flow_max_min_cost(g, s, t, NULL);
	CHECK_EQ_INT(sg, st);
	for (int i = 0; i < rg.m; i++)
		same &= flow_get(f, i) == flow_get(g, i);
	CHECKF(same && flow_cost(f) == flow_cost(g), "wide differs");
	flow_free(g);
}

/* flow_solve against the LP. */
static void compare_solve(void)
{
	struct flow *f = net_flow(&rg);
	enum flow_status st = flow_solve(f);
	int64_t obj = 0;
	int ora = lp_mincost(&rg, rg.supply, &obj);

	check_wide(f, st, -1, -1);
	runs++;
	if (inf_negative_cycle(&rg)) {
		CHECK_EQ_INT(st, FLOW_UNBOUNDED);
		CHECK(ora != ORA_OPT);
		agree_unbnd += st == FLOW_UNBOUNDED;
	} else if (ora == ORA_NOFEAS) {
		CHECK_EQ_INT(st, FLOW_INFEASIBLE);
		agree_infeas += st == FLOW_INFEASIBLE;
	} else {
		CHECK_EQ_INT(ora, ORA_OPT);
		CHECK_EQ_INT(st, FLOW_OPTIMAL);
		if (st == FLOW_OPTIMAL) {
			check_flow(&rg, f, rg.supply);
			CHECK_EQ_INT(flow_cost(f), obj);
			agree_opt += flow_cost(f) == obj;
		}
	}
	flow_free(f);
}

/* flow_max_min_cost against Ford–Fulkerson and the LP at that value. */
static void compare_max_min_cost(int s, int t)
{
	struct flow *f = net_flow(&rg);
	int64_t v = -1, obj = 0, st_sup[512] = {0};
	enum flow_status st = flow_max_min_cost(f, s, t, &v);

	check_wide(f, st, s, t);
	runs++;
	if (inf_path(&rg, s, t)) {
		CHECK_EQ_INT(st, FLOW_UNBOUNDED);
		CHECK(v == FLOW_INF);
		agree_unbnd += st == FLOW_UNBOUNDED;
		flow_free(f);
		return;
	}
	int64_t F = glpk_maxflow(&rg, s, t);
	CHECK_EQ_INT(v, F);
	st_sup[s] = F;
	st_sup[t] = -F;
	int ora = lp_mincost(&rg, st_sup, &obj);
	if (inf_negative_cycle(&rg)) {
		CHECK_EQ_INT(st, FLOW_UNBOUNDED);
		CHECK_EQ_INT(ora, ORA_UNBND);
		agree_unbnd += st == FLOW_UNBOUNDED;
	} else {
		CHECK_EQ_INT(ora, ORA_OPT);
		CHECK_EQ_INT(st, FLOW_OPTIMAL);
		if (st == FLOW_OPTIMAL) {
			check_flow(&rg, f, st_sup);
			CHECK_EQ_INT(flow_cost(f), obj);
			agree_opt += flow_cost(f) == obj;
		}
	}
	flow_free(f);
}

/* The same network solved twice gives the same flows. */
static void check_deterministic(void)
{
	struct flow *a = net_flow(&rg), *b = net_flow(&rg);
	int64_t va, vb;
	int same = 1;

	flow_max_min_cost(a, 0, 1, &va);
	flow_max_min_cost(b, 0, 1, &vb);
	for (int i = 0; i < rg.m; i++)
		same &= flow_get(a, i) == flow_get(b, i);
	CHECK(same && va == vb);
	flow_free(a);
	flow_free(b);
}

TEST(random)
{
	static const int64_t cmax[] = {50, 1000000000, 1, 50, 0};
	char ctx[64];

	for (int k = 0; k < 400; k++) {
		snprintf(ctx, sizeof ctx, "random solve %d", k);
		CHECK_CTX(ctx);
		int n = (int)rndr(2, 16);
		random_net(n, (int)rndr(0, 4 * n), cmax[k % 5],
		    k % 4 ? 0 : 40, k % 4 == 0 || k % 2);
		compare_solve();
	}
	for (int k = 0; k < 200; k++) {
		snprintf(ctx, sizeof ctx, "random max-min-cost %d", k);
		CHECK_CTX(ctx);
		int n = (int)rndr(2, 16);
		random_net(n, (int)rndr(0, 4 * n), cmax[k % 5],
		    k % 4 ? 0 : 10, k % 2);
		compare_max_min_cost(0, n - 1);
	}
	for (int k = 0; k < 200; k++) {
		snprintf(ctx, sizeof ctx, "random fair %d", k);
		CHECK_CTX(ctx);
		random_fair((int)rndr(1, 8), (int)rndr(1, 60), (int)rndr(1, 5),
		    k % 3 ? 0 : (int)rndr(1, 3));
		compare_max_min_cost(0, 1);
		if (k % 10 == 0)
			check_deterministic();
	}
	for (int k = 0; k < 6; k++) {
		snprintf(ctx, sizeof ctx, "larger %d", k);
		CHECK_CTX(ctx);
		if (k % 2)
			random_fair(18, 300, 4, k == 3 ? 2 : 0);
		else
			random_net(200, 1500, 1000000000, 2, 1);
		if (k % 2)
			compare_max_min_cost(0, 1);
		else
			compare_solve();
	}
	CHECK_CTX("");
	printf("random: %d networks, agreeing on %d optima, %d infeasible, "
	    "%d unbounded\n", runs, agree_opt, agree_infeas, agree_unbnd);
}
