// What the accounts tests share: reading the test database the way an
// auditor would (every column of every table, from the catalogue, so a new
// table cannot hide personal data), people with their own cookie jar who
// talk HTTP to the server on any host name (node:http, since fetch ignores
// a Host header), and the account steps every test repeats: create an
// account with the command line, sign up through the forms, log in.
// SQLite goes through the sqlite3 CLI, PostgreSQL through psql; both give
// rows as JSON (see the harness's server.query).

import http from 'node:http';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { startServer, runTremplin, forms, formFields, setCookies, parseSetCookies, text, element, decodeEntities, USE_PG } from './harness.mjs';

/* ------------------------------------------------------------------ */
/* The database                                                        */
/* ------------------------------------------------------------------ */

/* A string as an SQL literal (both backends: standard quoting). */
export function sqlString(s) {
	return `'${String(s).replace(/'/g, "''")}'`;
}

/*
 * Run statements that write (INSERT, UPDATE, DELETE) on the database at url
 * (a server's dbUrl, or the url given to the harness's setup hook).
 */
export function execSql(url, sql) {
	const [file, args] = url.startsWith('sqlite:')
		? ['sqlite3', ['-batch', '-bail', '-cmd', '.timeout 10000', url.slice('sqlite:'.length), sql]]
		: ['psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]];
	return new Promise((resolve, reject) => {
		execFile(file, args, { timeout: 60000 }, (err, stdout, stderr) => {
			if (err) reject(new Error(`${file}: ${stderr || err.message}\n${sql}`));
			else resolve(stdout);
		});
	});
}

/* Rows of a SELECT on the server's database. */
export function query(server, sql) {
	return server.query(sql);
}

/* The one value of a one-row, one-column SELECT (numbers come back as numbers). */
export async function scalar(server, sql) {
	const rows = await server.query(sql);
	assert.equal(rows.length, 1, `expected one row from: ${sql}\ngot ${JSON.stringify(rows)}`);
	const v = Object.values(rows[0])[0];
	return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
}

/* [{table, column}] of every column of every table of the application. */
export async function allColumns(server) {
	const sql = USE_PG
		? `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
		   WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
		: `SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m, pragma_table_info(m.name) p
		   WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid`;
	const rows = await server.query(sql);
	assert.ok(rows.length > 10, `the catalogue lists the columns of the tables (got ${rows.length})`);
	return rows;
}

function quoteIdent(name) {
	return `"${name.replace(/"/g, '""')}"`;
}

/*
 * Every place in the database where one of needles appears, in any column of
 * any table (each value read as text, compared as is and in ASCII lower
 * case): [{table, column, needle, value}]. Empty when nothing is found.
 */
export async function findAnywhere(server, needles) {
	const cols = await allColumns(server);
	const hits = [];
	// One statement per table keeps each query small and readable in an error.
	const byTable = new Map();
	for (const { table, column } of cols) {
		if (!byTable.has(table)) byTable.set(table, []);
		byTable.get(table).push(column);
	}
	for (const [table, columns] of byTable) {
		const parts = [];
		for (const column of columns) {
			const v = `CAST(${quoteIdent(column)} AS TEXT)`;
			for (const needle of needles) {
				const n = sqlString(needle);
				const cond = USE_PG
					? `position(${n} in ${v}) > 0 OR position(lower(${n}) in lower(${v})) > 0`
					: `instr(${v}, ${n}) > 0 OR instr(lower(${v}), lower(${n})) > 0`;
				parts.push(`SELECT ${sqlString(column)} AS "column", ${n} AS needle, ${v} AS value FROM ${quoteIdent(table)} WHERE ${cond}`);
			}
		}
		const rows = await server.query(parts.join(' UNION ALL '));
		for (const r of rows) hits.push({ table, column: r.column, needle: r.needle, value: String(r.value).slice(0, 300) });
	}
	return hits;
}

/* The users row of an address, or null. */
export async function userByEmail(server, email) {
	const rows = await server.query(`SELECT * FROM users WHERE lower(email) = lower(${sqlString(email)})`);
	return rows[0] ?? null;
}

/* The id of a territory by slug. */
export function territoryId(server, slug) {
	return scalar(server, `SELECT id FROM territories WHERE slug = ${sqlString(slug)}`);
}

/* ------------------------------------------------------------------ */
/* The command line                                                    */
/* ------------------------------------------------------------------ */

/* Run `tremplin ARGS --db URL` against the server's database, password in the environment. */
export async function cli(server, args, { password } = {}) {
	const env = { ...process.env };
	if (password !== undefined) env.TREMPLIN_PASSWORD = password;
	else delete env.TREMPLIN_PASSWORD;
	return runTremplin([...args, '--db', server.dbUrl], { env });
}

/*
 * A confirmed account made with `tremplin user create` (admin: a territory
 * slug) and, when role is given, `tremplin user grant`. Returns {id, email, name, password}.
 */
export async function createUser(server, { email, name, password, admin, role, territory }) {
	const args = ['user', 'create', '--email', email, '--name', name];
	if (admin) args.push('--admin', admin);
	const r = await cli(server, args, { password });
	assert.equal(r.code, 0, `tremplin ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
	if (role) {
		const g = await cli(server, ['user', 'grant', '--email', email, '--role', role, '--territory', territory]);
		assert.equal(g.code, 0, `tremplin user grant --email ${email} --role ${role} --territory ${territory} exited ${g.code}:\n${g.stdout}\n${g.stderr}`);
	}
	const u = await userByEmail(server, email);
	assert.ok(u, `tremplin user create made no users row for ${email}`);
	return { id: Number(u.id), email, name, password };
}

/* ------------------------------------------------------------------ */
/* People talking HTTP                                                 */
/* ------------------------------------------------------------------ */

/*
 * One HTTP exchange with the server, nothing followed:
 * {status, headers (lower-case keys), setCookies [{name, value, attrs}], location, body}.
 */
export function request(server, { method = 'GET', path, headers = {}, body, host, timeout = 20000 }) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		if (host) h.host = host;
		if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
		const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers: h, timeout }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const raw = res.headers['set-cookie'] ?? [];
				resolve({
					status: res.statusCode,
					headers: res.headers,
					setCookies: parseSetCookies(raw),
					location: res.headers.location ?? null,
					body: Buffer.concat(chunks).toString('utf8'),
				});
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
		req.on('error', reject);
		if (body !== undefined) req.write(body);
		req.end();
	});
}

export const SESSION_COOKIE = 'tremplin_session';

/*
 * A person with a browser's memory: a cookie jar, the host name they use,
 * and the last page's forms. Redirects are not followed unless asked, so
 * tests see each answer.
 */
export class Person {
	constructor(server, { host, lang } = {}) {
		this.s = server;
		this.host = host;
		this.jar = new Map();
		if (lang) this.jar.set('lang', lang);
	}

	get session() { return this.jar.get(SESSION_COOKIE) ?? null; }
	set session(v) { if (v == null) this.jar.delete(SESSION_COOKIE); else this.jar.set(SESSION_COOKIE, v); }

	cookieHeader() {
		return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	remember(r) {
		for (const c of r.setCookies) {
			const expired = c.attrs['max-age'] !== undefined && Number(c.attrs['max-age']) <= 0
				|| (c.attrs.expires && Date.parse(c.attrs.expires) < Date.now());
			if (expired || c.value === '') this.jar.delete(c.name);
			else this.jar.set(c.name, c.value);
		}
	}

	async send(method, path, { body, headers = {} } = {}) {
		const h = { ...headers };
		const cookie = this.cookieHeader();
		if (cookie) h.cookie = cookie;
		const r = await request(this.s, { method, path, body, headers: h, host: this.host });
		this.remember(r);
		return r;
	}

	get(path, opts) { return this.send('GET', path, opts); }

	/* GET, following redirects on this site (at most 5). */
	async visit(path) {
		let r = await this.get(path);
		for (let i = 0; i < 5 && r.status >= 300 && r.status < 400 && r.location; i++) {
			const u = new URL(r.location, 'http://placeholder.invalid');
			if (u.host !== 'placeholder.invalid' && u.host !== (this.host ?? `127.0.0.1:${this.s.port}`)) break;
			r = await this.get(u.pathname + u.search);
		}
		return r;
	}

	/* POST an urlencoded form as it is (fields: object or [[k, v]]). */
	post(path, fields) {
		return this.send('POST', path, {
			body: new URLSearchParams(fields).toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
	}

	/*
	 * Load page and submit its POST form whose action matches action (string:
	 * exact path, RegExp: test), as a browser would: the form's own fields
	 * (hidden csrf among them), then values. Every key of values must name a
	 * field of the form, so a renamed field fails loudly instead of silently.
	 * Returns the answer to the POST, with .page the answer to the GET.
	 */
	async submit(page, action, values = {}, { extra = {} } = {}) {
		const p = await this.get(page);
		assert.equal(p.status, 200, `GET ${page} (to submit its form ${action}): ${p.status} ${p.location ?? ''}\n${text(element(p.body, 'main')).slice(0, 400)}`);
		const f = findForm(p.body, action, page);
		const fields = formFields(f.html);
		for (const k of Object.keys(values)) {
			assert.ok(hasField(f.html, k), `the form ${f.attrs.action} of ${page} has no field "${k}"; it has: ${fieldNames(f.html).join(', ')}`);
		}
		const r = await this.post(f.attrs.action || page, { ...fields, ...values, ...extra });
		r.page = p;
		return r;
	}

	/* The csrf token of a page's forms (loading it). */
	async csrf(page = '/contact') {
		const p = await this.get(page);
		const tok = csrfOf(p.body);
		assert.ok(tok, `GET ${page} shows no form with a csrf field (status ${p.status})`);
		return tok;
	}
}

/* The POST form of html whose action matches. */
export function findForm(html, action, where = 'the page') {
	const all = forms(html).filter((x) => (x.attrs.method || 'get').toLowerCase() === 'post');
	const f = all.find((x) => (typeof action === 'string' ? (x.attrs.action ?? '').split('?')[0] === action : action.test(x.attrs.action ?? '')));
	assert.ok(f, `${where} has no POST form to ${action}; its POST forms go to: ${all.map((x) => x.attrs.action).join(', ') || 'none'}`);
	return f;
}

export function fieldNames(formHtml) {
	return [...formHtml.matchAll(/<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"/gi)].map((m) => decodeEntities(m[1]));
}

function hasField(formHtml, name) {
	return fieldNames(formHtml).includes(name);
}

/* The csrf value of the first form of a page that has one. */
export function csrfOf(html) {
	for (const f of forms(html)) {
		const v = formFields(f.html).csrf;
		if (v) return v;
	}
	return null;
}

/* Visible text of a page's <main>. */
export function mainText(html) {
	return text(element(html, 'main') ?? html);
}

/* ------------------------------------------------------------------ */
/* Account steps                                                       */
/* ------------------------------------------------------------------ */

/* A password nobody else uses, long enough and not common. */
let counter = 0;
export function freshPassword(tag = '') {
	counter++;
	return `Tremplin ${tag} sauterelle ${process.pid}-${counter} ${Math.random().toString(36).slice(2, 8)}`;
}

/* A unique address at example.org. */
export function freshEmail(tag = 'p') {
	counter++;
	return `${tag}.${process.pid}.${counter}.${Math.random().toString(36).slice(2, 7)}@example.org`;
}

/* The sign-up form's field names: what the form shows, checked by the tests. */
export const SIGNUP = { email: 'email', name: 'display_name', password: 'password' };
export const LOGIN = { email: 'email', password: 'password' };

/* Fill and send the sign-up form (plus terms acceptance when the form asks for it). */
export async function signUp(person, { email, name, password }) {
	const p = await person.get('/signup');
	assert.equal(p.status, 200, `GET /signup: ${p.status}`);
	const f = findForm(p.body, '/signup', 'GET /signup');
	const values = { [SIGNUP.email]: email, [SIGNUP.name]: name, [SIGNUP.password]: password };
	// A checkbox the person ticks (the terms) is sent as a browser would send it ticked.
	for (const t of f.html.matchAll(/<input\b[^>]*type="checkbox"[^>]*>/gi)) {
		const name_ = /name="([^"]+)"/.exec(t[0])?.[1];
		const value = /value="([^"]*)"/.exec(t[0])?.[1] ?? 'on';
		if (name_ && !(name_ in values)) values[name_] = value;
	}
	// A second password field, if any, gets the same password.
	for (const n of fieldNames(f.html)) {
		if (/password/.test(n) && !(n in values)) values[n] = password;
	}
	return person.submit('/signup', '/signup', values);
}

/* Log in with the form; the answer to the POST. */
export function logIn(person, { email, password }, page = '/login') {
	return person.submit(page, '/login', { [LOGIN.email]: email, [LOGIN.password]: password });
}

/* Log in and assert it worked (303 away from /login). */
export async function logInOk(person, account, page = '/login') {
	const r = await logIn(person, account, page);
	assert.equal(r.status, 303, `logging in as ${account.email} answers ${r.status} (expected 303):\n${mainText(r.body).slice(0, 500)}`);
	assert.ok(!/^\/login/.test(r.location ?? ''), `logging in as ${account.email} sends back to ${r.location}`);
	return r;
}

/* Log out with the form every page of a logged-in person carries. */
export async function logOut(person) {
	const p = await person.get('/settings');
	const tok = csrfOf(p.body);
	assert.ok(tok, 'a logged-in page carries a form with a csrf token');
	return person.post('/logout', { csrf: tok });
}

/* Whether the page shows a logged-in person (their name, a log-out form). */
export function showsLoggedIn(html, name) {
	const hasLogout = forms(html).some((f) => (f.attrs.action ?? '') === '/logout');
	return hasLogout && (name ? text(html).includes(name) : true);
}

export { setCookies };

/* ------------------------------------------------------------------ */
/* A server with a mail server                                         */
/* ------------------------------------------------------------------ */

export const OTHER = { slug: 'autreville', name: 'Autreville', host: 'autreville.localhost' };

/* A second territory, made before serve starts (territories are loaded at start). */
async function addOtherTerritory({ url }) {
	const r = await runTremplin(['territory', 'create', '--slug', OTHER.slug, '--name', OTHER.name, '--host', OTHER.host, '--db', url]);
	if (r.code === 0) return;
	await execSql(url, `INSERT INTO territories (slug, name, tagline, welcome, created_at) VALUES (${sqlString(OTHER.slug)}, ${sqlString(OTHER.name)}, '', '', 0);
		INSERT INTO territory_hosts (host, territory_id) SELECT ${sqlString(OTHER.host)}, id FROM territories WHERE slug = ${sqlString(OTHER.slug)};`);
}

/*
 * For a test file: a real SMTP server (tests/e2e/smtp.mjs) and the server
 * sending to it, started before the tests and stopped after them. The
 * returned object gets .s (the server) and .smtp. otherTerritory: add
 * Autreville on autreville.localhost. rateLimits: the --rate-limits the
 * server gets ('' for the limits as shipped; by default the harness's).
 */
export function useAccountsServer({ otherTerritory = false, smtp = true, args, rateLimits } = {}) {
	const ctx = {};
	let started;
	// Root-level before() hooks of node:test may run concurrently: other hooks await ctx.ready().
	const ready = new Promise((res, rej) => { started = { res, rej }; });
	ready.catch(() => {});
	ctx.ready = () => ready;
	before(async () => {
		try {
			await start();
			started.res(ctx);
		} catch (e) {
			started.rej(e);
			throw e;
		}
	});
	async function start() {
		if (smtp) {
			const { startSmtp } = await import('./smtp.mjs');
			ctx.smtp = await startSmtp();
		}
		ctx.s = await startServer({
			env: {
				...(ctx.smtp ? { TREMPLIN_SMTP_URL: ctx.smtp.url } : {}),
				// The harness raises the per-address limits; '' restores those shipped.
				...(rateLimits !== undefined ? { TREMPLIN_RATE_LIMITS: rateLimits } : {}),
			},
			args,
			setup: otherTerritory ? addOtherTerritory : undefined,
		});
	}
	after(async () => {
		if (ctx.s?.stop) await ctx.s.stop(5000);
		if (ctx.smtp) await ctx.smtp.stop();
	});
	return ctx;
}

/* The path+query of the first link of mail whose path matches re. */
export function mailLink(mail, re) {
	const all = mail.links ?? [];
	for (const l of all) {
		const u = new URL(l, 'http://placeholder.invalid');
		if (re.test(u.pathname)) return u.pathname + u.search;
	}
	assert.fail(`the mail "${mail.subject}" has no link to ${re}; its links: ${all.join(', ') || 'none'}\n${mail.text}`);
}

/*
 * The path+query of the link matching re in the next mail to `to` that has
 * one; mails without such a link (a "password changed" notice...) are
 * passed over. Fails after timeoutMs.
 */
export async function waitForLink(smtp, to, re, timeoutMs = 20000) {
	const deadline = Date.now() + timeoutMs;
	const passed = [];
	for (;;) {
		let mail;
		try {
			mail = await smtp.waitForMail(to, { timeoutMs: Math.max(100, deadline - Date.now()) });
		} catch (e) {
			throw new Error(`${e.message}\n(mails to ${to} without a link to ${re}: ${passed.join('; ') || 'none'})`);
		}
		for (const l of mail.links ?? []) {
			const u = new URL(l, 'http://placeholder.invalid');
			if (re.test(u.pathname)) return { path: u.pathname + u.search, mail };
		}
		passed.push(mail.subject);
	}
}

/* Forget the rate-limit counters (between tests that are not about them). */
export function clearRateLimits(server) {
	return execSql(server.dbUrl, 'DELETE FROM rate_limits');
}

/*
 * Sign up through the form, read the confirmation mail, follow its link.
 * Returns the account {id, email, name, password}; person is left logged out
 * or logged in as the server decides.
 */
export async function signUpConfirmed(ctx, person, account) {
	await clearRateLimits(ctx.s);
	const r = await signUp(person, account);
	assert.ok(r.status === 303 || r.status === 200, `signing up ${account.email}: ${r.status}\n${mainText(r.body).slice(0, 500)}`);
	const mail = await ctx.smtp.waitForMail(account.email, { timeoutMs: 20000 });
	const c = await person.visit(mailLink(mail, /^\/confirm$/));
	assert.equal(c.status, 200, `following the confirmation link: ${c.status}`);
	const u = await userByEmail(ctx.s, account.email);
	assert.ok(u && u.email_confirmed_at != null, `after following the link, ${account.email} is confirmed in the database`);
	return { ...account, id: Number(u.id) };
}
