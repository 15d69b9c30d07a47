// make security: the attack scans (tests/security/README.md). Builds nothing
// itself (the Makefile does): it makes a throw-away SQLite database with the
// demo territory and two confirmed accounts, serves it on a free port, and
// runs Debian's sqlmap over every query parameter, every POST form and every
// {id} of a path in src/web/routes.c (anonymous and logged in), then Debian's
// wapiti with all its modules (anonymous and logged in). Reports go to
// tests/security/reports/; a summary table to stdout; the exit status is 1
// when any finding is left, 2 when the scan could not run.
//
// Environment (all optional):
//   SECURITY_ONLY=sqlmap|wapiti     run one tool
//   SECURITY_SQLMAP_TARGET_SECONDS  wall-clock cap per sqlmap target (default 240)
//   SECURITY_SQLMAP_JOBS            sqlmap processes at once (default 3)
//   SECURITY_SQLMAP_FILTER          regexp: only targets whose label matches
//   SECURITY_WAPITI_SECONDS         --max-scan-time of each wapiti scan (default 600)
//   SECURITY_KEEP=1                 keep the database directory

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { ROOT, BIN, freePort, forms, tags, links, sitePath, parseSetCookies, decodeEntities } from '../e2e/harness.mjs';

const REPORTS = join(ROOT, 'tests/security/reports');
const TARGET_SECONDS = Number(process.env.SECURITY_SQLMAP_TARGET_SECONDS || 240);
const JOBS = Number(process.env.SECURITY_SQLMAP_JOBS || 3);
const WAPITI_SECONDS = Number(process.env.SECURITY_WAPITI_SECONDS || 600);
const ONLY = process.env.SECURITY_ONLY || '';
const FILTER = process.env.SECURITY_SQLMAP_FILTER ? new RegExp(process.env.SECURITY_SQLMAP_FILTER) : null;
const PASSWORD = 'Tremplin scan sauterelle 2026 !';
const ADMIN_EMAIL = 'scan.admin@example.org';
const MEMBER_EMAIL = 'scan.member@example.org';

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------------ */
/* The routes and their query parameters                               */
/* ------------------------------------------------------------------ */

/* [{method, pattern}] of every row of src/web/routes.c. */
function routeTable() {
	const src = readFileSync(join(ROOT, 'src/web/routes.c'), 'utf8');
	const table = src.slice(src.indexOf('web_routes[]'), src.indexOf('web_routes_count'));
	const rows = [...table.matchAll(/\{\s*HTTP_([A-Z]+)\s*,\s*"([^"]+)"/g)].map((m) => ({ method: m[1], pattern: m[2] }));
	const n = (table.match(/\{\s*HTTP_/g) || []).length;
	if (rows.length !== n || n < 20) throw new Error(`routes.c: ${n} rows, ${rows.length} parsed: adapt routeTable() in tests/security/run.mjs`);
	return rows;
}

/*
 * The query parameters each GET route reads (their handlers' allow-lists in
 * src/web/*.c). Every page also takes ?lang=. checkQueryCoverage() fails the
 * run when the sources read a query parameter this table does not name.
 */
const QUERY = {
	'/needs': { before: '5', without_idea: '1' },
	'/initiatives': { before: '20', stage: 'idea', theme: 'environment' },
	'/ecosystem': { kind: 'premises', stage: 'project', theme: 'environment', before: '10' },
	'/events': { upcoming: '1', past: '1' },
	'/comments': { object_type: 'initiative', object_id: '1', before: '30' },
	'/comments/new': { object_type: 'initiative', object_id: '1', parent_id: '1' },
	'/initiatives/{id}/history/diff': { from: '1', to: '2' },
	'/admin': { role: 'animator', before: '10', changed: '1' },
	'/admin/people': { q: 'scan', before: '10', changed: '1' },
	'/admin/partners': { changed: '1' },
	'/organisations/{slug}/edit': { member: 'changed' },
	'/settings': { done: 'password' },
	'/profile': { saved: '1' },
	'/contact': { sent: '1' },
	'/signup': { sent: '1' },
	'/confirm': { token: 'abcdefghijklmnopqrstuv' },
	'/confirm/resend': { sent: '1' },
	'/password/forgot': { sent: '1' },
	'/password/reset': { token: 'abcdefghijklmnopqrstuv' },
	'/login': { next: '/settings' },
	'/terms/accept': { next: '/settings' },
	'/initiatives/new': { need: '1' },
	'/offers/{id}/request': { initiative: '8' },
	'/dashboard/partner': { org: 'pepiniere-bievre' },
	'/': { lang: 'en' },
};

/* Names the sources read from the query string: params_get(&req->query, ...), listing_param, allow-lists. */
function checkQueryCoverage() {
	const named = new Set(Object.values(QUERY).flatMap((q) => Object.keys(q)));
	named.add('lang');
	const missing = new Set();
	for (const f of readdirSync(join(ROOT, 'src/web')).filter((x) => x.endsWith('.c'))) {
		const src = readFileSync(join(ROOT, 'src/web', f), 'utf8');
		const found = [
			...[...src.matchAll(/params_get\(&req->query,\s*"([a-z_]+)"/g)].map((m) => m[1]),
			...[...src.matchAll(/listing_param\(req,\s*"([a-z_]+)"/g)].map((m) => m[1]),
			...[...src.matchAll(/(?:params|names|index_params|diff_params|home_params|people_params|form_params)\[\]\s*=\s*\{([^}]*)\}/g)]
				.flatMap((m) => [...m[1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1])),
		];
		for (const name of found) if (!named.has(name)) missing.add(`${name} (src/web/${f})`);
	}
	if (missing.size) throw new Error(`query parameters read by src/web/ with no sqlmap target in QUERY of tests/security/run.mjs: ${[...missing].join(', ')}`);
}

/* ------------------------------------------------------------------ */
/* The database and the server                                         */
/* ------------------------------------------------------------------ */

function tremplin(args, env = {}) {
	return execFileSync(BIN, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function sql(file, statement) {
	return execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', file, statement]).toString().trim();
}

/* The demo database, an admin of Sceaux who also runs an accredited partner, and a plain member. */
function makeDatabase(dir) {
	const file = join(dir, 'scan.db');
	const db = `sqlite:${file}`;
	tremplin(['migrate', '--db', db]);
	tremplin(['demo', '--db', db]);
	tremplin(['user', 'create', '--db', db, '--email', ADMIN_EMAIL, '--name', 'Scan Admin', '--admin', 'sceaux'], { TREMPLIN_PASSWORD: PASSWORD });
	tremplin(['user', 'create', '--db', db, '--email', MEMBER_EMAIL, '--name', 'Scan Membre'], { TREMPLIN_PASSWORD: PASSWORD });
	restoreFixture(file);
	return { file, db };
}

/* What a scan may have changed and the logged-in targets need: the admin's role and partner membership. */
function restoreFixture(file) {
	sql(file, `INSERT INTO roles (user_id, territory_id, role, granted_at)
		SELECT u.id, t.id, 'admin', 0 FROM users u, territories t WHERE u.email = '${ADMIN_EMAIL}' AND t.slug = 'sceaux'
		ON CONFLICT (territory_id, user_id) DO UPDATE SET role = 'admin';
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
		SELECT o.id, u.id, 'owner', 0 FROM organisations o, users u WHERE o.slug = 'pepiniere-bievre' AND u.email = '${ADMIN_EMAIL}'
		AND NOT EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.id AND m.user_id = u.id);
		DELETE FROM rate_limits;`);
}

/* Real ids of the demo database for the {parameters} of the routes. */
function demoIds(file) {
	const one = (q, fallback) => sql(file, q) || fallback;
	return {
		realised: one(`SELECT initiative_id FROM outcomes WHERE kind = 'event' ORDER BY initiative_id LIMIT 1`, '1'),
		edited: one(`SELECT initiative_id FROM initiative_versions GROUP BY initiative_id ORDER BY COUNT(*) DESC, initiative_id LIMIT 1`, '1'),
		initiatives: one(`SELECT id FROM initiatives WHERE stage = 'project' ORDER BY id LIMIT 1`, '1'),
		needs: one(`SELECT id FROM needs ORDER BY id LIMIT 1`, '1'),
		offers: one(`SELECT f.id FROM offers f JOIN organisations o ON o.id = f.organisation_id WHERE o.slug = 'pepiniere-bievre' ORDER BY f.id LIMIT 1`, '1'),
		team: one(`SELECT id FROM team_members ORDER BY id LIMIT 1`, '1'),
		'project-needs': one(`SELECT id FROM project_needs ORDER BY id LIMIT 1`, '1'),
		requests: one(`SELECT id FROM support_requests ORDER BY id LIMIT 1`, '1'),
		suggestions: one(`SELECT id FROM suggestions ORDER BY id LIMIT 1`, '1'),
		coauthors: one(`SELECT id FROM coauthors ORDER BY id LIMIT 1`, '1'),
		comments: one(`SELECT id FROM comments ORDER BY id LIMIT 1`, '1'),
		people: one(`SELECT id FROM users WHERE email = '${MEMBER_EMAIL}'`, '1'),
		slug: 'pepiniere-bievre',
		user_id: one(`SELECT id FROM users WHERE email = '${MEMBER_EMAIL}'`, '1'),
	};
}

/* Routes whose {id} must be an object in a given state. */
const SPECIAL_IDS = { '/initiatives/{id}/event.ics': 'realised', '/initiatives/{id}/outcome': 'realised', '/initiatives/{id}/history/diff': 'edited',
	'/initiatives/{id}/history': 'edited', '/initiatives/{id}/edit': 'edited', '/initiatives/{id}/suggestions': 'edited' };

/* A pattern with real values: /initiatives/{id}/move → /initiatives/8/move. */
function realPath(pattern, ids) {
	const seg = SPECIAL_IDS[pattern] ?? pattern.split('/')[1];
	return pattern.replace('{slug}', ids.slug).replace('{user_id}', ids.user_id).replace('{file}', 'style.css')
		.replace('{id}', ids[seg] ?? '1');
}

async function startServe(db, accessLog) {
	const port = await freePort();
	const limits = 'login_ip=100000000,login_account=100000000,signup_ip=100000000,reset_ip=100000000,reset_account=100000000,mail_account=100000000';
	const proc = serveProc = spawn(BIN, ['serve', '--db', db, '--port', String(port), '--threads', '4', '--rate-limits', limits], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	const out = createWriteStream(accessLog);
	proc.stdout.pipe(out);
	let err = '';
	proc.stderr.setEncoding('utf8').on('data', (s) => { err = (err + s).slice(-20000); });
	const origin = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 150; i++) {
		if (proc.exitCode !== null) throw new Error(`tremplin serve exited: ${err}`);
		try {
			const r = await fetch(origin + '/healthz');
			if (r.status === 200) return { proc, port, origin, stderr: () => err };
		} catch { /* not yet */ }
		await sleep(100);
	}
	proc.kill('SIGKILL');
	throw new Error(`serve did not answer /healthz: ${err}`);
}

/* ------------------------------------------------------------------ */
/* HTTP as a visitor or a logged-in person                             */
/* ------------------------------------------------------------------ */

function request(port, { method = 'GET', path, cookie, body }) {
	return new Promise((resolve, reject) => {
		const headers = {};
		if (cookie) headers.cookie = cookie;
		if (body !== undefined) {
			headers['content-type'] = 'application/x-www-form-urlencoded';
			headers['content-length'] = Buffer.byteLength(body);
		}
		const req = http.request({ host: '127.0.0.1', port, method, path, headers, timeout: 20000 }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), cookies: parseSetCookies(res.headers['set-cookie'] ?? []) }));
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
		req.on('error', reject);
		if (body !== undefined) req.write(body);
		req.end();
	});
}

function csrfOf(html) {
	for (const f of forms(html)) {
		const t = tags(f.html, 'input').find((x) => x.attrs.name === 'csrf');
		if (t) return t.attrs.value;
	}
	return null;
}

/* A session: anonymous (a visitor's session, for the csrf token) or logged in as email. */
async function session(port, email) {
	const c = await request(port, { path: '/contact' });
	const sid = c.cookies.find((x) => x.name === 'tremplin_session');
	if (!sid) throw new Error('GET /contact set no session cookie');
	let cookie = `tremplin_session=${sid.value}`;
	let csrf = csrfOf(c.body);
	if (email) {
		const r = await request(port, { method: 'POST', path: '/login', cookie, body: new URLSearchParams({ csrf, email, password: PASSWORD }).toString() });
		const s = r.cookies.find((x) => x.name === 'tremplin_session');
		if (r.status !== 303 || !s) throw new Error(`logging in as ${email}: ${r.status}`);
		cookie = `tremplin_session=${s.value}`;
		csrf = csrfOf((await request(port, { path: '/settings', cookie })).body);
		if (!csrf) throw new Error(`no csrf token on /settings for ${email}`);
	}
	return { cookie, csrf, who: email ? 'logged-in' : 'anonymous', email };
}

async function stillLoggedIn(port, s) {
	const r = await request(port, { path: '/settings', cookie: s.cookie });
	return r.status === 200 && r.body.includes(s.email);
}

/* The fields a browser would send for a form: inputs, textareas, the first option of each select. */
function formValues(html) {
	const out = [];
	for (const t of tags(html, 'input')) {
		const type = (t.attrs.type || 'text').toLowerCase();
		if (!t.attrs.name || ['submit', 'button', 'image', 'file', 'reset'].includes(type)) continue;
		if ((type === 'checkbox' || type === 'radio') && out.some(([k]) => k === t.attrs.name)) continue;
		let v = t.attrs.value ?? '';
		if (!v && type === 'email') v = 'scan@example.org';
		else if (!v && type === 'number') v = '1';
		else if (!v && type === 'url') v = 'https://example.org';
		else if (!v && type === 'date') v = '2030-01-01';
		else if (!v && (type === 'checkbox')) v = 'on';
		else if (!v && type === 'password') v = 'pas le bon mot de passe';
		else if (!v && type !== 'hidden') v = 'scan';
		out.push([t.attrs.name, v]);
	}
	for (const m of html.matchAll(/<textarea(?=[\s>])((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/textarea>/gi)) {
		const t = tags(`<textarea${m[1]}>`, 'textarea')[0];
		if (t.attrs.name) out.push([t.attrs.name, decodeEntities(m[2]).trim() || 'Un texte de scan.']);
	}
	for (const m of html.matchAll(/<select(?=[\s>])((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/select>/gi)) {
		const t = tags(`<select${m[1]}>`, 'select')[0];
		const opts = tags(m[2], 'option').map((o) => o.attrs.value).filter((v) => v);
		if (t.attrs.name) out.push([t.attrs.name, opts[0] ?? '']);
	}
	return out;
}

function patternOf(path, routes, method) {
	const p = path.split('?')[0];
	for (const r of routes) {
		if (r.method !== method) continue;
		const re = new RegExp('^' + r.pattern.replace(/\{[a-z_]+\}/g, '[^/]+') + '$');
		if (re.test(p)) return r.pattern;
	}
	return null;
}

/*
 * Crawl the site as s (every GET route with real ids, then same-site links,
 * at most maxPages): the POST forms found, one per route pattern (the first
 * whose fields are the most), and the pages reached.
 */
async function crawl(port, s, routes, ids, maxPages = 400) {
	const queue = routes.filter((r) => r.method === 'GET' && !r.pattern.startsWith('/static')).map((r) => realPath(r.pattern, ids));
	const seen = new Set();
	const postForms = new Map();
	while (queue.length && seen.size < maxPages) {
		const path = queue.shift();
		if (seen.has(path)) continue;
		seen.add(path);
		let r;
		try { r = await request(port, { path, cookie: s.cookie }); } catch { continue; }
		if (!/text\/html/.test(r.headers['content-type'] || '')) continue;
		for (const f of forms(r.body)) {
			if ((f.attrs.method || 'get').toLowerCase() !== 'post') continue;
			const action = f.attrs.action || path.split('?')[0];
			const pattern = patternOf(action, routes, 'POST');
			if (!pattern || pattern === '/logout') continue;
			const fields = formValues(f.html);
			const prev = postForms.get(pattern);
			if (!prev || fields.length > prev.fields.length) postForms.set(pattern, { action, fields });
		}
		for (const l of links(r.body)) {
			const p = sitePath(l.href, `http://127.0.0.1:${port}/`);
			if (!p || p.startsWith('/static/') || p.startsWith('/logout') || seen.has(p)) continue;
			// One page per pattern and query shape is enough to find the forms.
			const key = (patternOf(p, routes, 'GET') ?? p) + '?' + [...new URL(p, 'http://x').searchParams.keys()].sort().join('&');
			if ([...seen].some((q) => (patternOf(q, routes, 'GET') ?? q) + '?' + [...new URL(q, 'http://x').searchParams.keys()].sort().join('&') === key)) continue;
			queue.push(p);
		}
	}
	return { postForms, pages: seen.size };
}

/* ------------------------------------------------------------------ */
/* sqlmap                                                              */
/* ------------------------------------------------------------------ */

/*
 * The targets: each GET route with its query parameters, each path with an
 * {id} (the id marked with * for sqlmap), each POST form (fields from the
 * page that shows it, or for forms no crawled page showed, the fields of
 * FALLBACK), anonymous and logged in; and the request headers once.
 */
const FALLBACK = {
	// Forms shown only in states the demo does not have for the scan's accounts.
	'/team/{id}/accept': [],
	'/team/{id}/decline': [],
	'/requests/{id}/accept': [['from', 'pending'], ['message', 'scan']],
	'/requests/{id}/decline': [['from', 'pending'], ['message', 'scan']],
	'/requests/{id}/withdraw': [['from', 'pending']],
	'/requests/{id}/complete': [['from', 'accepted'], ['amount', '10'], ['hours', '2'], ['given', 'scan']],
	'/suggestions/{id}/accept': [],
	'/suggestions/{id}/decline': [['answer', 'scan']],
	'/coauthors/{id}/accept': [],
	'/coauthors/{id}/decline': [],
	'/password/reset': [['token', 'abcdefghijklmnopqrstuv'], ['password', 'Un mot de passe de scan 2026']],
	'/comments/{id}/edit': [['body', 'Un commentaire de scan.']],
	'/organisations/{slug}/members/{user_id}/remove': [],
	'/initiatives/{id}/request-project': [],
	'/offers/{id}/edit': [['kind', 'premises'], ['title', 'Une offre de scan'], ['description', 'scan'], ['stages', 'project'], ['conditions', ''], ['amount', ''], ['capacity', ''], ['opens', ''], ['closes', ''], ['active', '1']],
	'/confirm/resend': [],
	'/settings/sessions/logout-others': [],
	'/needs/{id}/unfollow': [],
	'/initiatives/{id}/unsupport': [],
	'/initiatives/{id}/unfollow': [],
	'/initiatives/{id}/coauthors': [['person', 'scan.member@example.org']],
};

/* The pattern with real values, each marked as an injection point (*) for sqlmap. */
function markPath(pattern, ids) {
	return pattern.replace('{id}', `${ids[SPECIAL_IDS[pattern] ?? pattern.split('/')[1]] ?? '1'}*`).replace('{slug}', `${ids.slug}*`).replace('{user_id}', `${ids.user_id}*`);
}

/* The POST routes a visitor may send (the role matrix's ANYONE rows). */
const PUBLIC_POSTS = new Set(['/contact', '/signup', '/login', '/password/forgot', '/password/reset']);

function buildTargets(routes, ids, found) {
	const targets = [];
	const gets = routes.filter((r) => r.method === 'GET');
	for (const r of gets) {
		const q = QUERY[r.pattern];
		if (q) targets.push({ label: `GET ${r.pattern} ?${Object.keys(q).join(',')}`, method: 'GET', path: realPath(r.pattern, ids) + '?' + new URLSearchParams(q), params: Object.keys(q) });
		if (/\{(id|slug|user_id)\}/.test(r.pattern)) {
			const marked = markPath(r.pattern, ids);
			targets.push({ label: `GET ${r.pattern} (path)`, method: 'GET', path: marked, params: [], uri: true, anonOnly: true });
		}
	}
	const posts = routes.filter((r) => r.method === 'POST' && r.pattern !== '/logout');
	const notFound = [];
	for (const r of posts) {
		let f = found.get(r.pattern);
		if (!f) {
			if (!(r.pattern in FALLBACK)) { notFound.push(r.pattern); continue; }
			f = { action: realPath(r.pattern, ids), fields: FALLBACK[r.pattern], fallback: true };
		}
		const fields = f.fields.filter(([k]) => k !== 'csrf');
		const params = [...new Set(fields.map(([k]) => k))];
		if (params.length) targets.push({ label: `POST ${r.pattern} ${params.join(',')}`, pattern: r.pattern, method: 'POST', path: f.action, fields, params, fallback: !!f.fallback });
		if (/\{(id|slug|user_id)\}/.test(r.pattern)) {
			const marked = markPath(r.pattern, ids);
			targets.push({ label: `POST ${r.pattern} (path)`, pattern: r.pattern, method: 'POST', path: marked, fields, params: [], uri: true });
		}
	}
	targets.push({ label: 'GET /needs headers User-Agent,Referer,Host,Cookie', method: 'GET', path: '/needs', params: ['User-Agent', 'Referer', 'Host', 'lang'], headers: true });
	return { targets, notFound };
}

const children = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		for (const pid of children) { try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ } }
		if (serveProc) serveProc.kill('SIGTERM');
		process.exit(2);
	});
}
let serveProc = null;

function runProcess(cmd, args, { logFile, seconds, cwd = ROOT }) {
	return new Promise((resolve) => {
		const out = createWriteStream(logFile);
		const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		children.add(p.pid);
		let text = '';
		const keep = (b) => { out.write(b); text += b.toString('utf8'); if (text.length > 4e6) text = text.slice(-2e6); };
		p.stdout.on('data', keep);
		p.stderr.on('data', keep);
		let timedOut = false;
		const timer = setTimeout(() => { timedOut = true; try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ } }, seconds * 1000);
		p.on('exit', (code) => { children.delete(p.pid); clearTimeout(timer); out.end(); resolve({ code, text, timedOut }); });
	});
}

function countLines(file) {
	try { return readFileSync(file, 'utf8').split('\n').length - 1; } catch { return 0; }
}

async function sqlmapTarget(t, s, srv, dir) {
	const safe = `${String(t.n).padStart(3, '0')}-${s.who}-${t.label.replace(/[^a-z0-9]+/gi, '_').slice(0, 60)}`;
	const url = srv.origin + t.path;
	const args = ['-u', url, '--batch', '--level', '5', '--risk', '3', '--dbms', 'SQLite', '--technique', 'BEUSTQ',
		'--threads', '4', '--timeout', '15', '--retries', '1', '--time-sec', '2', '--drop-set-cookie', '--disable-coloring',
		'--skip-waf', '--flush-session', '--output-dir', join(dir, 'sqlmap', safe), '--answers', 'follow=N,keep testing=Y', '-v', '1'];
	if (s.cookie) args.push('--cookie', s.cookie);
	if (t.method === 'POST') args.push('--data', new URLSearchParams([...t.fields, ['csrf', s.csrf]]).toString());
	if (t.params.length) args.push('-p', t.params.join(','));
	if (t.uri) args.push('--skip', 'csrf');
	if (!t.headers && !t.uri && !t.params.length) return null;
	const logFile = join(dir, 'sqlmap-logs', `${safe}.log`);
	const r = await runProcess('sqlmap', args, { logFile, seconds: TARGET_SECONDS });
	// A candidate sqlmap then rejects ("false positive or unexploitable") is a note; a finding is what it confirms.
	const findings = [];
	const block = /sqlmap identified the following injection point[\s\S]*?\n---\n([\s\S]*?)\n---/.exec(r.text);
	if (block) for (const m of block[1].matchAll(/Parameter: (.*)/g)) findings.push(`${t.label} [${s.who}]: injectable ${m[1]} (see ${logFile})`);
	if (!block && /is vulnerable/i.test(r.text)) findings.push(`${t.label} [${s.who}]: sqlmap says vulnerable (see ${logFile})`);
	const rejected = (r.text.match(/false positive or unexploitable injection point detected/g) || []).length;
	const problems = [];
	if (rejected) problems.push(`${t.label} [${s.who}]: ${rejected} candidate(s) sqlmap itself rejected as false positives`);
	if (r.timedOut) problems.push(`${t.label} [${s.who}]: stopped after ${TARGET_SECONDS} s`);
	if (/\[CRITICAL\]/.test(r.text) && !/all tested parameters do not appear to be injectable/.test(r.text)) {
		const c = [...r.text.matchAll(/\[CRITICAL\] (.*)/g)].map((m) => m[1]).slice(0, 2).join(' | ');
		problems.push(`${t.label} [${s.who}]: ${c}`);
	}
	const statuses = [...r.text.matchAll(/HTTP error codes detected during run:\s*(.*)/g)].map((m) => m[1]).join(' ');
	return { label: t.label, who: s.who, findings, problems, statuses, log: logFile };
}

async function runSqlmap(srv, dbFile, routes, ids, sessions, dir) {
	mkdirSync(join(dir, 'sqlmap-logs'), { recursive: true });
	const anonCrawl = await crawl(srv.port, sessions.anon, routes, ids);
	const userCrawl = await crawl(srv.port, sessions.user, routes, ids);
	const found = new Map([...anonCrawl.postForms, ...userCrawl.postForms]);
	const { targets, notFound } = buildTargets(routes, ids, found);
	if (notFound.length) throw new Error(`POST routes of routes.c with no form found by the crawl and no FALLBACK row in tests/security/run.mjs: ${notFound.join(', ')}`);
	const jobs = [];
	let n = 0;
	for (const t of targets) {
		if (FILTER && !FILTER.test(t.label)) continue;
		t.n = ++n;
		// A visitor's POST to a member route is sent to /login before any field is read (roles.test.mjs):
		// those are scanned logged in only; the forms a visitor may send, both ways.
		const anon = t.method === 'GET' || PUBLIC_POSTS.has(t.pattern);
		if (anon) jobs.push([t, sessions.anon]);
		if (!t.anonOnly && !t.headers) jobs.push([t, sessions.user]);
	}
	writeFileSync(join(dir, 'sqlmap-targets.json'), JSON.stringify(targets, null, '\t'));
	log(`sqlmap: ${targets.length} targets (${found.size} POST forms found by crawling ${anonCrawl.pages}+${userCrawl.pages} pages, ` +
		`${targets.filter((t) => t.fallback).length} from FALLBACK), ${jobs.length} runs, ${JOBS} at a time, ${TARGET_SECONDS} s cap each`);
	const before = countLines(srv.accessLog);
	const results = [];
	let next = 0;
	let restoring = Promise.resolve();
	async function worker() {
		while (next < jobs.length) {
			const [t, s] = jobs[next++];
			const r = await sqlmapTarget(t, s, srv, dir);
			if (!r) continue;
			results.push(r);
			log(`sqlmap ${results.length}/${jobs.length} ${r.label} [${r.who}]: ${r.findings.length ? 'FINDING' : 'clean'}${r.problems.length ? ' (' + r.problems.join('; ') + ')' : ''}`);
			if (s.email) {
				restoring = restoring.then(async () => {
					restoreFixture(dbFile);
					if (!(await stillLoggedIn(srv.port, s))) {
						log(`  the logged-in session ended during ${r.label}: logging in again`);
						Object.assign(s, await session(srv.port, s.email));
					}
				});
				await restoring;
			}
		}
	}
	await Promise.all(Array.from({ length: JOBS }, worker));
	const requests = countLines(srv.accessLog) - before;
	return { targets: targets.length, runs: results.length, requests, findings: results.flatMap((r) => r.findings), problems: results.flatMap((r) => r.problems), results };
}

/* ------------------------------------------------------------------ */
/* wapiti                                                              */
/* ------------------------------------------------------------------ */

function cookieFile(dir, s) {
	const [name, value] = s.cookie.split('=');
	const file = join(dir, `wapiti-cookies-${s.who}.json`);
	writeFileSync(file, JSON.stringify({ '.127.0.0.1': { '/': { [name]: { value, version: 0, expires: null, secure: false, port: null } } } }));
	return file;
}

async function runWapiti(srv, dbFile, s, dir) {
	const out = join(dir, `wapiti-${s.who}.json`);
	const args = ['-u', srv.origin + '/', '--scope', 'folder', '-m', 'all', '-f', 'json', '-o', out, '--flush-session',
		'--store-session', join(dir, 'wapiti-session'), '--store-config', join(dir, 'wapiti-config'),
		'--max-scan-time', String(WAPITI_SECONDS), '--max-attack-time', String(Math.max(60, Math.floor(WAPITI_SECONDS / 6))),
		'-x', srv.origin + '/logout', '-x', srv.origin + '/account/delete', '-x', srv.origin + '/settings/sessions/logout-others',
		'-d', '6', '--max-links-per-page', '60', '--max-files-per-dir', '40', '-t', '15', '-v', '1', '--no-bugreport',
		'--endpoint', srv.origin + '/'];
	if (s.email) args.push('-c', cookieFile(dir, s));
	const before = countLines(srv.accessLog);
	const r = await runProcess('wapiti', args, { logFile: join(dir, `wapiti-${s.who}.log`), seconds: WAPITI_SECONDS + 300 });
	const requests = countLines(srv.accessLog) - before;
	restoreFixture(dbFile);
	if (!existsSync(out)) return { who: s.who, requests, findings: [], problems: [`wapiti [${s.who}] wrote no report (exit ${r.code}; see wapiti-${s.who}.log)`], urls: 0 };
	const report = JSON.parse(readFileSync(out, 'utf8'));
	const findings = [];
	for (const section of ['vulnerabilities', 'anomalies']) {
		for (const [cat, list] of Object.entries(report[section] ?? {})) {
			for (const v of list) findings.push(`wapiti [${s.who}] ${section} / ${cat}: ${v.method} ${v.path} ${v.parameter ? '(' + v.parameter + ')' : ''} — ${v.info}`);
		}
	}
	const urls = Number(report.infos?.crawled_pages_nbr ?? report.infos?.crawled_pages?.length ?? 0);
	return { who: s.who, requests, findings, problems: r.timedOut ? [`wapiti [${s.who}] stopped after ${WAPITI_SECONDS + 300} s`] : [], urls };
}

/* ------------------------------------------------------------------ */

async function main() {
	for (const tool of ['sqlmap', 'wapiti', 'sqlite3']) {
		try { execFileSync('sh', ['-c', `command -v ${tool}`]); } catch { console.error(`make security needs ${tool}: run sh tools/install-deps.sh security (as root)`); process.exit(2); }
	}
	const routes = routeTable();
	checkQueryCoverage();
	mkdirSync(REPORTS, { recursive: true });
	const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
	const dir = join(REPORTS, stamp);
	mkdirSync(dir, { recursive: true });
	const work = mkdtempSync(join(tmpdir(), 'tremplin-security-'));
	const { file, db } = makeDatabase(work);
	const ids = demoIds(file);
	const srv = await startServe(db, join(dir, 'access.log'));
	srv.accessLog = join(dir, 'access.log');
	log(`serving ${db} on ${srv.origin}; reports in ${dir}`);
	const started = Date.now();
	const rows = [];
	let findings = [];
	let problems = [];
	try {
		const sessions = { anon: await session(srv.port, null), user: await session(srv.port, ADMIN_EMAIL) };
		if (ONLY !== 'wapiti') {
			const t0 = Date.now();
			const r = await runSqlmap(srv, file, routes, ids, sessions, dir);
			rows.push(['sqlmap 1.7 (level 5, risk 3, BEUSTQ, SQLite)', `${r.targets} targets, ${r.runs} runs`, r.requests, r.findings.length, Math.round((Date.now() - t0) / 1000)]);
			findings = findings.concat(r.findings);
			problems = problems.concat(r.problems);
			writeFileSync(join(dir, 'sqlmap-summary.json'), JSON.stringify(r, null, '\t'));
		}
		if (ONLY !== 'sqlmap') {
			const member = await session(srv.port, MEMBER_EMAIL);
			for (const s of [sessions.anon, member]) {
				const t0 = Date.now();
				log(`wapiti -m all [${s.who}${s.email ? ' as ' + s.email : ''}], at most ${WAPITI_SECONDS} s`);
				const r = await runWapiti(srv, file, s, dir);
				rows.push([`wapiti 3.0.4 -m all [${s.who}]`, `${r.urls} pages crawled`, r.requests, r.findings.length, Math.round((Date.now() - t0) / 1000)]);
				findings = findings.concat(r.findings);
				problems = problems.concat(r.problems);
			}
		}
	} finally {
		srv.proc.kill('SIGTERM');
		await new Promise((r) => srv.proc.once('exit', r));
		if (!process.env.SECURITY_KEEP) rmSync(work, { recursive: true, force: true });
	}
	const serverErrors = readFileSync(srv.accessLog, 'utf8').split('\n').filter((l) => /^\S+ \S+ \S+ 5\d\d /.test(l));
	const head = ['tool', 'targets', 'requests', 'findings', 'seconds'];
	const table = [head, ...rows.map((r) => r.map(String))];
	const w = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
	console.log('\n' + table.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n'));
	console.log(`\n${Math.round((Date.now() - started) / 1000)} s in all; HTTP 5xx answers in the access log: ${serverErrors.length}; reports: ${dir}`);
	for (const p of problems) console.log(`note: ${p}`);
	for (const l of serverErrors.slice(0, 20)) console.log(`5xx: ${l}`);
	for (const f of findings) console.log(`FINDING: ${f}`);
	writeFileSync(join(dir, 'summary.txt'), table.map((r) => r.join('\t')).join('\n') + '\n' + findings.map((f) => `FINDING: ${f}`).join('\n') + '\n');
	process.exit(findings.length || serverErrors.length ? 1 : 0);
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(2); });
