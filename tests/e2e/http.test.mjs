// HTTP as a client sees it: error statuses and their pages, methods and
// HEAD, the headers every response carries, escaping of hostile input,
// static files and their caching, the health check, the access log, and
// a client that hoards connections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	useServer, ROOT, tags, element, text, links, sitePath, assertSecurityHeaders, contactSession, postForm, sleep,
} from './harness.mjs';

const s = useServer();

/* A raw GET/HEAD/other request line, sent as is. */
function raw(method, target, extra = []) {
	return s.raw([`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, ...extra, 'Connection: close', '', ''].join('\r\n'),
		{ head: method === 'HEAD', untilClose: method === 'HEAD' });
}

function inLayout(body, what) {
	assert.ok(tags(body, 'nav').length > 0, `${what}: the error page is in the site layout (no <nav>)`);
	assert.ok(text(element(body, 'main')).length > 0, `${what}: the error page says something`);
}

async function stylesheetPath() {
	const home = await s.page('/');
	const href = tags(home.body, 'link').find((t) => (t.attrs.rel || '').split(/\s+/).includes('stylesheet'))?.attrs.href;
	assert.ok(href, 'the layout links a stylesheet');
	return sitePath(href);
}

test('bad percent-encoding, invalid UTF-8 and invalid filter values give a 400 page', async () => {
	for (const path of ['/?q=%ZZ', '/initiatives?stage=%ZZ', '/?q=%C3%28', '/?q=%', '/needs?q=%E2%82',
		'/initiatives?stage=nope', '/initiatives?before=abc']) {
		const r = await s.page(path);
		assert.equal(r.status, 400, `GET ${path}`);
		assert.match(r.headers.get('content-type') || '', /^text\/html;\s*charset=utf-8$/i, `GET ${path}`);
		inLayout(r.body, `GET ${path}`);
	}
});

test('hostile numbers in parameters do not break the server', async () => {
	for (const path of ['/initiatives?before=99999999999999999999999999', '/initiatives?before=-5', '/initiatives?before=1e3',
		'/initiatives?before=0x10', '/needs?before=18446744073709551617']) {
		const r = await s.page(path);
		assert.ok(r.status === 400 || r.status === 200, `GET ${path} answered ${r.status}`);
	}
	assert.equal((await s.page('/healthz')).status, 200);
});

test('an unknown path gives a 404 page', async () => {
	for (const path of ['/nope', '/needs/1/extra', '/NEEDS', '/needs/%ZZ']) {
		const r = await s.page(path);
		assert.ok(r.status === 404 || (path.includes('%ZZ') && r.status === 400), `GET ${path} answered ${r.status}`);
		inLayout(r.body, `GET ${path}`);
	}
});

test('a wrong method gives 405 with an Allow header', async () => {
	const allow = (h) => (h || '').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean).sort();
	for (const [method, path, expected] of [
		['POST', '/', ['GET', 'HEAD']],
		['DELETE', '/contact', ['GET', 'HEAD', 'POST']],
		['PUT', '/needs', ['GET', 'HEAD']],
		['POST', '/initiatives/1', ['GET', 'HEAD']],
		['PATCH', '/healthz', ['GET', 'HEAD']],
	]) {
		const r = await s.page(path, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'DELETE' ? undefined : 'a=b' });
		assert.equal(r.status, 405, `${method} ${path}`);
		assert.deepEqual(allow(r.headers.get('allow')), expected.sort(), `${method} ${path}: Allow`);
		assertSecurityHeaders(r.res, `${method} ${path}`);
		if (path !== '/healthz') inLayout(r.body, `${method} ${path}`);
	}
});

test('HEAD answers like GET, with an empty body', async () => {
	const css = await stylesheetPath();
	const ignore = new Set(['date', 'connection', 'keep-alive', 'set-cookie']);
	for (const path of ['/', '/needs', '/initiatives?stage=idea', '/contact', '/nope', '/initiatives?stage=nope', '/static/style.css', css, '/healthz']) {
		const g = await raw('GET', path);
		const h = await raw('HEAD', path);
		assert.equal(h.status, g.status, `HEAD ${path}: status`);
		assert.equal(h.extra.length, 0, `HEAD ${path} sent a body of ${h.extra.length} bytes`);
		const names = (r) => [...new Set(r.headerList.map(([k]) => k).filter((k) => !ignore.has(k)))].sort();
		assert.deepEqual(names(h), names(g), `HEAD ${path}: the same headers as GET`);
		for (const k of ['content-type', 'content-length', 'cache-control', 'etag', 'content-security-policy']) {
			if (path === '/contact' && k === 'content-length') continue; // a fresh csrf token each time
			assert.equal(h.headers[k], g.headers[k], `HEAD ${path}: ${k}`);
		}
		assertSecurityHeaders(h, `HEAD ${path}`);
	}
});

test('every kind of response carries the security headers', async () => {
	const css = await stylesheetPath();
	const etag = (await s.get('/static/style.css')).headers.get('etag');
	const sess = await contactSession(s);
	const cases = [
		['GET /', () => s.get('/')],
		['GET /contact', () => s.get('/contact')],
		['GET /needs', () => s.get('/needs')],
		['GET /healthz', () => s.get('/healthz')],
		['404', () => s.get('/nope')],
		['400', () => s.get('/?q=%ZZ')],
		['405', () => s.get('/', { method: 'POST' })],
		['403', () => postForm(s, '/contact', { message: 'x' })],
		['303', () => postForm(s, '/contact', { csrf: sess.csrf, name: 'H', message: 'headers' }, { cookie: sess.cookie })],
		['422', () => postForm(s, '/contact', { csrf: sess.csrf, name: 'H', message: '' }, { cookie: sess.cookie })],
		['static', () => s.get(css)],
		['static 404', () => s.get('/static/nope.css')],
		['304', () => s.get('/static/style.css', { headers: { 'if-none-match': etag } })],
		['HEAD /', () => s.get('/', { method: 'HEAD' })],
	];
	for (const [what, send] of cases) {
		const r = await send();
		await r.arrayBuffer();
		assertSecurityHeaders(r, what);
	}
});

test('HTML-special input is never echoed unescaped', async () => {
	const payloads = ['"><svg onload=alert(1)>', '<script>alert(1)</script>', "'><img src=x onerror=alert(1)>"];
	for (const p of payloads) {
		const e = encodeURIComponent(p);
		for (const path of [`/initiatives?stage=${e}`, `/initiatives?theme=${e}`, `/?q=${e}`, `/needs?q=${e}`, `/nope/${e}`,
			`/organisations/${e}`, `/?lang=${e}`, `/contact?sent=${e}`, `/initiatives?before=${e}`]) {
			const r = await s.page(path);
			assert.ok(r.status < 500, `GET ${path} answered ${r.status}`);
			assert.ok(!/<svg|<script>alert|<img src=x/i.test(r.body), `GET ${path} echoes the markup unescaped`);
		}
	}
	// Unencoded in the request line, as a hostile client may send it.
	for (const target of ['/initiatives?stage="><svg/onload=alert(1)>', '/nope/"><svg/onload=alert(1)>']) {
		const r = await raw('GET', target);
		assert.ok(r.status >= 400 && r.status < 500, `GET ${target} answered ${r.status}`);
		assert.ok(!/<svg/i.test(r.text), `GET ${target} echoes the markup unescaped`);
	}
});

test('the fingerprinted stylesheet is cached for a year', async () => {
	const css = await stylesheetPath();
	assert.match(css, /^\/static\/style\.[0-9a-f]{8,}\.css$/, 'the layout links a fingerprinted stylesheet');
	const r = await s.get(css);
	const body = Buffer.from(await r.arrayBuffer());
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type') || '', /^text\/css/i);
	const cc = r.headers.get('cache-control') || '';
	assert.match(cc, /max-age=31536000/, `Cache-Control: ${cc}`);
	assert.match(cc, /immutable/, `Cache-Control: ${cc}`);
	assert.deepEqual(body, readFileSync(join(ROOT, 'static/style.css')), 'it is static/style.css');
});

test('/static/style.css has an ETag and answers 304 to If-None-Match', async () => {
	const r = await s.get('/static/style.css');
	const body = Buffer.from(await r.arrayBuffer());
	assert.equal(r.status, 200);
	assert.deepEqual(body, readFileSync(join(ROOT, 'static/style.css')));
	const etag = r.headers.get('etag');
	assert.match(etag || '', /^(W\/)?"[^"]+"$/, `ETag: ${etag}`);
	const c = await s.get('/static/style.css', { headers: { 'if-none-match': etag } });
	assert.equal(c.status, 304);
	assert.equal((await c.arrayBuffer()).byteLength, 0);
	assert.equal(c.headers.get('etag'), etag, 'the 304 repeats the ETag');
	const other = await s.get('/static/style.css', { headers: { 'if-none-match': '"not-the-etag"' } });
	assert.equal(other.status, 200);
	assert.ok((await other.arrayBuffer()).byteLength > 0);
});

test('unknown static files give 404, and nothing outside static/ is served', async () => {
	for (const path of ['/static/nope.css', '/static/', '/static/style.css.bak']) {
		const r = await s.page(path);
		assert.equal(r.status, 404, `GET ${path}`);
	}
	const secrets = /#include|int main|CFLAGS|root:x:0|CREATE TABLE/;
	for (const target of ['/static/..%2Fsrc%2Fmain.c', '/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd', '/static/%2e%2e/Makefile',
		'/static/%2e%2e%2fMakefile', '/static/../Makefile', '/static/../src/main.c', '/static/..%5cMakefile', '/static/.%2e/Makefile',
		'/static/..', '/static/%2e%2e', '/static/style.css%00.png', '/static/%2fetc%2fpasswd', '/static//etc/passwd',
		'/static/..%252Fsrc%252Fmain.c', '/static/....//Makefile', '/static/..%c0%afMakefile']) {
		const r = await raw('GET', target);
		assert.ok(r.status === 404 || r.status === 400, `GET ${target} answered ${r.status}`);
		assert.ok(!secrets.test(r.text), `GET ${target} served a file outside static/`);
	}
});

test('/favicon.ico, which browsers ask for by themselves, is served', async () => {
	const r = await s.get('/favicon.ico');
	const body = await r.arrayBuffer();
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type') || '', /^image\//);
	assert.ok(body.byteLength > 0);
	assertSecurityHeaders(r, 'GET /favicon.ico');
});

test('/healthz answers 200', async () => {
	const r = await s.get('/healthz');
	assert.equal(r.status, 200);
	await r.arrayBuffer();
});

const LOG_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ([A-Z]+) (\S+) (\d{3}) (\d+) (\d+)$/;

/* The access log so far, once a line for path is in it: [{line, entry|null}]. */
async function accessLog(untilPath) {
	let parsed = [];
	for (let i = 0; i < 40; i++) {
		parsed = s.stdout().split('\n').filter(Boolean).map((line) => {
			const m = LOG_LINE.exec(line);
			return { line, entry: m && { time: m[1], method: m[2], path: m[3], status: Number(m[4]), bytes: Number(m[5]), us: Number(m[6]) } };
		});
		if (parsed.some((p) => p.entry && p.entry.path === untilPath)) break;
		await sleep(50);
	}
	return parsed;
}

test('the access log has one line per request: TIME METHOD PATH STATUS BYTES MICROSECONDS', async () => {
	const needs = await s.page('/needs');
	const nope = await s.page('/nope-logged');
	await (await s.get('/needs', { method: 'HEAD' })).arrayBuffer();
	await (await s.get('/healthz?last')).arrayBuffer();
	const entries = (await accessLog('/nope-logged')).map((p) => p.entry).filter(Boolean);
	const n = entries.find((e) => e.method === 'GET' && e.path === '/needs' && e.status === 200);
	assert.ok(n, `no line for GET /needs 200 in:\n${s.stdout().slice(-2000)}`);
	assert.equal(n.bytes, Buffer.byteLength(needs.body), 'BYTES is the size of the body sent');
	assert.ok(n.us < 10_000_000, 'MICROSECONDS is a duration in microseconds');
	assert.ok(Math.abs(Date.parse(n.time) - Date.now()) < 5 * 60_000, `TIME is now, in UTC: ${n.time}`);
	const x = entries.find((e) => e.path === '/nope-logged');
	assert.ok(x && x.status === 404 && x.bytes === Buffer.byteLength(nope.body), 'a line for the 404 with its size');
	assert.ok(entries.some((e) => e.method === 'HEAD' && e.path === '/needs' && e.status === 200), 'a line for HEAD /needs');
	assert.equal(entries.filter((e) => e.method === 'GET' && e.path === '/nope-logged').length, 1, 'one line per request');
});

test('hostile paths can neither break nor forge access-log lines', async () => {
	// Sent raw: percent-encoded line breaks and spaces, and markup (the escaping test above sends more).
	await raw('GET', '/nope%0a2026-01-01T00:00:00Z%20GET%20/injected%20200%201%201');
	await raw('GET', '/nope%0d%0a2026-01-01T00:00:00Z%20GET%20/injected2%20200%201%201');
	await raw('GET', '/nope/%22%3E%3Csvg%20onload=alert(1)%3E');
	await raw('GET', '/nope%1b%5b31mred');
	await raw('GET', '/log-end');
	const log = await accessLog('/log-end');
	const bad = log.filter((p) => !p.entry && /^\d{4}-|^[A-Z]+ \/|\d{3} \d+ \d+$/.test(p.line)).map((p) => p.line);
	assert.deepEqual(bad, [], 'access-log lines that do not have the TIME METHOD PATH STATUS BYTES MICROSECONDS form');
	const forged = log.filter((p) => p.entry && p.entry.path.startsWith('/injected')).map((p) => p.line);
	assert.deepEqual(forged, [], 'a request forged access-log lines');
	assert.ok(!s.stdout().includes('\x1b'), 'a request wrote a terminal escape sequence into the log');
});

test('a client holding many idle connections does not stop others from being served', { timeout: 30000 }, async () => {
	const socks = [];
	try {
		for (let i = 0; i < 40; i++) {
			const sock = net.connect(s.port, '127.0.0.1');
			sock.on('error', () => {});
			socks.push(sock);
			await new Promise((r) => { sock.once('connect', r); sock.once('error', r); });
			if (i % 2) sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n`); // headers never finished
		}
		await sleep(200);
		const t0 = Date.now();
		const r = await s.page('/', { timeout: 5000 });
		assert.equal(r.status, 200);
		assert.ok(Date.now() - t0 < 3000, `GET / took ${Date.now() - t0} ms with 40 idle connections open`);
		const c = await raw('GET', '/needs');
		assert.equal(c.status, 200, 'a new connection is still served');
	} finally {
		for (const sock of socks) sock.destroy();
	}
});

test('the server still answers after all of the above', async () => {
	const r = await s.page('/');
	assert.equal(r.status, 200);
	assert.ok(links(r.body).length > 0);
});

s.addStopTest();
