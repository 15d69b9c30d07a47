// Crash safety: the server is killed with SIGKILL at random moments while
// 20 clients write, cycle after cycle, on one database (SQLite in WAL with
// synchronous=FULL, or PostgreSQL with TREMPLIN_TEST_DB=pg). Afterwards:
//   - every write that got its 303 is in the database, once (a unique
//     marker in each message): writes lost must be 0;
//   - each write is whole: every contact message has its one Create
//     activity and no activity lacks its message (one transaction);
//   - SQLite's PRAGMA integrity_check (and the integrity-check of every FTS5
//     table, once there are some) says ok, after every cycle;
//   - the server starts again cleanly each time (/healthz, no error logged).
//
// The writes covered now: POST /contact and POST /needs/new (whose search
// index row, and SQLite's FTS5 index, must hold every need). As supports, comments and ideas
// land, add a writer to WRITERS below: how to prepare a client, how to send
// one write with a marker, and how to list the markers the database holds.
//
// TREMPLIN_CRASH_CYCLES (default 20) sets the number of cycles.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	startServer, freePort, contactSession, within, sleep, BIN, ROOT, USE_PG, runTremplin, forms, formFields,
} from './harness.mjs';

const CYCLES = Number(process.env.TREMPLIN_CRASH_CYCLES || 20);
const CLIENTS = 20;
const MAX_KILL_DELAY_MS = 600; // the kill comes at a random moment in [0, this) after writing starts

/* ------------------------------------------------------------------ */
/* Writers: one entry per kind of write the site has                   */
/* ------------------------------------------------------------------ */

const WRITERS = [
	{
		name: 'contact message',
		/* What one client needs before it writes (session and csrf token). */
		prepare: (srv) => contactSession(srv),
		/* One write carrying marker: resolves the HTTP status (rejects on a dead connection). */
		async write(srv, ctx, marker) {
			const r = await fetch(srv.url('/contact'), {
				method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(10000),
				headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: ctx.cookie },
				body: new URLSearchParams({ csrf: ctx.csrf, name: 'Crash', message: `crash ${marker}` }).toString(),
			});
			await r.arrayBuffer();
			return r.status;
		},
		ok: (status) => status === 303,
		/* The markers stored, each as many times as stored. */
		async stored(query) {
			const rows = await query(`SELECT body FROM contact_messages WHERE body LIKE 'crash %'`);
			return rows.map((r) => r.body.slice('crash '.length));
		},
		/* Rows that break all-or-nothing: a message without its activity, or the reverse. */
		async torn(query) {
			const a = await query(`SELECT m.id FROM contact_messages m WHERE (SELECT COUNT(*) FROM activities a
				WHERE a.object_type = 'contact_message' AND a.object_id = m.id AND a.verb = 'Create') <> 1`);
			const b = await query(`SELECT a.id FROM activities a WHERE a.object_type = 'contact_message'
				AND NOT EXISTS (SELECT 1 FROM contact_messages m WHERE m.id = a.object_id)`);
			return [...a.map((r) => `message ${r.id} without exactly one Create activity`), ...b.map((r) => `activity ${r.id} without its message`)];
		},
	},
	{
		// A need: its row, its activity and its search index row (and, on
		// SQLite, the FTS5 index behind it) in one transaction.
		name: 'need',
		/* A member logged in once (sessions live in the database, so they outlive the kills). */
		async prepare(srv, i) {
			if (!members.has(i)) members.set(i, logInMember(srv, i));
			const m = await members.get(i);
			const r = await srv.page('/needs/new', { headers: { cookie: m.cookie } });
			assert.equal(r.status, 200, `GET /needs/new as a member: ${r.status}`);
			const form = forms(r.body).find((f) => f.attrs.action === '/needs/new');
			return { cookie: m.cookie, csrf: formFields(form.html).csrf };
		},
		async write(srv, ctx, marker) {
			const r = await fetch(srv.url('/needs/new'), {
				method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(10000),
				headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: ctx.cookie },
				body: new URLSearchParams({ csrf: ctx.csrf, title: `crash ${marker}`, body: 'crash need' }).toString(),
			});
			await r.arrayBuffer();
			return r.status;
		},
		ok: (status) => status === 303,
		async stored(query) {
			const rows = await query(`SELECT title FROM needs WHERE title LIKE 'crash %'`);
			return rows.map((r) => r.title.slice('crash '.length));
		},
		/* A need without its activity or its search row, a search row without its need, or an index that lost some. */
		async torn(query) {
			const a = await query(`SELECT n.id FROM needs n WHERE n.title LIKE 'crash %' AND ((SELECT COUNT(*) FROM activities a
				WHERE a.object_type = 'need' AND a.object_id = n.id AND a.verb = 'Create') <> 1
				OR (SELECT COUNT(*) FROM search_docs d WHERE d.kind = 'need' AND d.object_id = n.id AND d.title = n.title) <> 1)`);
			const b = await query(`SELECT d.id FROM search_docs d WHERE d.kind = 'need'
				AND NOT EXISTS (SELECT 1 FROM needs n WHERE n.id = d.object_id)`);
			const needs = (await query(`SELECT COUNT(*) AS n FROM needs WHERE title LIKE 'crash %'`))[0].n;
			const indexed = (await query(USE_PG
				? `SELECT COUNT(*) AS n FROM search_docs WHERE tsv @@ plainto_tsquery('simple', 'crash need')`
				: `SELECT COUNT(*) AS n FROM search_fts WHERE search_fts MATCH '{title body} : ("crash" AND "need")'`))[0].n;
			return [...a.map((r) => `need ${r.id} without exactly one Create activity and one search row`),
				...b.map((r) => `search row ${r.id} without its need`),
				...(Number(indexed) === Number(needs) ? [] : [`the full-text index finds ${indexed} of the ${needs} needs`])];
		},
	},
	// Supports, comments, ideas: add them here as their routes land.
];

/* One member per need-writing client: made once, logged in once. */
const members = new Map();

async function logInMember(srv, i) {
	const email = `crash-${i}-${randomBytes(3).toString('hex')}@example.org`;
	const password = `crash-password-${randomBytes(6).toString('hex')}`;
	const made = await runTremplin(['user', 'create', '--email', email, '--name', `Crash ${i}`, '--db', first.dbUrl],
		{ env: { ...process.env, TREMPLIN_PASSWORD: password } });
	assert.equal(made.code, 0, `tremplin user create: ${made.stderr}`);
	const login = await contactSession(srv, '/login');
	const r = await fetch(srv.url('/login'), {
		method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(10000),
		headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.cookie },
		body: new URLSearchParams({ ...formFields(login.form.html), csrf: login.csrf, email, password }).toString(),
	});
	await r.arrayBuffer();
	assert.equal(r.status, 303, `logging in answers ${r.status}`);
	const c = (r.headers.getSetCookie?.() ?? []).map((x) => /^tremplin_session=([^;]*)/.exec(x)).find(Boolean);
	return { cookie: c ? `tremplin_session=${c[1]}` : login.cookie };
}

/* ------------------------------------------------------------------ */
/* Servers on one database                                             */
/* ------------------------------------------------------------------ */

const spawned = new Set();
process.on('exit', () => { for (const p of spawned) try { p.kill('SIGKILL'); } catch { /* gone */ } });

/* Serve dbUrl on a free port and wait for /healthz: {proc, exited, url(), stdout(), stderr()}. */
async function serve(dbUrl) {
	const port = await freePort();
	const proc = spawn(BIN, ['serve', '--db', dbUrl, '--port', String(port), '--threads', '4'],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	spawned.add(proc);
	let out = '', err = '', exitInfo = null;
	proc.stdout.setEncoding('utf8').on('data', (x) => { out += x; });
	proc.stderr.setEncoding('utf8').on('data', (x) => { err += x; });
	const exited = new Promise((r) => proc.on('exit', (code, signal) => { spawned.delete(proc); exitInfo = { code, signal }; r(exitInfo); }));
	const origin = `http://127.0.0.1:${port}`;
	const t0 = Date.now();
	for (;;) {
		if (exitInfo) throw new Error(`serve exited at start (${JSON.stringify(exitInfo)}): ${err}`);
		try {
			const r = await fetch(origin + '/healthz', { signal: AbortSignal.timeout(1000) });
			await r.arrayBuffer();
			if (r.status === 200) break;
		} catch { /* not yet */ }
		if (Date.now() - t0 > 15000) {
			proc.kill('SIGKILL');
			throw new Error(`/healthz did not answer within 15 s after a restart; stderr: ${err}`);
		}
		await sleep(50);
	}
	return { proc, exited, port, origin, startMs: Date.now() - t0, url: (p) => origin + p, page: undefined, stdout: () => out, stderr: () => err };
}

/* contactSession() wants server.page(): a GET with the body as text. */
function withPage(srv) {
	srv.page = async (p, init = {}) => {
		const res = await fetch(srv.origin + p, { redirect: 'manual', signal: AbortSignal.timeout(10000), ...init });
		const body = await res.text();
		return { res, status: res.status, headers: res.headers, body };
	};
	return srv;
}

function sqlite(file, sql) {
	return new Promise((resolve, reject) => execFile('sqlite3', ['-batch', file, sql], { timeout: 60000 },
		(e, stdout, stderr) => (e ? reject(new Error(stderr || e.message)) : resolve(stdout.trim()))));
}

/* PRAGMA integrity_check and every FTS5 table's integrity-check; [] when all is well. */
async function sqliteProblems(file) {
	const problems = [];
	const ic = await sqlite(file, 'PRAGMA integrity_check;');
	if (ic !== 'ok') problems.push(`integrity_check: ${ic}`);
	const fts = (await sqlite(file, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%';`))
		.split('\n').filter(Boolean);
	for (const t of fts) {
		try {
			await sqlite(file, `INSERT INTO "${t}"("${t}") VALUES('integrity-check');`);
		} catch (e) {
			problems.push(`FTS ${t}: ${e.message}`);
		}
	}
	return problems;
}

/* ------------------------------------------------------------------ */
/* The test                                                            */
/* ------------------------------------------------------------------ */

let first = null;
after(async () => { if (first) await first.stop(3000); });

test(`SIGKILL at random moments while ${CLIENTS} clients write, ${CYCLES} cycles (${USE_PG ? 'PostgreSQL' : 'SQLite'}): no acknowledged write lost`, { timeout: 60000 + CYCLES * 20000 }, async (t) => {
	first = await startServer();
	const dbUrl = first.dbUrl;
	const dbFile = USE_PG ? null : dbUrl.slice('sqlite:'.length);
	const acked = new Map(); // marker -> writer name
	const unanswered = new Set();
	const stats = { cycles: 0, writes: 0, acked: 0, unanswered: 0, refused: 0, restartMsMax: 0 };
	let srv = withPage({ ...first, origin: first.origin, proc: first.proc, exited: first.exited });

	for (let cycle = 0; cycle < CYCLES; cycle++) {
		if (cycle > 0) {
			srv = withPage(await serve(dbUrl));
			stats.restartMsMax = Math.max(stats.restartMsMax, srv.startMs);
			const errors = srv.stderr().split('\n').filter((l) => /^(fatal|error|BUG)/i.test(l));
			assert.deepEqual(errors, [], `cycle ${cycle}: the restarted server logged errors`);
		}
		// Every client prepares, then writes in a loop until its server dies.
		const clients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
			const w = WRITERS[i % WRITERS.length];
			return { w, i, ctx: await w.prepare(srv, i) };
		}));
		let dead = false;
		const loops = clients.map(async (c) => {
			for (let n = 0; !dead; n++) {
				const marker = `c${cycle}-k${c.i}-n${n}-${randomBytes(4).toString('hex')}`;
				stats.writes++;
				let status;
				try {
					status = await c.w.write(srv, c.ctx, marker);
				} catch {
					unanswered.add(marker);
					stats.unanswered++;
					return; // the server is gone
				}
				if (c.w.ok(status)) {
					acked.set(marker, c.w.name);
					stats.acked++;
				} else {
					stats.refused++;
					assert.fail(`cycle ${cycle}: a write was answered ${status}`);
				}
			}
		});
		await sleep(Math.floor(Math.random() * MAX_KILL_DELAY_MS));
		srv.proc.kill('SIGKILL');
		const ex = await within(srv.exited, 10000);
		assert.ok(ex, `cycle ${cycle}: the server did not die of SIGKILL`);
		dead = true;
		await Promise.all(loops);
		stats.cycles++;
		if (dbFile) assert.deepEqual(await sqliteProblems(dbFile), [], `cycle ${cycle}: SQLite integrity after SIGKILL`);
	}

	// A last start: it must come up cleanly on what the kills left.
	srv = withPage(await serve(dbUrl));
	const query = first.query;
	const lost = [];
	const seen = new Map();
	for (const w of WRITERS) {
		for (const m of await w.stored(query)) seen.set(m, (seen.get(m) ?? 0) + 1);
		const torn = await w.torn(query);
		assert.deepEqual(torn, [], `${w.name}: writes that are not all-or-nothing`);
	}
	for (const m of acked.keys()) if (!seen.has(m)) lost.push(m);
	const twice = [...seen].filter(([, n]) => n > 1).map(([m]) => m);
	const unansweredStored = [...unanswered].filter((m) => seen.has(m)).length;
	const figures = { ...stats, lost: lost.length, storedTwice: twice.length, unansweredButStored: unansweredStored };
	t.diagnostic(`crash: ${JSON.stringify(figures)}`);
	if (process.env.TREMPLIN_CRASH_REPORT) console.log(`crash (${USE_PG ? 'pg' : 'sqlite'}): ${JSON.stringify(figures)}`);

	assert.ok(stats.acked > 0, 'no write was acknowledged at all: the test tested nothing');
	for (const w of WRITERS) assert.ok([...acked.values()].includes(w.name), `no ${w.name} write was acknowledged: it was not tested`);
	assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${acked.size} acknowledged writes were lost`);
	assert.deepEqual(twice, [], 'a write was stored twice');
	const h = await fetch(srv.url('/healthz'));
	assert.equal(h.status, 200);
	srv.proc.kill('SIGTERM');
	const ex = await within(srv.exited, 15000);
	assert.ok(ex && ex.code === 0, `the last server did not stop cleanly on SIGTERM: ${JSON.stringify(ex)}; stderr: ${srv.stderr()}`);
	if (dbFile) assert.deepEqual(await sqliteProblems(dbFile), [], 'SQLite integrity at the end');
});
