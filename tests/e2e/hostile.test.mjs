// Hostile clients over raw sockets: request smuggling and malformed HTTP
// (RFC 9112 sections 2.2, 5.2, 6.1, 6.3, 7.1), huge headers and bodies,
// half-sent requests, and a crowd of slow clients while a person browses.
//
// What every case asserts: the answer is 400/413/414/431/501, or the
// connection is closed; the server keeps serving others afterwards; and no
// request is handled half-read. A smuggled second request is detected by
// its own line in the access log (a unique path), a half-read form by the
// contact message it would have stored (a unique marker in the message,
// sent with a valid session and csrf token, so that a handled request
// would store it).
//
// Cases that fail on the server as it is are marked { todo } with the bug
// they show (node --test reports them without failing the run); remove the
// todo once the bug is fixed.
//
// TREMPLIN_SLOW_CLIENTS (default 1000) sets the size of the slow-client
// crowd; `ulimit -n` must exceed twice that.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { useServer, contactSession, sleep } from './harness.mjs';

const IDLE_TIMEOUT = 2;
const s = useServer({ args: ['--idle-timeout', String(IDLE_TIMEOUT)] });

const REFUSED = [400, 413, 414, 431, 501];

/*
 * fetch() keeps connections alive for 4 s and this server closes idle ones
 * after 2: a GET may go out on a connection the server is just closing
 * ("other side closed"). Browsers retry such a GET; so does this.
 */
async function retried(fn) {
	for (let i = 0; ; i++) {
		try {
			return await fn();
		} catch (e) {
			if (i >= 2 || !(e instanceof TypeError)) throw e;
			await sleep(50);
		}
	}
}
const uid = () => randomBytes(6).toString('hex');

/* ------------------------------------------------------------------ */
/* Raw exchanges                                                       */
/* ------------------------------------------------------------------ */

/* Every response in buf, framed by Content-Length (what this server sends). */
function parseResponses(buf) {
	const out = [];
	let rest = buf;
	for (;;) {
		const end = rest.indexOf('\r\n\r\n');
		if (end < 0) break;
		const head = rest.subarray(0, end).toString('latin1');
		const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
		if (!m) break;
		const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
		const len = cl ? Number(cl[1]) : rest.length - end - 4;
		out.push({ status: Number(m[1]), head, body: rest.subarray(end + 4, end + 4 + len).toString('utf8') });
		rest = rest.subarray(end + 4 + len);
	}
	return out;
}

/*
 * Write data (a string/Buffer or a list of them, gapMs apart) on a new
 * connection and read until the server closes it or has said nothing for
 * settleMs after its last byte. Resolves {responses, closed, error,
 * firstMs (time to the first byte), closedMs}.
 */
function exchange(data, { settleMs = 500, timeout = 10000, gapMs = 0, localAddress } = {}) {
	const pieces = Array.isArray(data) ? data : [data];
	return new Promise((resolve) => {
		const t0 = Date.now();
		const sock = net.connect({ port: s.port, host: '127.0.0.1', localAddress });
		const chunks = [];
		let closed = false, error = null, firstMs = null, closedMs = null, done = false, settle = null;
		const finish = () => {
			if (done) return;
			done = true;
			clearTimeout(settle);
			clearTimeout(overall);
			sock.destroy();
			resolve({ responses: parseResponses(Buffer.concat(chunks)), closed, error, firstMs, closedMs, raw: Buffer.concat(chunks) });
		};
		const overall = setTimeout(finish, timeout);
		sock.on('data', (b) => {
			if (firstMs === null) firstMs = Date.now() - t0;
			chunks.push(b);
			clearTimeout(settle);
			settle = setTimeout(finish, settleMs);
		});
		sock.on('close', () => { closed = true; closedMs = Date.now() - t0; finish(); });
		sock.on('error', (e) => { error = e; });
		sock.on('connect', async () => {
			for (let i = 0; i < pieces.length && !done && !sock.destroyed; i++) {
				if (i && gapMs) await sleep(gapMs);
				if (sock.destroyed) break;
				sock.write(pieces[i]);
			}
		});
	});
}

const host = () => `Host: 127.0.0.1:${s.port}`;

/* Access-log entries so far: [{method, path, status}]. */
function accessLog() {
	return s.stdout().split('\n').map((l) => /^\S+ ([A-Za-z-]+) (\S+) (\d{3}) \d+ \d+$/.exec(l))
		.filter(Boolean).map((m) => ({ method: m[1], path: m[2], status: Number(m[3]) }));
}

/* A smuggled request line and the path that marks it in the access log. */
function smuggled(tag) {
	const path = `/smuggled-${tag}-${uid()}`;
	return { path, request: `GET ${path} HTTP/1.1\r\n${host()}\r\n\r\n` };
}

async function assertNotExecuted(path, what) {
	await sleep(150); // the access log is written when the response completes
	const hit = accessLog().filter((e) => e.path === path);
	assert.deepEqual(hit, [], `${what}: the smuggled request ${path} was executed as a request of its own`);
}

async function storedWith(marker) {
	return Number((await s.query(`SELECT COUNT(*) AS n FROM contact_messages WHERE body LIKE '%${marker}%'`))[0].n);
}

async function assertStillServing(what) {
	assert.equal(s.proc.exitCode, null, `${what}: the server exited (${s.proc.exitCode}); stderr: ${s.stderr().slice(-2000)}`);
	assert.equal(s.proc.signalCode, null, `${what}: the server died of ${s.proc.signalCode}; stderr: ${s.stderr().slice(-2000)}`);
	const r = await exchange(`GET /healthz HTTP/1.1\r\n${host()}\r\nConnection: close\r\n\r\n`);
	assert.equal(r.responses[0]?.status, 200, `${what}: GET /healthz afterwards`);
	const page = await retried(() => s.page('/needs'));
	assert.equal(page.status, 200, `${what}: GET /needs afterwards`);
}

/*
 * The answer to a malformed or ambiguous request: refused (REFUSED status,
 * nothing more on the connection), or, where the RFC lets the server read
 * it one way, at most that one answer and then the connection closed.
 */
function assertRefusedOrClosed(r, what, { allowHandled = false } = {}) {
	const statuses = r.responses.map((x) => x.status);
	if (statuses.length === 0) {
		assert.ok(r.closed, `${what}: no answer and the connection left open`);
		return;
	}
	if (!allowHandled)
		assert.ok(REFUSED.includes(statuses[0]), `${what}: answered ${statuses[0]}, not one of ${REFUSED.join('/')}`);
	assert.ok(statuses.slice(1).every((x) => REFUSED.includes(x)), `${what}: more than one request answered on the connection: ${statuses.join(', ')}`);
	assert.ok(r.closed, `${what}: the connection stayed open after answering ${statuses.join(', ')} (RFC 9112: close after such a request)`);
}

/* A contact form with a valid session and csrf token, holding marker in its message. */
async function validForm(marker) {
	const sess = await retried(() => contactSession(s));
	const body = `csrf=${encodeURIComponent(sess.csrf)}&name=Hostile&message=${marker}`;
	return { cookie: sess.cookie, body };
}

const chunked = (body) => `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;

/* ------------------------------------------------------------------ */
/* The baseline: a well-formed form on a raw socket is stored          */
/* ------------------------------------------------------------------ */

test('baseline: the raw-socket helpers store a well-formed form, framed by Content-Length or chunked', async () => {
	for (const te of [false, true]) {
		const marker = `baseline${uid()}`;
		const f = await validForm(marker);
		const framing = te ? 'Transfer-Encoding: chunked' : `Content-Length: ${Buffer.byteLength(f.body)}`;
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\n` +
			`Content-Type: application/x-www-form-urlencoded\r\n${framing}\r\n\r\n${te ? chunked(f.body) : f.body}`);
		assert.equal(r.responses[0]?.status, 303, `${te ? 'chunked' : 'Content-Length'}: ${r.responses[0]?.head}`);
		assert.equal(await storedWith(marker), 1, 'the message was stored once');
	}
});

/* ------------------------------------------------------------------ */
/* Request smuggling                                                   */
/* ------------------------------------------------------------------ */

const BUG_CL_TE = 'server.c/libmicrohttpd 0.9.75: a request with both Content-Length and Transfer-Encoding is framed by TE and the connection kept open, so the bytes after it run as a second request (RFC 9112 6.1: must close, or refuse with 400)';

test('Content-Length with Transfer-Encoding: chunked is refused or closes the connection; nothing smuggled', async () => {
	for (const order of ['CL first', 'TE first']) {
		const marker = `clte${uid()}`;
		const f = await validForm(marker);
		const sm = smuggled('clte');
		const framed = chunked(f.body);
		// Content-Length covers the chunked body and the smuggled request: a proxy
		// going by Content-Length would forward it all as one request.
		const cl = `Content-Length: ${Buffer.byteLength(framed) + Buffer.byteLength(sm.request)}`;
		const te = 'Transfer-Encoding: chunked';
		const headers = order === 'CL first' ? [cl, te] : [te, cl];
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\n` +
			`Content-Type: application/x-www-form-urlencoded\r\n${headers.join('\r\n')}\r\n\r\n${framed}${sm.request}`);
		assertRefusedOrClosed(r, order, { allowHandled: true });
		await assertNotExecuted(sm.path, order);
		assert.ok(await storedWith(marker) <= 1, `${order}: the message was stored more than once`);
	}
	await assertStillServing('after CL+TE');
});

const BUG_TWO_CL = 'server.c/libmicrohttpd 0.9.75: of two different Content-Length headers the first is used, the body hidden by the second runs as a request (RFC 9112 6.3: 400 and close)';

test('two different Content-Lengths are refused; nothing smuggled', async () => {
	for (const first of [0, 'long']) {
		const sm = smuggled('twocl');
		const long = Buffer.byteLength(sm.request);
		const [a, b] = first === 0 ? [0, long] : [long, 0];
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
			`Content-Length: ${a}\r\nContent-Length: ${b}\r\n\r\n${sm.request}`);
		assertRefusedOrClosed(r, `Content-Length ${a} then ${b}`);
		await assertNotExecuted(sm.path, `Content-Length ${a} then ${b}`);
	}
	// A list in one header is as ambiguous.
	const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nContent-Length: 3, 3\r\n\r\na=b`);
	assertRefusedOrClosed(r, 'Content-Length: 3, 3');
	await assertStillServing('after two Content-Lengths');
});

const BUG_FOLD = 'libmicrohttpd 0.9.75 (connection.c process_broken_line) appends an obs-fold continuation to the header NAME ("Content-Length:\\r\\n 40" becomes a header "Content-Length40"), so a folded Content-Length is ignored and the body runs as a request; a proxy that unfolds it (RFC 9112 5.2) frames it differently';

test('obsolete line folding in an ordinary header: answered consistently, the server keeps serving', async () => {
	const r = await exchange(`GET /needs HTTP/1.1\r\n${host()}\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n`);
	const st = r.responses[0]?.status;
	assert.ok(st === 200 || st === 400 || (!st && r.closed), `a folded X- header: answered ${st}`);
	assert.equal(r.responses.length <= 1, true);
	await assertStillServing('after a folded header');
});

test('a Content-Length folded onto a continuation line is refused; nothing smuggled', async () => {
	for (const [what, folded] of [['value on the next line', 'Content-Length:\r\n %LEN%'], ['value split', 'Content-Length: %HEAD%\r\n %TAIL%']]) {
		const sm = smuggled('fold');
		const len = String(Buffer.byteLength(sm.request));
		const line = folded.replace('%LEN%', len).replace('%HEAD%', len.slice(0, -1)).replace('%TAIL%', len.slice(-1));
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nContent-Type: application/x-www-form-urlencoded\r\n${line}\r\n\r\n${sm.request}`);
		assertRefusedOrClosed(r, what);
		await assertNotExecuted(sm.path, what);
	}
	await assertStillServing('after a folded Content-Length');
});

const BUG_TWO_HOSTS = 'server.c: a request with two Host headers is served with the territory of the first (RFC 9112 3.2: 400); a proxy that reads the last one would disagree on the territory';

test('two Host headers are refused (RFC 9112 3.2): the territory is never ambiguous', async () => {
	const r = await exchange(`GET /needs HTTP/1.1\r\n${host()}\r\nHost: other.example\r\nConnection: close\r\n\r\n`);
	assertRefusedOrClosed(r, 'two Host headers');
	await assertStillServing('after two Host headers');
});

test('whitespace between a header name and its colon: the body never runs as a request', async () => {
	// RFC 9112 5.1 says 400; this server ignores the header instead. Either
	// way the chunked body after it must not become a request.
	const sm = smuggled('tespace');
	const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${sm.request}`);
	assert.ok(r.responses.length >= 1 || r.closed, 'no answer and the connection left open');
	await assertNotExecuted(sm.path, 'Transfer-Encoding : chunked');
	await assertStillServing('after whitespace before a colon');
});

test('bare LF line endings are handled consistently (RFC 9112 2.2), never as two requests', async () => {
	for (const [what, req] of [
		['LF only', `GET /needs HTTP/1.1\n${host()}\nConnection: close\n\n`],
		['CRLF and LF mixed', `GET /needs HTTP/1.1\r\n${host()}\nX-A: b\r\nConnection: close\r\n\r\n`],
	]) {
		const r = await exchange(req);
		const st = r.responses[0]?.status;
		assert.ok(st === 200 || st === 400 || (!st && r.closed), `${what}: answered ${st}`);
		assert.ok(r.responses.length <= 1, `${what}: ${r.responses.length} answers to one request`);
	}
	// A Content-Length behind a bare LF frames the body: what follows is body, not a request.
	const sm = smuggled('lf');
	const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\nContent-Length: ${Buffer.byteLength(sm.request)}\r\n\r\n${sm.request}`);
	assert.ok(r.responses.length <= 1, `a body framed after a bare LF gave ${r.responses.length} answers`);
	await assertNotExecuted(sm.path, 'Content-Length after a bare LF');
	await assertStillServing('after bare LFs');
});

/* ------------------------------------------------------------------ */
/* Sizes                                                               */
/* ------------------------------------------------------------------ */

test('a 100 KB header (over --connection-memory 64K) and 5,000 headers: 431 or 400 or closed', async () => {
	for (const [what, extra] of [
		['one 100 KB header', `X-Big: ${'a'.repeat(100 * 1024)}\r\n`],
		['5,000 headers', Array.from({ length: 5000 }, (_, i) => `X-H${i}: v\r\n`).join('')],
		['a 100 KB cookie', `Cookie: tremplin_session=${'a'.repeat(100 * 1024)}\r\n`],
		['a 120 KB request target', null],
	]) {
		const req = extra === null
			? `GET /needs?${'a=b&'.repeat(30000)} HTTP/1.1\r\n${host()}\r\n\r\n`
			: `GET /needs HTTP/1.1\r\n${host()}\r\n${extra}\r\n`;
		const r = await exchange(req);
		assertRefusedOrClosed(r, what);
	}
	await assertStillServing('after huge headers');
});

test('a declared 1 GB body to /contact: 413 at once, the connection closed, the body not read', { timeout: 60000 }, async () => {
	for (const expect100 of [false, true]) {
		const marker = `gig${uid()}`;
		const f = await validForm(marker);
		const what = expect100 ? 'with Expect: 100-continue' : 'without Expect';
		const head = `POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
			`Content-Length: ${1024 ** 3}\r\n${expect100 ? 'Expect: 100-continue\r\n' : ''}\r\n`;
		const result = await new Promise((resolve) => {
			const t0 = Date.now();
			const sock = net.connect(s.port, '127.0.0.1');
			let got = Buffer.alloc(0), answeredMs = null, written = 0, closed = false, error = null;
			const MB = Buffer.alloc(1024 * 1024, 'a');
			const end = () => { clearTimeout(timer); sock.destroy(); resolve({ got, answeredMs, written, closed, error }); };
			const timer = setTimeout(end, 20000);
			sock.on('data', (b) => { got = Buffer.concat([got, b]); if (answeredMs === null) answeredMs = Date.now() - t0; });
			sock.on('close', () => { closed = true; end(); });
			sock.on('error', (e) => { error = e; });
			sock.on('connect', async () => {
				sock.write(head + f.body);
				await sleep(300); // the answer comes before any more body
				// Then keep writing, as a client that ignores the answer: the
				// server must stop reading (close), long before 1 GB.
				while (!closed && !error && written < 256 * 1024 * 1024) {
					const ok = sock.write(MB);
					written += MB.length;
					if (!ok) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); sock.once('error', r); setTimeout(r, 2000); });
				}
			});
		});
		const responses = parseResponses(result.got);
		assert.ok(!/^HTTP\/1\.1 100/.test(result.got.toString('latin1')), `${what}: the server sent 100 Continue for a body it refuses`);
		assert.equal(responses[0]?.status, 413, `${what}: answered ${responses[0]?.status}`);
		assert.ok(result.answeredMs < 1000, `${what}: the 413 came after ${result.answeredMs} ms`);
		assert.ok(result.closed || result.error, `${what}: the connection stayed open`);
		assert.ok(result.written < 64 * 1024 * 1024, `${what}: the server read ${result.written >> 20} MB of a body it refused`);
		assert.equal(await storedWith(marker), 0, `${what}: a refused body was stored`);
	}
	await assertStillServing('after 1 GB declared');
});

/* ------------------------------------------------------------------ */
/* Chunked bodies and transfer codings                                 */
/* ------------------------------------------------------------------ */

test('invalid chunk sizes and framing: 400/413 or closed, nothing stored', async () => {
	// Each case builds a chunked body around a valid form (f.body, n its size in hex).
	for (const [what, build, valid] of [
		['a size that is not hex', (f) => `zz\r\n${f.body}\r\n0\r\n\r\n`],
		['a negative size', (f, n) => `-${n}\r\n${f.body}\r\n0\r\n\r\n`],
		['a size past 64 bits', (f, n) => `1${'0'.repeat(16)}${n}\r\n${f.body}\r\n0\r\n\r\n`],
		['a size of 17 F', (f) => `${'F'.repeat(17)}\r\n${f.body}\r\n0\r\n\r\n`],
		['a size with a space inside', (f, n) => `${n.slice(0, 1)} ${n.slice(1) || '0'}\r\n${f.body}\r\n0\r\n\r\n`],
		['a size with 0x', (f, n) => `0x${n}\r\n${f.body}\r\n0\r\n\r\n`],
		['no CRLF after the data', (f, n) => `${n}\r\n${f.body}XX0\r\n\r\n`],
		['a chunk shorter than its size', (f) => `${(Buffer.byteLength(f.body) + 10).toString(16)}\r\n${f.body}\r\n0\r\n\r\n`],
		['a NUL in the size line', (f, n) => `${n}\0\r\n${f.body}\r\n0\r\n\r\n`],
		// The control case: leading zeros are valid (1*HEXDIG), so this one is stored.
		['a size line of 30,000 leading zeros', (f, n) => `${'0'.repeat(30000)}${n}\r\n${f.body}\r\n0\r\n\r\n`, true],
	]) {
		const marker = `chunk${uid()}`;
		const f = await validForm(marker);
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\n` +
			`Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n` +
			build(f, Buffer.byteLength(f.body).toString(16)), { timeout: (IDLE_TIMEOUT + 4) * 1000 });
		if (valid) {
			assert.equal(r.responses[0]?.status, 303, `${what}: answered ${r.responses[0]?.status}`);
			assert.equal(await storedWith(marker), 1, `${what}: the form was not stored once`);
			continue;
		}
		assertRefusedOrClosed(r, what);
		assert.equal(await storedWith(marker), 0, `${what}: the form was stored`);
	}
	await assertStillServing('after bad chunks');
});

const BUG_LONG_CHUNK_LINE = 'libmicrohttpd 0.9.75 answers 500 "Please ask the developer of this Web server to carefully read the GNU libmicrohttpd documentation" (and closes) to a chunk-size line longer than --connection-memory; 400 or 413 is the answer';

test('a chunk-size line of 100 KB (over --connection-memory) is answered 400/413, not 500', { todo: BUG_LONG_CHUNK_LINE }, async () => {
	const marker = `longchunk${uid()}`;
	const f = await validForm(marker);
	const n = Buffer.byteLength(f.body).toString(16);
	const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\n` +
		`Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${'0'.repeat(100 * 1024)}${n}\r\n${f.body}\r\n0\r\n\r\n`);
	assertRefusedOrClosed(r, 'a 100 KB chunk-size line');
	assert.equal(await storedWith(marker), 0, 'the form was stored');
	await assertStillServing('after a 100 KB chunk-size line');
});

test('a transfer coding other than chunked is never read as a request body it cannot frame', { timeout: 60000 }, async () => {
	// RFC 9112 6.3: chunked not last (or unknown) → 400/501 and close. This
	// server reads such a body until the connection closes; either way it must
	// not be handled, nor what follows run as a request.
	const marker = `te${uid()}`;
	const f = await validForm(marker);
	for (const te of ['gzip, chunked', 'chunked, gzip', 'identity', 'xchunked', 'chunked;q=1']) {
		const sm = smuggled('te');
		const r = await exchange(`POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\n` +
			`Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: ${te}\r\nContent-Length: ${Buffer.byteLength(f.body)}\r\n\r\n` +
			`${f.body}${sm.request}`, { timeout: (IDLE_TIMEOUT + 5) * 1000, settleMs: 300 });
		assertRefusedOrClosed(r, `Transfer-Encoding: ${te}`);
		await assertNotExecuted(sm.path, `Transfer-Encoding: ${te}`);
	}
	assert.equal(await storedWith(marker), 0, 'a body of an unknown coding was stored');
	await assertStillServing('after unknown codings');
});

/* ------------------------------------------------------------------ */
/* Half-sent requests                                                  */
/* ------------------------------------------------------------------ */

test('a request is never handled half-read: body cut short, then closed or left idle', { timeout: 60000 }, async () => {
	for (const [what, cut, close] of [
		['Content-Length body cut in half, then closed', 'cl', true],
		['chunked body without its last chunk, then closed', 'te', true],
		['Content-Length body cut in half, then idle', 'cl', false],
		['chunked body without its last chunk, then idle', 'te', false],
	]) {
		const marker = `half${uid()}`;
		const f = await validForm(marker);
		const posts = () => accessLog().filter((e) => e.method === 'POST').length;
		const before = posts();
		const head = `POST /contact HTTP/1.1\r\n${host()}\r\nCookie: ${f.cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n`;
		const data = cut === 'cl'
			? `${head}Content-Length: ${Buffer.byteLength(f.body) * 2}\r\n\r\n${f.body}`
			: `${head}Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(f.body).toString(16)}\r\n${f.body}\r\n`;
		const r = await new Promise((resolve) => {
			const t0 = Date.now();
			const sock = net.connect(s.port, '127.0.0.1');
			const got = [];
			sock.on('data', (b) => got.push(b));
			sock.on('error', () => {});
			sock.on('close', () => resolve({ responses: parseResponses(Buffer.concat(got)), closedMs: Date.now() - t0 }));
			sock.on('connect', () => {
				sock.write(data);
				if (close) setTimeout(() => sock.end(), 200);
				else setTimeout(() => sock.destroy(), (IDLE_TIMEOUT + 5) * 1000); // the server should close first
			});
		});
		if (!close) assert.ok(r.closedMs < (IDLE_TIMEOUT + 4) * 1000, `${what}: the server kept the connection ${r.closedMs} ms (idle timeout ${IDLE_TIMEOUT} s)`);
		assert.ok(r.responses.every((x) => REFUSED.includes(x.status) || x.status === 408), `${what}: answered ${r.responses.map((x) => x.status)}`);
		await sleep(150);
		assert.equal(posts(), before, `${what}: the half-read request was handled (access log)`);
		assert.equal(await storedWith(marker), 0, `${what}: the half-read form was stored`);
	}
	await assertStillServing('after half-sent requests');
});

/* ------------------------------------------------------------------ */
/* Slow clients                                                        */
/* ------------------------------------------------------------------ */

const SLOW = Number(process.env.TREMPLIN_SLOW_CLIENTS || 1000);
const PER_IP = 200; // under --max-connections-per-ip (256)

function vmRssKb(pid) {
	const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) : 0;
}

/* One GET on a fresh connection: {status, ms}. */
function timedGet(path) {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const req = http.get({ host: '127.0.0.1', port: s.port, path, agent: false, timeout: 5000 }, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, error: e.code || e.message }));
	});
}

test(`${SLOW} idle or trickling connections from 127.0.0.x: a person browsing is served, memory stays low, idle sockets close at the timeout`, { timeout: 180000 }, async (t) => {
	const pid = s.proc.pid;
	const rss0 = vmRssKb(pid);
	const socks = [];
	// A third say nothing, a third send half a request line and stop (both
	// idle), a third trickle a header byte every second (never idle).
	const kinds = ['silent', 'partial', 'trickle'];
	const opened = [];
	for (let i = 0; i < SLOW; i++) {
		const localAddress = `127.0.0.${2 + Math.floor(i / PER_IP)}`;
		const c = { kind: kinds[i % 3], lastWrite: 0, closedAt: 0, error: null };
		c.sock = net.connect({ port: s.port, host: '127.0.0.1', localAddress });
		c.sock.on('error', (e) => { c.error = e.code || e.message; });
		c.sock.on('close', () => { c.closedAt = Date.now(); });
		opened.push(new Promise((r) => {
			c.sock.once('connect', () => {
				c.lastWrite = Date.now();
				if (c.kind === 'partial') c.sock.write('GET /needs HT');
				if (c.kind === 'trickle') c.sock.write(`GET /needs HTTP/1.1\r\n${host()}\r\nX-Slow: `);
				r();
			});
			c.sock.once('error', r);
		}));
		socks.push(c);
		if (i % 200 === 199) await Promise.all(opened.splice(0));
	}
	await Promise.all(opened);
	const connected = socks.filter((c) => c.lastWrite).length;
	const trickle = setInterval(() => {
		for (const c of socks) if (c.kind === 'trickle' && !c.closedAt && !c.sock.destroyed) { c.sock.write('a'); c.lastWrite = Date.now(); }
	}, 1000);

	let rssMax = vmRssKb(pid);
	const sampler = setInterval(() => { try { rssMax = Math.max(rssMax, vmRssKb(pid)); } catch { /* gone */ } }, 200);
	const timings = [];
	const paths = ['/', '/needs', '/initiatives', '/contact', '/partners', '/healthz'];
	const browseUntil = Date.now() + (IDLE_TIMEOUT + 5) * 1000;
	try {
		for (let i = 0; Date.now() < browseUntil; i++) timings.push({ path: paths[i % paths.length], ...(await timedGet(paths[i % paths.length])) });
		rssMax = Math.max(rssMax, vmRssKb(pid));
	} finally {
		clearInterval(trickle);
		clearInterval(sampler);
	}

	const idle = socks.filter((c) => c.kind !== 'trickle' && c.lastWrite);
	const idleClosed = idle.filter((c) => c.closedAt);
	const idleAfter = idleClosed.map((c) => (c.closedAt - c.lastWrite) / 1000).sort((a, b) => a - b);
	const trickleOpen = socks.filter((c) => c.kind === 'trickle' && c.lastWrite && !c.closedAt).length;
	const ms = timings.map((x) => x.ms).sort((a, b) => a - b);
	const p = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
	const failed = timings.filter((x) => x.status !== 200);
	const figures = {
		clients: SLOW, connected, requests: timings.length, failed: failed.length,
		p50: +p(0.5).toFixed(1), p99: +p(0.99).toFixed(1), max: +ms[ms.length - 1].toFixed(1),
		rssStartMB: +(rss0 / 1024).toFixed(1), rssMaxMB: +(rssMax / 1024).toFixed(1),
		idle: idle.length, idleClosed: idleClosed.length,
		idleClosedAfterS: idleAfter.length ? [idleAfter[0], idleAfter[idleAfter.length - 1]] : null,
		trickleStillOpen: trickleOpen,
	};
	t.diagnostic(`slow clients: ${JSON.stringify(figures)}`);
	if (process.env.TREMPLIN_SLOW_REPORT) console.log(`slow clients: ${JSON.stringify(figures)}`);
	for (const c of socks) c.sock.destroy();

	assert.equal(connected, SLOW, `${SLOW - connected} slow clients could not even connect`);
	assert.ok(timings.length >= 10, `only ${timings.length} requests in the browsing window`);
	assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${timings.length} requests of the person browsing failed`);
	assert.ok(figures.p99 < 500, `the person browsing waited ${figures.p99} ms at p99 (limit 500 ms)`);
	// AddressSanitizer's shadow memory and quarantine inflate RSS several times
	// over (make asan sets ASAN_OPTIONS): the limit is the product's, measured
	// on the real build.
	const rssLimitMB = process.env.ASAN_OPTIONS ? 1024 : 256;
	assert.ok(rssMax < rssLimitMB * 1024, `the server's VmRSS reached ${figures.rssMaxMB} MB (limit ${rssLimitMB} MB)`);
	assert.equal(idleClosed.length, idle.length, `${idle.length - idleClosed.length} idle connections were still open ${IDLE_TIMEOUT + 5} s after their last byte`);
	assert.ok(idleAfter[0] >= IDLE_TIMEOUT - 1, `an idle connection was closed after ${idleAfter[0]} s, before the ${IDLE_TIMEOUT} s timeout`);
	assert.ok(idleAfter[idleAfter.length - 1] <= IDLE_TIMEOUT + 3, `an idle connection was closed only after ${idleAfter[idleAfter.length - 1]} s (timeout ${IDLE_TIMEOUT} s)`);
	await assertStillServing('after the slow clients');
});

s.addStopTest();
