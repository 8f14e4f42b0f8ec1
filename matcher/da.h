/*
 * da — student-proposing deferred acceptance with capacities, for
 * apprenticeship.match (docs/matching.md "Definitions"), and the stability
 * check that counts blocking pairs.  Pure.
 *
 * Students and programs are indexes; student index order is student id
 * order (ties in a program's ranking go to the smaller index).  A
 * student's list is explicit (ordered program indexes with the score of
 * that pair); a program ranks the students that list it, and every other
 * eligible student, by (score desc, grade desc with missing last, index
 * asc) — a key computed from the pair, so no program needs its ranking
 * spelt out.  Students of one specialty and year share one list unless
 * they stated prefs.
 *
 * Rounds are those of the round-synchronous process: in each round every
 * unmatched student with programs left proposes to its next one, and each
 * program keeps the best `capacity` of those it held and those new and
 * rejects the rest, who propose in the next round.  The answer is the
 * student-optimal stable matching (unique), whatever the order inside a
 * round.
 *
 * Ranges: nstudents <= UINT32_MAX, nprograms <= INT32_MAX, a list shorter
 * than 2^32; scores finite and grades not NaN (exact comparison); on a
 * list a program index < nprograms appears at most once.
 * Cost: each list entry a student passes is read once (one sequential
 * scan per run of rejections), each held proposal costs O(log capacity).
 * Memory: about 40 bytes a student and 40 a program, 16 per place a
 * program can fill (capacity, bounded by the students listing it), never
 * a copy of a list; lists shared by pointer are walked once to count who
 * lists each program.
 * Deterministic; no global state, so distinct calls may run in parallel.
 */
#ifndef CJ_DA_H
#define CJ_DA_H

#include <stddef.h>
#include <stdint.h>

/*
 * A pair's score in units of 1e-9: match_score rounds scores to 1e-9, so
 * score × 1e9 is an exact integer ≤ 1e9.  Half the bytes of a double in
 * lists of thousands of programs for each of thousands of groups.
 */
typedef uint32_t da_score;

/* A ranked list of programs, most wanted first, each with the pair's
 * score.  The caller owns it; da never writes it and keeps no pointer. */
struct da_list {
	const uint32_t *prog;
	const da_score *score;
	size_t n;
};

struct da_in {
	size_t nstudents, nprograms;
	const struct da_list *list;        /* [nstudents]: each student's list */
	const double *grade;               /* [nstudents]; < 0: missing */
	const long long *capacity;         /* [nprograms] */
	const volatile int *cancel;        /* non-NULL and set: stop (read
	                                      between rounds, every 65,536
	                                      proposers and while checking) */
};

struct da_out {
	int32_t *match;                    /* [nstudents]: program or -1;
	                                      da_match allocates, da_out_free
	                                      frees */
	long long rounds;
	long long blocking_pairs;          /* by checking the answer */
	int cancelled;
};

/* Run deferred acceptance, then count blocking pairs (da_blocking).  0,
 * or -1 if cancelled (out then holds nothing: match NULL, cancelled 1). */
int da_match(const struct da_in *in, struct da_out *out);
/*
 * The blocking pairs of match: (s, p) with p on s's list before s's
 * program (anywhere, if s is unmatched), where p has room (fewer held
 * than capacity) or holds a student it ranks below s.  match[s] is -1 or
 * a program; one not on s's list counts as unmatched.  Ignores cancel.
 */
long long da_blocking(const struct da_in *in, const int32_t *match);
/* 1 when a program ranks a before b (sa, sb: the scores of a and b with
 * it); 0 when a == b and sa == sb.  Reads only in->grade. */
int da_prefers(const struct da_in *in, uint32_t a, da_score sa, uint32_t b,
    da_score sb);
void da_out_free(struct da_out *o);

#endif
