/*
 * Synthetic data for the benchmark (bench/README.md): many territories of
 * plausible French civic content, written fast and the same way at every
 * run, so that figures measured on two machines, or before and after a
 * change, compare. Not the demo: nothing here is meant to be read by people.
 */
#ifndef DOMAIN_BENCHSEED_H
#define DOMAIN_BENCHSEED_H

#include <stdint.h>

struct db;

/* How much to write. 0 for needs means half the initiatives. */
struct bench_sizes {
	unsigned territories; /* 1..1000; the first is served on any unknown host (localhost) */
	unsigned initiatives;
	unsigned needs;
	unsigned people;
	unsigned comments; /* on initiatives; every 1000th has exactly 50 */
	unsigned offers; /* by accredited partners; projects get needs they answer */
};

/*
 * Fill a migrated database that has no territory and no person yet. Ids
 * are given explicitly from 1, and rows of a list are written oldest first,
 * so that ids grow with dates. Writes in large transactions; on SQLite with
 * synchronous=OFF for the seed only. Prints what it wrote and how long it
 * took on stdout. 0 or -1 (logged; what was committed stays).
 */
int bench_seed(struct db *db, const struct bench_sizes *sizes);

/*
 * The raw rate of durable single-row commits on this database: for
 * `seconds`, one transaction per row (a contact message of the first
 * territory, the durability settings the server uses), then the probe rows
 * are deleted. *per_second and *commits get the result. 0 or -1.
 */
int bench_commit_rate(struct db *db, unsigned seconds, double *per_second, uint64_t *commits);

#endif
