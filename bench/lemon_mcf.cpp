// lemon_mcf — the reference for bench/flow.sh: reads a DIMACS "p min"
// file (as flow_bench writes it: the supplies are the maximum flow F at
// the source and -F at the sink) and solves it with LEMON's
// NetworkSimplex (block search, its default), int64 flows and costs.
//
//   lemon_mcf FILE [RUNS]
//
// Times the solver only — NetworkSimplex's construction (it copies the
// graph), its maps and run() — not the reading; prints
//   median_ms min_ms cost
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using Graph = lemon::SmartDigraph;
using NS = lemon::NetworkSimplex<Graph, long long, long long>;

int main(int argc, char **argv)
{
	if (argc < 2) {
		std::fprintf(stderr, "usage: lemon_mcf FILE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? std::atoi(argv[2]) : 5;
	FILE *in = std::fopen(argv[1], "r");
	if (!in) {
		std::perror(argv[1]);
		return 1;
	}
	Graph g;
	std::vector<Graph::Node> nodes;
	Graph::ArcMap<long long> cap(g), cost(g);
	Graph::NodeMap<long long> supply(g);
	char line[256];
	while (std::fgets(line, sizeof line, in)) {
		int n, m, u, v;
		long long a, b, c;
		if (line[0] == 'p' && std::sscanf(line, "p min %d %d", &n, &m) == 2) {
			g.reserveNode(n);
			g.reserveArc(m);
			for (int i = 0; i < n; i++)
				nodes.push_back(g.addNode());
			for (int i = 0; i < n; i++)
				supply[nodes[i]] = 0;
		} else if (line[0] == 'n' &&
		    std::sscanf(line, "n %d %lld", &u, &a) == 2) {
			supply[nodes[u - 1]] = a;
		} else if (line[0] == 'a' &&
		    std::sscanf(line, "a %d %d %lld %lld %lld", &u, &v, &a, &b,
		    &c) == 5) {
			Graph::Arc e = g.addArc(nodes[u - 1], nodes[v - 1]);
			cap[e] = b;
			cost[e] = c;
		}
	}
	std::fclose(in);

	std::vector<double> ms;
	long long total = 0;
	for (int r = 0; r < runs; r++) {
		auto t0 = std::chrono::steady_clock::now();
		NS ns(g);
		ns.upperMap(cap).costMap(cost).supplyMap(supply);
		NS::ProblemType pt = ns.run();
		auto t1 = std::chrono::steady_clock::now();
		if (pt != NS::OPTIMAL) {
			std::fprintf(stderr, "lemon_mcf: not optimal (%d)\n", int(pt));
			return 1;
		}
		total = ns.totalCost();
		ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0)
		    .count());
	}
	std::sort(ms.begin(), ms.end());
	std::printf("%.2f %.2f %lld\n", ms[ms.size() / 2], ms[0], total);
	return 0;
}
