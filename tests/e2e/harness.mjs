// The black-box harness: starts the real binary on 127.0.0.1 with a fresh
// database (SQLite by default, PostgreSQL when TREMPLIN_TEST_DB=pg), talks
// HTTP to it (fetch, or raw sockets when the bytes on the wire matter), and
// reads the database directly so tests can check what it holds.
// Shared by tests/e2e/*.test.mjs and tests/browser/*.test.mjs.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = resolve(ROOT, process.env.TREMPLIN_BIN || 'build/tremplin');
export const USE_PG = process.env.TREMPLIN_TEST_DB === 'pg';
// Every test request comes from 127.0.0.1: per-address limits are raised so
// tests do not throttle each other; per-account limits stay as shipped.
const TEST_ENV = { TREMPLIN_RATE_LIMITS: 'login_ip=10000,signup_ip=10000,reset_ip=10000' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* promise's value, or null when ms pass first (the timer then no longer holds the process). */
export async function within(promise, ms) {
	let timer;
	const t = new Promise((r) => { timer = setTimeout(() => r(null), ms); });
	try {
		return await Promise.race([promise, t]);
	} finally {
		clearTimeout(timer);
	}
}

const running = new Set();

// A test run that dies must not leave servers behind.
process.on('exit', () => {
	for (const p of running) {
		try { p.kill('SIGKILL'); } catch { /* already gone */ }
	}
});

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

function run(file, args, opts = {}) {
	return new Promise((res) => {
		execFile(file, args, { cwd: opts.cwd ?? ROOT, timeout: opts.timeout ?? 120000, maxBuffer: 64 << 20, env: opts.env ?? process.env },
			(err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, err }));
	});
}

/* Run the binary to completion: {code, stdout, stderr}. */
export function runTremplin(args, opts = {}) {
	return run(BIN, args, opts);
}

/* A port nobody listens on right now. */
export function freePort() {
	return new Promise((res, rej) => {
		const s = net.createServer();
		s.unref();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

/* ------------------------------------------------------------------ */
/* Databases                                                           */
/* ------------------------------------------------------------------ */

// PostgreSQL test files share one database: they take turns through a lock
// directory (mkdir is atomic), so `node --test` may run files concurrently.
function pgLockDir(url) {
	return join(tmpdir(), 'tremplin-pg-' + createHash('sha256').update(url).digest('hex').slice(0, 12) + '.lock');
}

function alive(pid) {
	try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

async function pgLock(url) {
	const dir = pgLockDir(url);
	const deadline = Date.now() + 20 * 60 * 1000;
	for (;;) {
		try {
			mkdirSync(dir);
			writeFileSync(join(dir, 'pid'), String(process.pid));
			return () => rmSync(dir, { recursive: true, force: true });
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let pid = 0;
			try { pid = Number(readFileSync(join(dir, 'pid'), 'utf8')); } catch { /* being written */ }
			if (pid && !alive(pid)) rmSync(dir, { recursive: true, force: true });
			if (Date.now() > deadline) throw new Error(`waited too long for the PostgreSQL test lock ${dir}`);
			await sleep(250);
		}
	}
}

async function freshDatabase() {
	if (!USE_PG) {
		const dir = mkdtempSync(join(tmpdir(), 'tremplin-e2e-'));
		const file = join(dir, 't.db');
		return { url: `sqlite:${file}`, file, release: () => rmSync(dir, { recursive: true, force: true }) };
	}
	const url = process.env.TREMPLIN_TEST_PG;
	if (!url) throw new Error('TREMPLIN_TEST_DB=pg needs TREMPLIN_TEST_PG (a postgres:// URL of a throw-away database)');
	const release = await pgLock(url);
	const r = await run('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;']);
	if (r.code !== 0) {
		release();
		throw new Error(`could not wipe ${url}: ${r.stderr}`);
	}
	return { url, release };
}

/* Rows of a SELECT as objects, straight from the database the server uses. */
async function dbQuery(db, sql) {
	if (!USE_PG) {
		const r = await run('sqlite3', ['-batch', '-json', db.file, sql]);
		if (r.code !== 0) throw new Error(`sqlite3: ${r.stderr}\n${sql}`);
		return r.stdout.trim() === '' ? [] : JSON.parse(r.stdout);
	}
	const wrapped = `SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`;
	const r = await run('psql', [db.url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', wrapped]);
	if (r.code !== 0) throw new Error(`psql: ${r.stderr}\n${sql}`);
	return JSON.parse(r.stdout);
}

/* ------------------------------------------------------------------ */
/* The server                                                          */
/* ------------------------------------------------------------------ */

/*
 * Migrate a fresh database, load the demo territory, serve it on a free
 * port and wait for /healthz. Returns a server object; call stop() once.
 * opts: demo (false: no demo data), threads, env, args, setup (below).
 */
export async function startServer(opts = {}) {
	const db = await freshDatabase();
	try {
		const m = await runTremplin(['migrate', '--db', db.url]);
		if (m.code !== 0) throw new Error(`tremplin migrate exited ${m.code}: ${m.stderr}`);
		if (opts.demo !== false) {
			const d = await runTremplin(['demo', '--db', db.url]);
			if (d.code !== 0) throw new Error(`tremplin demo exited ${d.code}: ${d.stderr}`);
		}
		// opts.setup({url, query}): write what must exist before serve starts (territories are loaded at start).
		if (opts.setup) await opts.setup({ url: db.url, query: (sql) => dbQuery(db, sql) });
		let lastErr;
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				return await spawnServe(db, opts);
			} catch (e) {
				lastErr = e; // most likely the port was taken between freePort() and bind()
			}
		}
		throw lastErr;
	} catch (e) {
		db.release();
		throw e;
	}
}

/*
 * Another `serve` process on the database of a running server (several
 * processes behind one load balancer). It does not own the database: stop
 * it before the first server, whose stop() releases the database.
 */
export async function startServerOn(first, opts = {}) {
	const url = first.dbUrl;
	const db = { url, file: url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined, release: () => {} };
	let lastErr;
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			return await spawnServe(db, opts);
		} catch (e) {
			lastErr = e; // most likely the port was taken between freePort() and bind()
		}
	}
	throw lastErr;
}

async function spawnServe(db, opts) {
	const port = await freePort();
	const args = ['serve', '--db', db.url, '--port', String(port), '--threads', String(opts.threads ?? 4)];
	// opts.env: extra environment for serve (TREMPLIN_SMTP_URL...); opts.args: extra options.
	if (opts.args) args.push(...opts.args);
	const proc = spawn(BIN, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...TEST_ENV, ...process.env, ...(opts.env ?? {}) } });
	running.add(proc);
	let out = '';
	let err = '';
	proc.stdout.setEncoding('utf8').on('data', (s) => { out += s; });
	proc.stderr.setEncoding('utf8').on('data', (s) => { err += s; });
	const exited = new Promise((res) => proc.on('exit', (code, signal) => { running.delete(proc); res({ code, signal }); }));
	let exitInfo = null;
	exited.then((x) => { exitInfo = x; });

	const origin = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 15000;
	for (;;) {
		if (exitInfo) throw new Error(`tremplin serve exited early (${JSON.stringify(exitInfo)}): ${err}`);
		try {
			const r = await fetch(origin + '/healthz', { signal: AbortSignal.timeout(1000) });
			await r.arrayBuffer();
			if (r.status === 200) break;
		} catch { /* not listening yet */ }
		if (Date.now() > deadline) {
			proc.kill('SIGKILL');
			throw new Error(`GET /healthz did not answer 200 within 15 s; stderr: ${err}`);
		}
		await sleep(100);
	}

	let stopped = null;
	const server = {
		port,
		origin,
		dbUrl: db.url,
		proc,
		exited,
		stdout: () => out,
		stderr: () => err,
		url: (p) => origin + p,
		/* fetch without following redirects, with a timeout. */
		get: (p, init = {}) => fetch(origin + p, { redirect: 'manual', signal: AbortSignal.timeout(init.timeout ?? 15000), ...init }),
		/* GET and read the body as text: {res, status, headers, body}. */
		async page(p, init = {}) {
			const res = await server.get(p, init);
			const body = await res.text();
			return { res, status: res.status, headers: res.headers, body };
		},
		raw: (data, ropts) => rawRequest(port, data, ropts),
		query: (sql) => dbQuery(db, sql),
		/* SIGTERM and wait for exit: {code, signal}. Safe to call twice. */
		stop(timeoutMs = 15000) {
			if (!stopped) {
				stopped = (async () => {
					if (!exitInfo) proc.kill('SIGTERM');
					const r = await within(exited, timeoutMs);
					if (!r) {
						proc.kill('SIGKILL');
						await exited;
						db.release();
						return { code: null, signal: 'SIGKILL', timedOut: true };
					}
					db.release();
					return r;
				})();
			}
			return stopped;
		},
	};
	return server;
}

/*
 * For a test file: start one server before its tests, add a last test that
 * stops it with SIGTERM and asserts exit code 0, and kill it if a test
 * left it running. The returned object is filled in before the tests run.
 */
export function useServer(opts = {}) {
	const s = {};
	before(async () => {
		Object.assign(s, await startServer(opts));
	});
	after(async () => {
		if (s.stop) await s.stop(3000);
	});
	s.addStopTest = () => {
		test('stops on SIGTERM with exit code 0', { timeout: 30000 }, async () => {
			const r = await s.stop();
			assert.ok(!r.timedOut, `the server did not exit within 15 s of SIGTERM; stderr: ${s.stderr()}`);
			assert.equal(r.signal, null, `the server died of ${r.signal}; stderr: ${s.stderr()}`);
			assert.equal(r.code, 0, `exit code ${r.code}; stderr: ${s.stderr()}`);
		});
	};
	return s;
}

/* ------------------------------------------------------------------ */
/* Raw HTTP                                                            */
/* ------------------------------------------------------------------ */

/*
 * Send bytes as they are (no URL normalisation) and read the answer until
 * the server closes or the response is complete. data is a string/Buffer,
 * or an array of them written one after another with opts.gapMs between
 * (opts.stopOnResponse: stop writing once the server has answered).
 * Resolves {status, headers, headerList, body (Buffer), text, rawHead, error}.
 */
export function rawRequest(port, data, opts = {}) {
	const chunks = Array.isArray(data) ? data : [data];
	const timeout = opts.timeout ?? 10000;
	return new Promise((resolvePromise) => {
		const sock = net.connect(port, '127.0.0.1');
		const parts = [];
		let done = false;
		let error = null;
		const finish = () => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolvePromise(parseResponse(Buffer.concat(parts), error, opts.head));
		};
		const timer = setTimeout(() => { error = error ?? new Error('timeout'); finish(); }, timeout);
		sock.on('data', (b) => {
			parts.push(b);
			if (!opts.untilClose && responseComplete(Buffer.concat(parts), opts.head)) finish();
		});
		sock.on('end', finish);
		sock.on('close', finish);
		sock.on('error', (e) => { error = e; finish(); });
		sock.on('connect', async () => {
			for (let i = 0; i < chunks.length && !done; i++) {
				if (i > 0 && opts.gapMs) await sleep(opts.gapMs);
				if (done || sock.destroyed) break;
				if (opts.stopOnResponse && parts.length) break; // the server answered early: stop uploading, like a browser
				await new Promise((r) => sock.write(chunks[i], () => r()));
				if (opts.onChunk) opts.onChunk(i);
			}
		});
	});
}

function splitHead(buf) {
	const i = buf.indexOf('\r\n\r\n');
	if (i < 0) return null;
	const head = buf.subarray(0, i).toString('latin1');
	const lines = head.split('\r\n');
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
	const headerList = lines.slice(1).map((l) => {
		const c = l.indexOf(':');
		return [l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()];
	});
	const headers = {};
	for (const [k, v] of headerList) headers[k] = k in headers ? headers[k] + ', ' + v : v;
	return { status: m ? Number(m[1]) : 0, head, headers, headerList, rest: buf.subarray(i + 4) };
}

function dechunk(buf) {
	const out = [];
	let pos = 0;
	for (;;) {
		const e = buf.indexOf('\r\n', pos);
		if (e < 0) return { body: Buffer.concat(out), complete: false };
		const size = parseInt(buf.subarray(pos, e).toString('latin1'), 16);
		if (Number.isNaN(size)) return { body: Buffer.concat(out), complete: false };
		if (size === 0) return { body: Buffer.concat(out), complete: buf.indexOf('\r\n\r\n', e) >= 0 || buf.length >= e + 4 };
		if (buf.length < e + 2 + size + 2) return { body: Buffer.concat(out), complete: false };
		out.push(buf.subarray(e + 2, e + 2 + size));
		pos = e + 2 + size + 2;
	}
}

function responseComplete(buf, head) {
	const h = splitHead(buf);
	if (!h) return false;
	if (h.status < 200 && h.status >= 100) return responseComplete(h.rest, head); // 100 Continue
	if (head || h.status === 204 || h.status === 304) return true;
	if (/chunked/i.test(h.headers['transfer-encoding'] || '')) return dechunk(h.rest).complete;
	if ('content-length' in h.headers) return h.rest.length >= Number(h.headers['content-length']);
	return false;
}

function parseResponse(buf, error, head) {
	let h = splitHead(buf);
	while (h && h.status >= 100 && h.status < 200) h = splitHead(h.rest) ?? { status: 0, head: '', headers: {}, headerList: [], rest: Buffer.alloc(0) };
	if (!h) return { status: 0, headers: {}, headerList: [], body: Buffer.alloc(0), text: '', rawHead: '', bytes: buf, error };
	let body = h.rest;
	if (!head && /chunked/i.test(h.headers['transfer-encoding'] || '')) body = dechunk(h.rest).body;
	else if (!head && 'content-length' in h.headers) body = h.rest.subarray(0, Number(h.headers['content-length']));
	return { status: h.status, headers: h.headers, headerList: h.headerList, body, text: body.toString('utf8'), rawHead: h.head, extra: head ? h.rest : null, bytes: buf, error };
}

/* ------------------------------------------------------------------ */
/* Reading HTML                                                        */
/* ------------------------------------------------------------------ */

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', rsquo: '\u2019', lsquo: '\u2018', ldquo: '\u201c', rdquo: '\u201d', hellip: '\u2026', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç', Eacute: 'É', ecirc: 'ê', ocirc: 'ô', laquo: '«', raquo: '»', mdash: '—', ndash: '–', copy: '©', middot: '·' };

export function decodeEntities(s) {
	return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
		if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
		return NAMED[e] ?? m;
	});
}

/* Start tags <name ...>: [{attrs (object, decoded values), index, end, raw}]. */
export function tags(html, name) {
	const re = new RegExp(`<${name}(?=[\\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>`, 'gi');
	const out = [];
	for (let m; (m = re.exec(html));) {
		const attrs = {};
		const are = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
		for (let a; (a = are.exec(m[1]));) attrs[a[1].toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
		out.push({ attrs, index: m.index, end: m.index + m[0].length, raw: m[0] });
	}
	return out;
}

/* Inner HTML of the first <name> element (elements that do not nest in themselves). */
export function element(html, name, from = 0) {
	const open = tags(html.slice(from), name)[0];
	if (!open) return null;
	const start = from + open.end;
	const close = html.toLowerCase().indexOf(`</${name}>`, start);
	return close < 0 ? null : html.slice(start, close);
}

/* Visible text of an HTML fragment, whitespace collapsed. */
export function text(fragment) {
	if (fragment == null) return '';
	return decodeEntities(fragment
		.replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<[^>]*>/g, ' '))
		.replace(/\s+/g, ' ')
		.trim();
}

/* [{href, text}] of the <a> elements in html. */
export function links(html) {
	const out = [];
	const re = /<a(?=[\s>])((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/a>/gi;
	for (let m; (m = re.exec(html));) {
		const t = tags(`<a${m[1]}>`, 'a')[0];
		if (t && 'href' in t.attrs) out.push({ href: t.attrs.href, text: text(m[2]), attrs: t.attrs });
	}
	return out;
}

/* The pathname+search of a same-site href, or null for another site. */
export function sitePath(href, base = 'http://127.0.0.1/') {
	if (/^(mailto|tel|javascript|data):/i.test(href)) return null;
	const u = new URL(href, base);
	const b = new URL(base);
	if (u.host !== b.host || !/^https?:$/.test(u.protocol)) return null;
	return u.pathname + u.search;
}

/* The form fields a browser would submit: {name: value} of inputs and textareas. */
export function formFields(formHtml) {
	const fields = {};
	for (const t of tags(formHtml, 'input')) {
		if (!t.attrs.name) continue;
		const type = (t.attrs.type || 'text').toLowerCase();
		if (type === 'submit' || type === 'button' || type === 'image' || type === 'file') continue;
		if ((type === 'checkbox' || type === 'radio') && !('checked' in t.attrs)) continue;
		fields[t.attrs.name] = t.attrs.value ?? '';
	}
	const re = /<textarea(?=[\s>])((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/textarea>/gi;
	for (let m; (m = re.exec(formHtml));) {
		const t = tags(`<textarea${m[1]}>`, 'textarea')[0];
		if (t.attrs.name) fields[t.attrs.name] = decodeEntities(m[2].replace(/^\r?\n/, ''));
	}
	return fields;
}

/* The <form> elements of a page: [{attrs, html (inner), index}]. */
export function forms(html) {
	return tags(html, 'form').map((t) => {
		const close = html.toLowerCase().indexOf('</form>', t.end);
		return { attrs: t.attrs, html: html.slice(t.end, close < 0 ? html.length : close), index: t.index };
	});
}

/* ------------------------------------------------------------------ */
/* Cookies, headers                                                    */
/* ------------------------------------------------------------------ */

/* Parse Set-Cookie values: [{name, value, attrs: {lowercased: value|true}}]. */
export function parseSetCookies(values) {
	return values.map((v) => {
		const [pair, ...rest] = v.split(';');
		const eq = pair.indexOf('=');
		const attrs = {};
		for (const a of rest) {
			const i = a.indexOf('=');
			if (i < 0) attrs[a.trim().toLowerCase()] = true;
			else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
		}
		return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
	});
}

/* Set-Cookie values of a fetch Response or of a raw response. */
export function setCookies(res) {
	if (res.headers && typeof res.headers.getSetCookie === 'function') return parseSetCookies(res.headers.getSetCookie());
	return parseSetCookies((res.headerList || []).filter(([k]) => k === 'set-cookie').map(([, v]) => v));
}

function header(res, name) {
	if (res.headers && typeof res.headers.get === 'function') return res.headers.get(name);
	return res.headers?.[name] ?? null;
}

/*
 * The headers every response must carry (pages, errors, static, redirects).
 * what names the request in the failure message.
 */
export function assertSecurityHeaders(res, what) {
	const csp = header(res, 'content-security-policy');
	assert.ok(csp, `${what}: no Content-Security-Policy header`);
	assert.ok(!/unsafe-inline/i.test(csp), `${what}: CSP allows 'unsafe-inline': ${csp}`);
	assert.match(csp, /frame-ancestors\s+'none'/i, `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
	assert.equal((header(res, 'x-content-type-options') || '').toLowerCase(), 'nosniff', `${what}: X-Content-Type-Options is not nosniff`);
	const rp = header(res, 'referrer-policy');
	assert.match(rp || '', /^(no-referrer|no-referrer-when-downgrade|origin|origin-when-cross-origin|same-origin|strict-origin|strict-origin-when-cross-origin)$/i,
		`${what}: Referrer-Policy is missing or invalid: ${rp}`);
	for (const h of ['server', 'x-powered-by']) {
		const v = header(res, h);
		assert.ok(v === null || !/\d/.test(v), `${what}: the ${h} header gives a version: ${v}`);
	}
}

/* A session: GET /contact, keep the cookie and the form's csrf token. */
export async function contactSession(server, path = '/contact') {
	const r = await server.page(path);
	assert.equal(r.status, 200, `GET ${path}`);
	const c = setCookies(r.res).find((x) => x.name === 'tremplin_session');
	assert.ok(c, `GET ${path} set no tremplin_session cookie`);
	const form = forms(r.body).find((f) => (f.attrs.method || '').toLowerCase() === 'post');
	assert.ok(form, `GET ${path} has no POST form`);
	const csrf = formFields(form.html).csrf;
	assert.ok(csrf, `the contact form has no csrf field`);
	return { cookie: `tremplin_session=${c.value}`, csrf, body: r.body, form };
}

/* POST an urlencoded form; fields is an object. */
export function postForm(server, path, fields, { cookie, headers = {} } = {}) {
	return server.get(path, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
		body: new URLSearchParams(fields).toString(),
	});
}

export { sleep };
