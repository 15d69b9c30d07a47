#!/usr/bin/env node
// `make bench`: seeds (or reuses) a benchmark database in var/bench/, serves
// it with build/tremplin pinned to one core, drives it with wrk pinned to
// the other, measures nginx serving a copy of the rendered home page the
// same way and the raw rate of durable commits on the same disk, prints one
// table and writes bench/results/DATE-SIZE.{md,json}. bench/README.md says
// how to read the figures. Node built-ins only: nothing to install but the
// Debian packages wrk and nginx-light.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'build/tremplin');
const VAR = join(ROOT, 'var/bench');
const RESULTS = join(ROOT, 'bench/results');
const LUA = join(ROOT, 'bench/report.lua');
const env = process.env;

const num = (name, def) => (env[name] === undefined || env[name] === '' ? def : Number(env[name]));
const SIZES = {
	territories: num('BENCH_TERRITORIES', 20),
	initiatives: num('BENCH_INITIATIVES', 100000),
	needs: num('BENCH_NEEDS', 0),
	people: num('BENCH_PEOPLE', 100000),
	comments: num('BENCH_COMMENTS', 5 * num('BENCH_INITIATIVES', 100000)),
	offers: num('BENCH_OFFERS', 5000),
};
const RUN = {
	duration: num('BENCH_DURATION', 5), // seconds per run
	runs: num('BENCH_RUNS', 3),
	connections: num('BENCH_CONNECTIONS', 64),
	wrkThreads: num('BENCH_WRK_THREADS', 2),
	serverCpu: env.BENCH_SERVER_CPU ?? '0',
	clientCpu: env.BENCH_CLIENT_CPU ?? '1',
	commitSeconds: num('BENCH_COMMIT_SECONDS', 3),
	perf: env.BENCH_PERF === '1',
	tooSlowUs: num('BENCH_TOO_SLOW_MS', 500) * 1000, // one request alone slower than this: not driven by wrk
	pageCache: env.BENCH_PAGE_CACHE, // --page-cache of serve (e.g. 0 to measure without it); the server's default otherwise
};
const FILTER = { stage: 'idea', theme: 'solidarite' }; // the two filters of the deep list page
const DEEP_PAGE = 500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (s) => process.stdout.write(`${s}\n`);
const die = (s) => { process.stderr.write(`bench: ${s}\n`); process.exit(1); };

function sizeLabel(n) {
	if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
	if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
	return String(n);
}

/* ---- Tools ---- */

function have(cmd) {
	return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// wrk and nginx come from Debian; install them as root, otherwise say how.
function checkTools() {
	const nginx = have('nginx') || existsSync('/usr/sbin/nginx');
	const missing = [];
	if (!have('wrk')) missing.push('wrk');
	if (!nginx) missing.push('nginx-light');
	if (!have('taskset')) missing.push('util-linux');
	if (!missing.length) return;
	if (process.getuid() !== 0) {
		die(`make bench needs these Debian packages: ${missing.join(' ')}\n` +
			`Install them with:\n  sudo apt-get install -y ${missing.join(' ')}`);
	}
	say(`Installing: ${missing.join(' ')}`);
	const e = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: e });
	execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env: e });
}

const NGINX = () => (have('nginx') ? 'nginx' : '/usr/sbin/nginx');

/* ---- The database ---- */

function dbPlan() {
	const label = sizeLabel(SIZES.initiatives);
	if (env.BENCH_DB) {
		if (!/^postgres(ql)?:\/\//.test(env.BENCH_DB)) die('BENCH_DB must be a postgres:// URL (SQLite is the default)');
		const key = createHash('sha256').update(env.BENCH_DB).digest('hex').slice(0, 12);
		return { url: env.BENCH_DB, kind: 'postgres', label: `${label}-pg`, marker: join(VAR, `pg-${key}.sizes`) };
	}
	const file = join(VAR, `bench-${label}.db`);
	return { url: `sqlite:${file}`, kind: 'sqlite', file, label, marker: join(VAR, `bench-${label}.sizes`) };
}

// What the data depends on: the sizes, the generator's source, the migrations.
function seedIdentity() {
	const src = readFileSync(join(ROOT, 'src/domain/benchseed.c'));
	const migrations = readdirSync(join(ROOT, 'db/migrations')).filter((f) => f.endsWith('.sql')).sort();
	return {
		sizes: SIZES,
		generator: createHash('sha256').update(src).digest('hex').slice(0, 16),
		migrations,
	};
}

function tremplin(args, opts = {}) {
	const r = spawnSync('taskset', ['-c', RUN.serverCpu, BIN, ...args], { cwd: ROOT, encoding: 'utf8', ...opts });
	if (r.status !== 0) die(`${BIN} ${args.join(' ')} failed:\n${r.stdout || ''}${r.stderr || ''}`);
	return r;
}

function wipe(db) {
	if (db.kind === 'sqlite') {
		for (const s of ['', '-wal', '-shm', '-journal']) rmSync(db.file + s, { force: true });
		return;
	}
	if (!have('psql')) die('psql is needed to empty the PostgreSQL database (apt-get install postgresql-client)');
	execFileSync('psql', [db.url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'],
		{ stdio: 'inherit', env: { ...env, PGOPTIONS: '--client-min-messages=warning' } });
}

function prepareDb(db) {
	mkdirSync(VAR, { recursive: true });
	const want = seedIdentity();
	let marker = null;
	try { marker = JSON.parse(readFileSync(db.marker, 'utf8')); } catch { /* none yet */ }
	const same = marker && JSON.stringify(marker.identity) === JSON.stringify(want) &&
		(db.kind !== 'sqlite' || existsSync(db.file));
	if (same) {
		say(`Reusing ${db.kind === 'sqlite' ? db.file : db.url} (seeded ${marker.seeded_at}, same sizes)`);
		tremplin(['migrate', '--db', db.url]);
		return { ...marker.seed, reused: true };
	}
	say(`Seeding ${db.kind === 'sqlite' ? db.file : db.url}: ${JSON.stringify(SIZES)}`);
	rmSync(db.marker, { force: true });
	wipe(db);
	tremplin(['migrate', '--db', db.url]);
	const t0 = process.hrtime.bigint();
	const args = ['bench-seed', '--db', db.url];
	for (const [k, v] of Object.entries(SIZES)) args.push(`--${k}`, String(v));
	const r = tremplin(args);
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	process.stdout.write(r.stdout);
	const seed = { seconds: Math.round(seconds * 10) / 10, output: r.stdout.trim().split('\n') };
	writeFileSync(db.marker, JSON.stringify({ identity: want, seeded_at: new Date().toISOString(), seed }, null, 1));
	return { ...seed, reused: false };
}

function dbSize(db) {
	if (db.kind !== 'sqlite') return null;
	let total = 0;
	for (const s of ['', '-wal']) {
		try { total += spawnSync('stat', ['-c', '%s', db.file + s], { encoding: 'utf8' }).stdout.trim() * 1; } catch { /* none */ }
	}
	return total;
}

function commitRate(db) {
	const r = tremplin(['bench-seed', '--db', db.url, '--commit-rate', String(RUN.commitSeconds)]);
	const m = /commit-rate: (\d+)/.exec(r.stdout);
	if (!m) die(`cannot read the commit rate from: ${r.stdout}`);
	return Number(m[1]);
}

// One SQL statement through the database's own client; its output, one row a line, columns by "|".
function sql(db, q) {
	const r = db.kind === 'sqlite'
		? spawnSync('sqlite3', [db.file, q], { encoding: 'utf8' })
		: spawnSync('psql', [db.url, '-q', '-A', '-t', '-F', '|', '-c', q], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`${q}: ${(r.stderr || r.error || '').toString().trim()}`);
	return r.stdout.trim();
}

// What the runs wrote (the "first visit" sessions, the posted comments and their activities), so
// that the next run starts from the same data.
function forgetRuns(db, since, benchUser) {
	const qs = [`DELETE FROM sessions WHERE user_id IS NULL AND created_at >= ${since}`];
	if (benchUser) {
		qs.push(`DELETE FROM search_docs WHERE kind = 'comment' AND object_id IN (SELECT id FROM comments WHERE author_id = ${benchUser.id})`,
			`DELETE FROM activities WHERE actor_id = ${benchUser.id} AND object_type = 'comment'`,
			`DELETE FROM comments WHERE author_id = ${benchUser.id}`,
			`UPDATE initiatives SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.object_type = 'initiative'` +
			` AND c.object_id = initiatives.id) WHERE id = ${benchUser.postOn}`);
	}
	for (const q of qs) {
		try { sql(db, q); } catch (e) { say(`bench: note: could not undo what the runs wrote (${e.message})`); }
	}
}

// The logged-in scenarios act as an animator of the first territory, made with the command line.
const BENCH_EMAIL = 'animatrice@bench.localhost';
const BENCH_PASSWORD = 'banc d’essai : une phrase de passe assez longue';

function benchAccount(db) {
	const find = () => Number(sql(db, `SELECT id FROM users WHERE email = '${BENCH_EMAIL}'`) || 0);
	let id = find();
	if (!id) {
		tremplin(['user', 'create', '--db', db.url, '--email', BENCH_EMAIL, '--name', 'Animatrice du banc'],
			{ env: { ...env, TREMPLIN_PASSWORD: BENCH_PASSWORD } });
		id = find();
	}
	tremplin(['user', 'grant', '--db', db.url, '--email', BENCH_EMAIL, '--role', 'animator', '--territory', 't1']);
	return id;
}

// Pages of the first territory the read scenarios need, found in the database.
function benchTargets(db) {
	const one = (q, what) => {
		const v = sql(db, q).split('\n')[0];
		if (!v) die(`the benchmark database has no ${what} (re-seed it: rm -r var/bench)`);
		return Number(v);
	};
	return {
		discussed: one("SELECT id FROM initiatives WHERE territory_id = 1 AND comment_count = 50 ORDER BY id DESC LIMIT 1",
			'initiative of the first territory with 50 comments'),
		matched: one("SELECT i.id FROM initiatives i WHERE i.territory_id = 1 AND i.stage IN ('project', 'supported')" +
			" AND EXISTS (SELECT 1 FROM project_needs pn JOIN offer_kind_answers a ON a.need_kind = pn.kind" +
			" JOIN offers o ON o.kind = a.offer_kind AND o.territory_id = 1 AND o.active = 1" +
			" WHERE pn.initiative_id = i.id AND pn.state = 'open') ORDER BY i.id DESC LIMIT 1",
			'project of the first territory with a need that an offer answers'),
		postOn: one("SELECT id FROM initiatives WHERE territory_id = 1 AND stage = 'idea' ORDER BY id LIMIT 1",
			'idea of the first territory'),
	};
}

const cookieOf = (r) => r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

// Log in as a person would (the form, its csrf token, the post); the session cookie.
async function logIn(base) {
	const form = await get(base, '/login');
	const csrf = (/name="csrf" value="([^"]+)"/.exec(form.text) || [])[1];
	const visitor = cookieOf(form);
	if (!csrf || !visitor) die('the log-in form has no csrf token or session');
	const r = await fetch(`${base}/login`, {
		method: 'POST', redirect: 'manual',
		headers: { Cookie: visitor, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ email: BENCH_EMAIL, password: BENCH_PASSWORD, csrf, next: '/' }).toString(),
	});
	await r.arrayBuffer();
	const cookie = cookieOf(r);
	if (r.status !== 303 || !cookie) die(`log-in answered ${r.status} (${r.headers.get('location') || 'no redirect'})`);
	const to = r.headers.get('location') || '';
	if (/^\/terms\/accept/.test(to)) { // the territory's terms of use, accepted once as a person would
		const page = await get(base, to, { Cookie: cookie });
		const field = (name) => (new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text) || [])[1];
		const a = await fetch(`${base}/terms/accept`, {
			method: 'POST', redirect: 'manual',
			headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ csrf: field('csrf'), next: '/', version: field('version'), accept: '1' }).toString(),
		});
		await a.arrayBuffer();
		if (a.status !== 303) die(`accepting the terms answered ${a.status}`);
	}
	return cookie;
}

/* ---- Processes ---- */

function freePort() {
	return new Promise((res, rej) => {
		const s = net.createServer();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function start(cmd, args, logFile) {
	const out = logFile ? ['ignore', 'pipe', 'pipe'] : 'ignore';
	const p = spawn(cmd, args, { cwd: ROOT, stdio: out });
	if (logFile) {
		const chunks = [];
		p.stdout.on('data', (d) => chunks.push(d));
		p.stderr.on('data', (d) => chunks.push(d));
		p.on('exit', () => writeFileSync(logFile, Buffer.concat(chunks)));
	}
	children.add(p);
	p.on('exit', () => children.delete(p));
	return p;
}

async function stop(p) {
	if (p.exitCode !== null || p.signalCode !== null) return;
	const gone = new Promise((r) => p.on('exit', r));
	p.kill('SIGTERM');
	await Promise.race([gone, sleep(10000)]);
	if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

async function waitFor(url, p, what) {
	for (let i = 0; i < 300; i++) {
		if (p.exitCode !== null) die(`${what} exited (code ${p.exitCode}); see its log in var/bench/`);
		try {
			const r = await fetch(url);
			await r.arrayBuffer();
			if (r.ok) return;
		} catch { /* not yet */ }
		await sleep(100);
	}
	die(`${what} did not answer ${url} within 30 s`);
}

// The pid of the server itself: taskset execs it, so it is the child's pid.
function memoryOf(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status) || [0, 0])[1]);
	return { VmHWM_kB: kb('VmHWM'), VmRSS_kB: kb('VmRSS'), RssAnon_kB: kb('RssAnon'), RssFile_kB: kb('RssFile') };
}

/* ---- The pages to measure ---- */

async function get(base, path, headers = {}) {
	const r = await fetch(base + path, { headers, redirect: 'manual' });
	return { status: r.status, headers: r.headers, text: await r.text() };
}

// Follow the list's own "next" links, as a visitor would, to page DEEP_PAGE (or the last page).
async function deepPage(base) {
	let path = `/initiatives?stage=${FILTER.stage}&theme=${FILTER.theme}`;
	let page = 1;
	while (page < DEEP_PAGE) {
		const { text } = await get(base, path);
		const m = /rel="next" href="([^"]*)"/.exec(text);
		if (!m) break;
		path = m[1].replaceAll('&amp;', '&');
		page++;
	}
	return { path, page };
}

async function discover(base) {
	const home = await get(base, '/');
	if (home.status !== 200) die(`the home page answered ${home.status}`);
	const pick = (re, text, what) => {
		const m = re.exec(text);
		if (!m) die(`no ${what} found on the page`);
		return m[1];
	};
	const stylesheet = pick(/href="(\/static\/style[^"]*\.css)"/, home.text, 'stylesheet link');
	const initiative = pick(/href="(\/initiatives\/\d+)"/, home.text, 'initiative link');
	const need = pick(/href="(\/needs\/\d+)"/, home.text, 'need link');
	const orgs = await get(base, '/organisations');
	const organisation = pick(/href="(\/organisations\/[a-z0-9-]+)"/, orgs.text, 'organisation link');
	const contact = await get(base, '/contact');
	const cookie = (contact.headers.get('set-cookie') || '').split(';')[0];
	const deep = await deepPage(base);
	return { home: home.text, stylesheet, initiative, need, organisation, cookie, deep };
}

// What the logged-in scenarios need: the session, a csrf token, and a check that the pages are what they say.
async function discoverLoggedIn(base, targets) {
	const session = await logIn(base);
	const headers = { Cookie: session };
	const home = await get(base, '/', headers);
	if (!/action="\/logout"/.test(home.text)) die('the logged-in home page shows no log-out button');
	const project = await get(base, `/initiatives/${targets.matched}`, headers);
	if (project.status !== 200 || !/href="\/offers\/\d+/.test(project.text)) die(`/initiatives/${targets.matched} suggests no offer to an animator`);
	const idea = await get(base, `/initiatives/${targets.postOn}`, headers);
	const csrf = (/name="csrf" value="([^"]+)"/.exec(idea.text) || [])[1];
	if (!csrf) die(`/initiatives/${targets.postOn} has no comment form for the animator`);
	const discussed = await get(base, `/initiatives/${targets.discussed}`);
	const shown = (discussed.text.match(/id="comment-\d+"/g) || []).length;
	if (shown !== 50) die(`/initiatives/${targets.discussed} shows ${shown} comments, not 50`);
	return { headers, csrf };
}

// wrk's script for the write scenario: every request posts a new comment, then report.lua's summary.
function postScript(path, fields, headers) {
	const body = new URLSearchParams(fields).toString();
	const lua = join(VAR, 'post-comment.lua');
	const h = { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' };
	writeFileSync(lua, `wrk.method = "POST"\nwrk.path = ${JSON.stringify(path)}\nwrk.body = ${JSON.stringify(body)}\n` +
		Object.entries(h).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}\n`).join('') +
		readFileSync(LUA, 'utf8'));
	return lua;
}

function scenarios(found) {
	const read = (name, path, extra = {}) => ({ name, path, kind: 'read', ...extra });
	return [
		read('home page', '/'),
		read('initiatives list, page 1', '/initiatives'),
		read(`initiatives list, page ${found.deep.page} of stage+theme${found.deep.page < DEEP_PAGE ? ' (last page)' : ''}`,
			found.deep.path),
		read('an initiative', found.initiative),
		read('needs list, page 1', '/needs'),
		read('a need', found.need),
		read('partners', '/partners'),
		read('an organisation', found.organisation),
		read('stylesheet', found.stylesheet),
		read('contact page, first visit', '/contact', { note: 'creates a session: one durable write per request' }),
		read('contact page, with a session', '/contact', { headers: found.cookie ? { Cookie: found.cookie } : {} }),
		read('an initiative with 50 comments', `/initiatives/${found.targets.discussed}`),
		read('a two-word search', '/search?q=atelier+v%C3%A9lo'),
		read('offers matching a project (animator)', `/initiatives/${found.targets.matched}`,
			{ headers: found.user.headers, loggedIn: true }),
		read('home page, logged in', '/', { headers: found.user.headers, loggedIn: true }),
		read('initiatives list, logged in', '/initiatives', { headers: found.user.headers, loggedIn: true }),
		{ name: 'posting a comment', kind: 'write', path: '/comments', note: 'logged in, csrf checked, one durable transaction per comment',
			script: postScript('/comments', { object_type: 'initiative', object_id: String(found.targets.postOn),
				body: 'Bonne idée : je peux aider le samedi matin.', csrf: found.user.csrf }, found.user.headers) },
	];
}

/* ---- wrk ---- */

function wrk(url, headers, seconds, script = LUA) {
	const args = ['-c', RUN.clientCpu, 'wrk', `-t${RUN.wrkThreads}`, `-c${RUN.connections}`, `-d${seconds}s`,
		'--timeout', '10s', '-s', script];
	for (const [k, v] of Object.entries(headers || {})) args.push('-H', `${k}: ${v}`);
	args.push(url);
	const r = spawnSync('taskset', args, { encoding: 'utf8' });
	const m = /^BENCH (.*)$/m.exec(r.stdout || '');
	if (r.status !== 0 || !m) die(`wrk failed on ${url}:\n${r.stdout}${r.stderr}`);
	const j = JSON.parse(m[1]);
	j.rps = j.requests / (j.duration_us / 1e6);
	j.errors = j.connect + j.read + j.write + j.status + j.timeout;
	return j;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// One request at a time: what a page costs the server when nothing queues.
async function alone(base, sc, n = 5) {
	const times = [];
	let bytes = 0;
	for (let i = 0; i < n; i++) {
		const t0 = process.hrtime.bigint();
		const r = await fetch(base + sc.path, { headers: sc.headers || {}, redirect: 'manual' });
		bytes = (await r.arrayBuffer()).byteLength;
		times.push(Number(process.hrtime.bigint() - t0) / 1000);
	}
	// The first may be a miss of the server's page cache: what the page costs to build.
	return { alone_us: Math.round(median(times)), first_us: Math.round(times[0]), bytes };
}

// Requests wrk gave up on may still be queued in the server: wait until it answers again at once.
async function drain(base) {
	const t0 = Date.now();
	for (;;) {
		const t = Date.now();
		try {
			const r = await fetch(`${base}/healthz`);
			await r.arrayBuffer();
			if (Date.now() - t < 50) return (Date.now() - t0) / 1000;
		} catch { /* busy */ }
		if (Date.now() - t0 > 600000) die('the server did not become idle within 10 minutes');
		await sleep(100);
	}
}

// CPU seconds a process has used (user + system), from /proc/PID/stat.
function cpuSeconds(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
	} catch {
		return NaN;
	}
}

// [busy, total] jiffies of one core, from /proc/stat.
function coreJiffies(cpu) {
	const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
	if (!line) return [NaN, NaN];
	const f = line.trim().split(/\s+/).slice(1).map(Number);
	const idle = f[3] + f[4]; // idle, iowait
	const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
	return [total - idle, total];
}

// During one wrk run: the share of a core the measured process used (cpu), and how busy
// its core was (core). Core near 1.0 with cpu well below: something else ran there
// (other processes, or interrupts); core well below 1.0: the process waited.
function wrkWithCpu(url, headers, seconds, pid, script) {
	const c0 = cpuSeconds(pid), j0 = coreJiffies(RUN.serverCpu), t0 = process.hrtime.bigint();
	const r = wrk(url, headers, seconds, script);
	const j1 = coreJiffies(RUN.serverCpu);
	r.cpu = (cpuSeconds(pid) - c0) / (Number(process.hrtime.bigint() - t0) / 1e9);
	r.core = (j1[0] - j0[0]) / (j1[1] - j0[1]);
	return r;
}

async function measure(base, sc, pid) {
	const url = base + sc.path;
	// A write is not timed alone: it would be one more comment, and wrk's figures say it all.
	const one = sc.script ? { alone_us: 0, first_us: 0, bytes: 0 } : await alone(base, sc);
	const first = { first_us: one.first_us };
	if (one.alone_us > RUN.tooSlowUs) {
		// 64 connections on it would queue for minutes: estimate from one request instead.
		return { ...first, rps: 1e6 / one.alone_us, p50_us: null, p99_us: null, errors: 0, completed: null, tooSlow: true,
			alone_us: one.alone_us, bytes_per_response: one.bytes, runs: [] };
	}
	wrk(url, sc.headers, 1, sc.script); // warm-up: caches, connections, the first statements prepared
	let drained = await drain(base);
	const runs = [];
	for (let i = 0; i < RUN.runs; i++) {
		runs.push(wrkWithCpu(url, sc.headers, RUN.duration, pid, sc.script));
		drained += await drain(base);
	}
	const m = (k) => median(runs.map((r) => r[k]));
	return {
		...first, rps: m('rps'), p50_us: m('p50_us'), p99_us: m('p99_us'), errors: runs.reduce((a, r) => a + r.errors, 0),
		completed: m('requests'), cpu: Math.round(m('cpu') * 100) / 100, core: Math.round(m('core') * 100) / 100, alone_us: one.alone_us, drain_s: Math.round(drained * 10) / 10,
		bytes_per_response: runs[0].requests ? Math.round(runs[0].bytes / runs[0].requests) : one.bytes,
		runs: runs.map(({ rps, p50_us, p99_us, errors, requests, status, timeout, cpu, core }) =>
			({ rps: Math.round(rps), p50_us, p99_us, errors, requests, status, timeout,
				cpu: Math.round(cpu * 100) / 100, core: Math.round(core * 100) / 100 })),
	};
}

/* ---- nginx ---- */

async function nginxBaseline(homeHtml) {
	const dir = mkdtempSync(join(os.tmpdir(), 'tremplin-bench-nginx-'));
	chmodSync(dir, 0o755); // nginx's worker drops to "nobody" when started as root
	mkdirSync(join(dir, 'www'));
	writeFileSync(join(dir, 'www/index.html'), homeHtml);
	chmodSync(join(dir, 'www'), 0o755);
	chmodSync(join(dir, 'www/index.html'), 0o644);
	const port = await freePort();
	writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	default_type text/html;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path ${dir}/tmp-body;
	proxy_temp_path ${dir}/tmp-proxy;
	fastcgi_temp_path ${dir}/tmp-fastcgi;
	uwsgi_temp_path ${dir}/tmp-uwsgi;
	scgi_temp_path ${dir}/tmp-scgi;
	server {
		listen 127.0.0.1:${port};
		root ${dir}/www;
		location / { index index.html; }
	}
}
`);
	const p = start('taskset', ['-c', RUN.serverCpu, NGINX(), '-p', dir, '-c', join(dir, 'nginx.conf')], join(VAR, 'nginx.log'));
	const base = `http://127.0.0.1:${port}`;
	await waitFor(`${base}/index.html`, p, 'nginx');
	let worker = p.pid;
	try { worker = Number(readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || p.pid; } catch { /* the master */ }
	return {
		measure: async () => ({ ...(await measure(base, { path: '/index.html' }, worker)), path: '/index.html' }),
		stop: async () => {
			await stop(p);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

// nginx is measured before and after the scenarios; the ratio's base is the mean of the two.
function combineNginx(before, after) {
	const mean = (k) => (before[k] + after[k]) / 2;
	return {
		...before, rps: mean('rps'), p50_us: mean('p50_us'), p99_us: mean('p99_us'), errors: before.errors + after.errors,
		cpu: Math.round(mean('cpu') * 100) / 100, core: Math.round(mean('core') * 100) / 100,
		before: { rps: Math.round(before.rps), cpu: before.cpu, runs: before.runs },
		after: { rps: Math.round(after.rps), cpu: after.cpu, runs: after.runs },
	};
}

/* ---- perf ---- */

async function perfTop(base, pid, path) {
	if (!have('perf')) return { error: 'perf is not installed (apt-get install linux-perf)' };
	const data = join(VAR, 'perf.data');
	const rec = start('perf', ['record', '-F', '999', '-g', '-p', String(pid), '-o', data, '--', 'sleep', String(RUN.duration)], join(VAR, 'perf.log'));
	await sleep(200);
	wrk(base + path, {}, RUN.duration);
	await new Promise((r) => (rec.exitCode !== null ? r() : rec.on('exit', r)));
	const rep = spawnSync('perf', ['report', '-i', data, '--no-children', '--sort', 'dso,symbol', '--stdio', '-g', 'none', '--percent-limit', '0.7'], { encoding: 'utf8' });
	const lines = (rep.stdout || '').split('\n').filter((l) => /^\s+\d+\.\d+%/.test(l)).slice(0, 30).map((l) => l.trim().replace(/\s+/g, ' '));
	return { path, lines };
}

/* ---- The machine ---- */

function sh(cmd) {
	const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', cwd: ROOT });
	return `${r.stdout || ''}${r.stderr || ''}`.trim();
}

function machine() {
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const meminfo = readFileSync('/proc/meminfo', 'utf8');
	const source = sh(`findmnt -n -o SOURCE,FSTYPE -T ${VAR}`);
	const dev = (source.split(/\s+/)[0] || '').replace(/^\/dev\//, '').replace(/[0-9]+$/, '').replace(/p$/, '');
	const rot = sh(`cat /sys/block/${dev}/queue/rotational 2>/dev/null`);
	return {
		cpu: (/^model name\s*:\s*(.*)$/m.exec(cpuinfo) || [])[1] || 'unknown',
		cores: os.cpus().length,
		ram_GB: Math.round(Number((/^MemTotal:\s+(\d+)/m.exec(meminfo) || [0, 0])[1]) / 1048576),
		kernel: `${os.type()} ${os.release()}`,
		os: (/^PRETTY_NAME="?([^"\n]*)/m.exec(sh('cat /etc/os-release')) || [])[1] || '',
		disk_of_var: `${source}${dev ? ` (${dev}, ${rot === '1' ? 'rotational' : rot === '0' ? 'non-rotational' : 'unknown type'})` : ''}`,
		virtualisation: sh('systemd-detect-virt 2>/dev/null || true') || 'unknown',
		versions: {
			wrk: sh('wrk -v 2>&1 | head -1').split(' ').slice(0, 2).join(' '),
			nginx: sh(`${NGINX()} -v 2>&1`).replace('nginx version: ', ''),
			sqlite: sh('sqlite3 --version 2>/dev/null').split(' ')[0] || '',
			node: process.version,
		},
		git: `${sh('git rev-parse --short HEAD 2>/dev/null')}${sh('git status --porcelain 2>/dev/null | head -1') ? ' (with uncommitted changes)' : ''}`,
	};
}

/* ---- Output ---- */

const fmtRatio = (x) => (x >= 0.01 ? x.toFixed(2) : x > 0 ? x.toPrecision(1) : '0');
const fmtRps = (x) => Math.round(x).toLocaleString('en-US');
const fmtMs = (us) => (us >= 10000 ? `${(us / 1000).toFixed(0)} ms` : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${(us / 1000).toFixed(2)} ms`);

function rows(result) {
	const out = [];
	const base = result.nginx.rps;
	out.push([`nginx static (copy of the home page)`, fmtRps(base), fmtMs(result.nginx.p50_us), fmtMs(result.nginx.p99_us), String(result.nginx.errors), '1.00']);
	for (const s of result.scenarios) {
		if (s.notYet) {
			const ratio = s.kind === 'write' ? `not yet (vs ${fmtRps(result.commit_rate)} commits/s)` : 'not yet';
			out.push([s.name, 'not yet', '', '', '', ratio]);
			continue;
		}
		if (s.tooSlow) {
			out.push([s.name, `~${s.rps.toFixed(s.rps < 10 ? 1 : 0)} (est.)`, `alone ${fmtMs(s.alone_us)}`, 'n/a', 'n/a',
				fmtRatio(s.rps / base)]);
			continue;
		}
		if (!s.completed) {
			// Nothing came back within a run: every answer took longer than the run.
			const over = `> ${RUN.duration} s`;
			out.push([s.name, '0', over, over, `${RUN.connections} stuck`, '0']);
			continue;
		}
		const ratio = s.kind === 'write' ? `${fmtRatio(s.rps / result.commit_rate)} of commits` : fmtRatio(s.rps / base);
		out.push([s.name, s.rps < 100 ? s.rps.toFixed(1) : fmtRps(s.rps), fmtMs(s.p50_us), fmtMs(s.p99_us), String(s.errors),
			ratio]);
	}
	return out;
}

const HEAD = ['scenario', 'requests/s', 'p50', 'p99', 'errors', 'ratio'];

function textTable(rs) {
	const all = [HEAD, ...rs];
	const w = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
	const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
	return [line(HEAD), w.map((n) => '-'.repeat(n)).join('  '), ...rs.map(line)].join('\n');
}

function markdown(result, rs) {
	const m = result.machine;
	const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
	const L = [];
	L.push(`# Tremplin benchmark, ${result.date}, ${result.label}`, '');
	L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ram_GB} GB RAM, ${m.kernel} (${m.os}), ` +
		`virtualisation: ${m.virtualisation}; var/ on ${m.disk_of_var}.`);
	L.push(`Code: ${m.git}. Tools: ${m.versions.wrk}, nginx ${m.versions.nginx}, SQLite ${m.versions.sqlite}, Node ${m.versions.node}.`);
	L.push(`Load average before / after: ${result.load.before.join(' ')} / ${result.load.after.join(' ')}.`, '');
	L.push(`Database: ${result.db.kind} (${result.db.where})${result.db.bytes ? `, ${(result.db.bytes / 1e6).toFixed(0)} MB` : ''}; ` +
		`sizes ${JSON.stringify(result.sizes)}; seeded in ${result.seed.seconds} s${result.seed.reused ? ' (earlier run, reused)' : ''}.`);
	L.push(`Runs: server \`taskset -c ${RUN.serverCpu} build/tremplin serve --threads 1 --access-log 0` +
		`${RUN.pageCache !== undefined ? ` --page-cache ${RUN.pageCache}` : ''}\`, ` +
		`nginx 1 worker on the same core; \`taskset -c ${RUN.clientCpu} wrk -t${RUN.wrkThreads} -c${RUN.connections} -d${RUN.duration}s\`, ` +
		`1 s warm-up then ${RUN.runs} runs per scenario, median reported.`, '');
	L.push(`| ${HEAD.join(' | ')} | first / alone | CPU: server / core | path | bytes |`, `|${HEAD.map((_, i) => (i ? '---:' : ':---')).join('|')}|---:|---:|:---|---:|`);
	const extra = [result.nginx, ...result.scenarios].map((s, i) => [
		s.alone_us ? `${fmtMs(s.first_us)} / ${fmtMs(s.alone_us)}` : '', s.cpu === undefined || Number.isNaN(s.cpu) ? '' : `${s.cpu.toFixed(2)} / ${s.core.toFixed(2)}`,
		i ? s.path || '' : '/index.html (nginx)', s.bytes_per_response || '']);
	rs.forEach((r, i) => L.push(`| ${r.join(' | ')} | ${extra[i][0]} | ${extra[i][1]} | ${extra[i][2] ? `\`${extra[i][2]}\`` : ''} | ${extra[i][3]} |`));
	L.push('');
	L.push('"first / alone": the first of 5 sequential requests (a miss of the server\'s page cache, if the page is cached: ' +
		'what the page costs to build) and their median (Node fetch, client time included); with 64 connections on one core, ' +
		'latency is about 64 times what the server spends on one request.');
	L.push(`"CPU": during the runs (median), the share of core ${RUN.serverCpu} the server (or nginx's worker) used, ` +
		'and how busy that core was in all: a busy core with a smaller server share means other processes ' +
		'or network interrupts ran there; a core well below 1.0 means the server waited (disk, client).');
	L.push(`Ratio: requests/s divided by nginx's on the static copy of the home page (${fmtRps(result.nginx.rps)}/s: ` +
		`the mean of ${fmtRps(result.nginx.before.rps)}/s measured before the scenarios and ${fmtRps(result.nginx.after.rps)}/s after).`);
	L.push(`Raw durable single-row commits on this database: ${fmtRps(result.commit_rate)}/s ` +
		'(the write scenario will be given as a ratio to it).');
	const mem = result.memory;
	L.push(`Server memory after the runs: peak RSS (VmHWM) ${mb(mem.VmHWM_kB)}, RssAnon ${mb(mem.RssAnon_kB)}, ` +
		`RssFile ${mb(mem.RssFile_kB)}.`, '');
	for (const s of result.scenarios) if (s.note) L.push(`- ${s.name}: ${s.note}.`);
	for (const s of result.scenarios) {
		if (s.tooSlow) {
			L.push(`- ${s.name}: one request alone takes ${fmtMs(s.alone_us)} (over ${RUN.tooSlowUs / 1000} ms), so wrk was not run ` +
				'on it (64 connections would queue for minutes); requests/s is estimated as 1 / that time.');
		}
	}
	if (result.warnings.length) L.push('', ...result.warnings.map((w) => `**Warning:** ${w}`));
	if (result.seed.output) L.push('', 'Seed:', '', '```', ...result.seed.output, '```');
	if (result.perf && result.perf.lines) L.push('', `perf, server during \`${result.perf.path}\` (self time, dso and symbol):`, '', '```', ...result.perf.lines, '```');
	return `${L.join('\n')}\n`;
}

/* ---- Main ---- */

async function main() {
	if (!existsSync(BIN)) die('build/tremplin is missing: run make all (make bench does)');
	checkTools();
	const load0 = os.loadavg().map((x) => x.toFixed(2));
	const warnings = [];
	if (os.loadavg()[0] > 0.7) {
		warnings.push(`the machine was busy when the bench started (load ${load0[0]}): figures are lower and noisier than on a quiet machine`);
		say(`bench: warning: ${warnings[0]}`);
	}
	if (os.cpus().length < 2) warnings.push('fewer than 2 cores: server and wrk share one');
	const db = dbPlan();
	const seed = prepareDb(db);
	if (env.BENCH_SEED_ONLY === '1') return;
	say('Measuring durable commits...');
	const commit = commitRate(db);
	const benchUser = { id: benchAccount(db), ...benchTargets(db) };
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const startedAt = Math.floor(Date.now() / 1000) - 1;
	const server = start('taskset', ['-c', RUN.serverCpu, BIN, 'serve', '--db', db.url, '--port', String(port),
		'--threads', '1', '--access-log', '0', ...(RUN.pageCache !== undefined ? ['--page-cache', RUN.pageCache] : [])],
		join(VAR, 'serve.log'));
	await waitFor(`${base}/healthz`, server, 'the server');
	const found = await discover(base);
	found.targets = benchUser;
	found.user = await discoverLoggedIn(base, benchUser);
	say(`Deep list page: page ${found.deep.page} (${found.deep.path})`);
	say('nginx static...');
	const ngx = await nginxBaseline(found.home);
	const nginxBefore = await ngx.measure();
	const list = scenarios(found);
	for (const s of list) {
		if (s.notYet) continue;
		say(`${s.name}...`);
		Object.assign(s, await measure(base, s, server.pid));
	}
	say('nginx static again...');
	const nginx = combineNginx(nginxBefore, await ngx.measure());
	await ngx.stop();
	const spread = Math.abs(nginx.before.rps - nginx.after.rps) / nginx.rps;
	if (spread > 0.15) {
		warnings.push(`nginx measured ${fmtRps(nginx.before.rps)}/s before the scenarios and ${fmtRps(nginx.after.rps)}/s after: ` +
			'the load on the machine changed during the bench, so the ratios are uncertain');
	}
	if (nginx.cpu < 0.4) {
		warnings.push(`nginx's worker had only ${nginx.cpu.toFixed(2)} of its core (a quiet machine gives about 0.55 on loopback): ` +
			'other processes ran on the server\'s core');
	}
	const memory = memoryOf(server.pid);
	const perf = RUN.perf ? await perfTop(base, server.pid, '/') : null;
	await stop(server);
	forgetRuns(db, startedAt, benchUser);
	const result = {
		date: new Date().toISOString().slice(0, 10), label: db.label, sizes: SIZES, run: RUN,
		machine: machine(), load: { before: load0, after: os.loadavg().map((x) => x.toFixed(2)) },
		db: { kind: db.kind, where: db.kind === 'sqlite' ? 'var/bench/' : 'BENCH_DB', bytes: dbSize(db) },
		seed, commit_rate: commit, nginx, scenarios: list, memory, perf, warnings,
	};
	if (Number(result.load.after[0]) > 1.2 && !warnings.length) warnings.push(`the machine was busy during the bench (load ${result.load.after[0]} at the end): figures are noisier`);
	const rs = rows(result);
	say('');
	say(textTable(rs));
	say('');
	say(`durable single-row commits: ${fmtRps(commit)}/s; server memory: VmHWM ${(memory.VmHWM_kB / 1024).toFixed(1)} MB, ` +
		`RssAnon ${(memory.RssAnon_kB / 1024).toFixed(1)} MB`);
	for (const w of warnings) say(`warning: ${w}`);
	mkdirSync(RESULTS, { recursive: true });
	const cacheLabel = RUN.pageCache === undefined ? '' : RUN.pageCache === '0' ? '-no-page-cache' : `-page-cache-${RUN.pageCache}`;
	const stem = join(RESULTS, `${result.date}-${result.label}${cacheLabel}`);
	writeFileSync(`${stem}.json`, `${JSON.stringify(result, null, 1)}\n`);
	writeFileSync(`${stem}.md`, markdown(result, rs));
	say(`Written: ${stem}.md and .json`);
}

main().catch((e) => die(e.stack || String(e)));
