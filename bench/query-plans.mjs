#!/usr/bin/env node
// The query plans of the pages' list queries on a seeded benchmark database:
//   node bench/query-plans.mjs sqlite:var/bench/bench-1M.db
//   node bench/query-plans.mjs postgres://USER@HOST:PORT/NAME
// Flags a query that reads a whole table or index range it does not need
// (SQLite "SCAN", PostgreSQL "Seq Scan") or sorts (SQLite "TEMP B-TREE",
// PostgreSQL "Sort"), and times the second of two runs of each: one over 10 ms is flagged
// too, since an index range that covers the whole territory is a scan all
// the same. The SQL is copied from
// src/domain/ (as of the date of bench/results/ files); the parameters are
// those of the first territory (the one served on localhost).

import { spawnSync } from 'node:child_process';

const url = process.argv[2];
if (!url) {
	process.stderr.write('usage: node bench/query-plans.mjs sqlite:PATH | postgres://...\n');
	process.exit(2);
}
const pg = /^postgres(ql)?:\/\//.test(url);
const file = url.replace(/^sqlite:/, '');

function sql(cmd) {
	const r = pg
		? spawnSync('psql', [url, '-X', '-q', '-At', '-c', cmd], { encoding: 'utf8' })
		: spawnSync('sqlite3', ['-readonly', file], { input: `${cmd}\n`, encoding: 'utf8' });
	if (r.status !== 0 || (!pg && r.stderr)) throw new Error(`${cmd}\n${r.stderr}`);
	return r.stdout.trim();
}

const one = (q) => sql(q).split('\n')[0];
const SLOW_MS = 10;
const SMALL = ['themes', 'neighbourhoods', 'territories', 'territory_hosts'];
const T = 1;
const P = {
	T,
	before: '9223372036854775807',
	theme: one(`SELECT id FROM themes WHERE territory_id = ${T} AND slug = 'solidarite'`),
	need: one(`SELECT MAX(need_id) FROM initiative_needs x JOIN needs n ON n.id = x.need_id WHERE n.territory_id = ${T}`),
	quietNeed: one(`SELECT MAX(id) FROM needs WHERE territory_id = ${T} AND idea_count = 0`),
	org: one(`SELECT carrier_org_id FROM initiatives WHERE territory_id = ${T} AND carrier_org_id IS NOT NULL ORDER BY id DESC LIMIT 1`),
	author: one(`SELECT author_id FROM initiatives WHERE territory_id = ${T} ORDER BY id DESC LIMIT 1`),
	initiative: one(`SELECT MAX(initiative_id) FROM initiative_needs x JOIN initiatives i ON i.id = x.initiative_id WHERE i.territory_id = ${T}`),
};

const INITIATIVE_LIST_COLUMNS = 'SELECT i.id, i.title, substr(i.summary, 1, 260), i.stage, i.outcome_kind,' +
	' i.support_count, i.comment_count, i.created_at, t.slug, t.name, h.name,' +
	' u.id, u.display_name, o.slug, o.name' +
	' FROM initiatives i LEFT JOIN themes t ON t.id = i.theme_id' +
	' LEFT JOIN neighbourhoods h ON h.id = i.neighbourhood_id' +
	' LEFT JOIN users u ON u.id = i.author_id' +
	' LEFT JOIN organisations o ON o.id = i.carrier_org_id';
const PAGE = ` AND i.id < ${P.before} ORDER BY i.id DESC LIMIT 21`;
const NEED_LIST_COLUMNS = 'SELECT n.id, n.title, substr(n.body, 1, 240), n.metoo_count, n.idea_count,' +
	' n.created_at, t.slug, t.name, h.name, u.id, u.display_name' +
	' FROM needs n LEFT JOIN themes t ON t.id = n.theme_id' +
	' LEFT JOIN neighbourhoods h ON h.id = n.neighbourhood_id' +
	' LEFT JOIN users u ON u.id = n.author_id';
const NPAGE = ` AND n.id < ${P.before} ORDER BY n.id DESC LIMIT 21`;
const ORG_COLUMNS = 'SELECT id, slug, name, kind, summary, website, CASE WHEN accredited_at IS NULL THEN 0 ELSE 1 END,' +
	' description, is_partner, created_at FROM organisations';

const queries = [
	['home: need counts (need_counts)', `SELECT COUNT(*), COALESCE(SUM(CASE WHEN idea_count = 0 THEN 1 ELSE 0 END), 0) FROM needs WHERE territory_id = ${T}`],
	['home: initiatives per stage (initiative_stage_counts)', `SELECT stage, COUNT(*) FROM initiatives WHERE territory_id = ${T} GROUP BY stage`],
	['home, /needs: newest needs (need_list)', `${NEED_LIST_COLUMNS} WHERE n.territory_id = ${T}${NPAGE}`],
	['/needs?without_idea=1 (need_list)', `${NEED_LIST_COLUMNS} WHERE n.territory_id = ${T} AND n.idea_count = 0${NPAGE}`],
	['home, /initiatives (initiative_list)', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T}${PAGE}`],
	['/initiatives?stage=', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.stage = 'idea'${PAGE}`],
	['/initiatives?theme=', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.theme_id = ${P.theme}${PAGE}`],
	['/initiatives?stage=&theme=', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.stage = 'idea' AND i.theme_id = ${P.theme}${PAGE}`],
	['/initiatives?stage=realised&theme= (rarer pair)', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.stage = 'realised' AND i.theme_id = ${P.theme}${PAGE}`],
	['/needs/{id}: initiatives answering it (initiative_list_by_need)', `${INITIATIVE_LIST_COLUMNS} WHERE +i.territory_id = ${T} AND i.id IN (SELECT initiative_id FROM initiative_needs WHERE need_id = ${P.need})${PAGE}`],
	['/needs/{id} of a need no idea answers', `${INITIATIVE_LIST_COLUMNS} WHERE +i.territory_id = ${T} AND i.id IN (SELECT initiative_id FROM initiative_needs WHERE need_id = ${P.quietNeed})${PAGE}`],
	['/initiatives/{id}: its needs (initiative_needs)', `SELECT n.id, n.title FROM initiative_needs x JOIN needs n ON n.id = x.need_id WHERE x.initiative_id = ${P.initiative} ORDER BY n.id DESC LIMIT 20`],
	['/organisations/{slug}: what it carries (initiative_list_by_carrier)', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.carrier_org_id = ${P.org}${PAGE}`],
	['profile: initiatives of a person (initiative_list_by_author)', `${INITIATIVE_LIST_COLUMNS} WHERE i.territory_id = ${T} AND i.author_id = ${P.author}${PAGE}`],
	['profile: needs of a person (need_list_by_author)', `${NEED_LIST_COLUMNS} WHERE n.territory_id = ${T} AND n.author_id = ${P.author}${NPAGE}`],
	['/partners (organisation_list)', `${ORG_COLUMNS} WHERE territory_id = ${T} AND is_partner = 1 ORDER BY name, id LIMIT 1000`],
	['/organisations (organisation_list)', `${ORG_COLUMNS} WHERE territory_id = ${T} AND is_partner = 0 ORDER BY name, id LIMIT 1000`],
	['list filters: themes (theme_list)', `SELECT id, slug, name FROM themes WHERE territory_id = ${T} ORDER BY name, id LIMIT 200`],
	['admin: people with a role (role_list)', `SELECT r.user_id, u.display_name, r.role, r.granted_at FROM roles r JOIN users u ON u.id = r.user_id WHERE r.territory_id = ${T} AND r.user_id < ${P.before} ORDER BY r.user_id DESC LIMIT 51`],
];

// The second of two runs: the first may read from disk what the second finds in memory.
function plan(q) {
	if (pg) {
		sql(`EXPLAIN (ANALYZE, COSTS OFF) ${q}`);
		return sql(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q}`);
	}
	return sql(`.timer on\nEXPLAIN QUERY PLAN ${q};\n.output /dev/null\n${q};\n${q};`);
}

function flags(text) {
	const f = [];
	if (pg) {
		// Small tables (a territory's themes, neighbourhoods) are read whole at no cost.
		const big = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]).filter((t) => !SMALL.includes(t));
		if (big.length) f.push(`SEQ SCAN on ${[...new Set(big)].join(', ')}`);
		// A sort of the few rows a person or a need has is fine; a top-N sort of a range is not.
		const sorts = [...text.matchAll(/Sort \(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/g)].map((m) => Number(m[1]));
		if (/top-N heapsort/.test(text) || sorts.some((n) => n > 100)) f.push('SORT');
	} else {
		if (/\bSCAN\b/.test(text)) f.push('SCAN');
		if (/TEMP B-TREE/.test(text)) f.push('TEMP B-TREE');
	}
	return f;
}

console.log(`# Query plans on ${url}`);
console.log(`parameters: ${JSON.stringify(P)}\n`);
for (const [name, q] of queries) {
	const text = plan(q);
	const times = [...text.matchAll(/Run Time: real ([\d.]+)/g)];
	const time = pg ? (/Execution Time: ([\d.]+ ms)/.exec(text) || [])[1] : times[times.length - 1][1];
	const f = flags(text);
	const ms = pg ? parseFloat(time) : Number(time) * 1000;
	if (ms > SLOW_MS) f.push(`SLOW: over ${SLOW_MS} ms, it reads more rows than it shows`);
	console.log(`## ${name}: ${f.length ? `**${f.join(', ')}**` : 'ok'}, ${pg ? time : `${(Number(time) * 1000).toFixed(1)} ms`}`);
	console.log('```');
	console.log(q);
	console.log(text.split('\n').filter((l) => !/^Run Time/.test(l)).join('\n'));
	console.log('```\n');
}
