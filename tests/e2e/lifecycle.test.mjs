// The process as an operator sees it: command-line errors, configuration
// from the environment, and a graceful stop that finishes the request in
// flight, refuses new connections and exits 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	startServer, runTremplin, freePort, contactSession, BIN, ROOT, sleep, within,
} from './harness.mjs';

/* Connect to port: 'refused', 'closed' (accepted, then closed without an answer), 'answered' or 'hung'. */
function tryConnect(port, ms = 1500) {
	return new Promise((res) => {
		const sock = net.connect(port, '127.0.0.1');
		let got = '';
		const timer = setTimeout(() => { sock.destroy(); res(got ? 'answered' : 'hung'); }, ms);
		const done = (v) => { clearTimeout(timer); sock.destroy(); res(v); };
		sock.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : got ? 'answered' : 'closed'));
		sock.on('connect', () => sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
		sock.on('data', (b) => { got += b.toString('latin1'); });
		sock.on('close', () => done(got ? 'answered' : 'closed'));
	});
}

test('a request in flight at SIGTERM completes; new connections are refused; exit code 0', { timeout: 60000 }, async () => {
	const s = await startServer();
	try {
		const sess = await contactSession(s);
		const before = Number((await s.query('SELECT COUNT(*) AS n FROM contact_messages'))[0].n);
		const body = Buffer.from(new URLSearchParams({ csrf: sess.csrf, name: 'Lente', message: 'envoyé pendant l\'arrêt' }).toString());
		const head = ['POST /contact HTTP/1.1', `Host: 127.0.0.1:${s.port}`, 'Content-Type: application/x-www-form-urlencoded',
			`Cookie: ${sess.cookie}`, `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n');
		const bytes = [head, ...[...body].map((b) => Buffer.from([b]))];
		const gapMs = Math.max(5, Math.round(1500 / body.length));
		const knocks = [];
		let termAt = 0;
		// Knock every 100 ms from SIGTERM on, until refused or the request in flight is answered.
		const knock = async () => {
			await sleep(100);
			while (!s.inFlight) {
				const v = await tryConnect(s.port, 1000);
				knocks.push(v);
				if (v === 'refused' || v === 'closed') return;
				await sleep(100);
			}
		};
		let knocking = null;
		const signalled = new Promise((resolveSignalled) => {
			const pending = s.raw(bytes, {
				gapMs,
				timeout: 20000,
				onChunk: (i) => {
					if (i !== 10) return;
					termAt = Date.now();
					s.proc.kill('SIGTERM');
					knocking = knock();
					resolveSignalled();
				},
			});
			pending.then((r) => { s.inFlight = r; });
		});
		await signalled;
		const exit = await within(s.exited, 20000);
		assert.ok(exit, `the server did not exit within 20 s of SIGTERM; stderr: ${s.stderr()}`);
		for (let i = 0; i < 50 && !s.inFlight; i++) await sleep(100);
		await knocking;
		const r = s.inFlight;
		assert.ok(r, 'the request in flight got no answer');
		assert.ok(Date.now() - termAt > 800, 'the test kept sending the body after SIGTERM');
		assert.equal(r.status, 303, `the request in flight answered ${r.status} (${r.error?.code ?? ''} ${r.rawHead})`);
		assert.equal(r.headers.location && new URL(r.headers.location, s.origin).pathname + new URL(r.headers.location, s.origin).search, '/contact?sent=1');
		const last = knocks[knocks.length - 1];
		assert.ok(last === 'refused' || last === 'closed',
			`new connections were not refused while the request in flight went on (connection attempts after SIGTERM: ${knocks.join(', ') || 'none'})`);
		assert.equal(exit.signal, null, `the server died of ${exit.signal}`);
		assert.equal(exit.code, 0, `exit code ${exit.code}; stderr: ${s.stderr()}`);
		const after = Number((await s.query('SELECT COUNT(*) AS n FROM contact_messages'))[0].n);
		assert.equal(after, before + 1, 'the message sent during the stop is in the database');
		const [row] = await s.query('SELECT name, body FROM contact_messages ORDER BY id DESC LIMIT 1');
		assert.deepEqual({ ...row }, { name: 'Lente', body: 'envoyé pendant l\'arrêt' }, 'the whole body was read');
	} finally {
		await s.stop(3000);
	}
});

test('idle keep-alive connections do not hold up the stop', { timeout: 30000 }, async () => {
	const s = await startServer();
	const socks = [];
	try {
		for (let i = 0; i < 5; i++) {
			const sock = net.connect(s.port, '127.0.0.1');
			sock.on('error', () => {});
			await new Promise((r) => sock.once('connect', r));
			sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`);
			await new Promise((r) => sock.once('data', r));
			socks.push(sock);
		}
		const t0 = Date.now();
		const exit = await s.stop(10000);
		assert.ok(!exit.timedOut, 'the server did not exit within 10 s with idle keep-alive connections open');
		assert.equal(exit.code, 0, `exit code ${exit.code}; stderr: ${s.stderr()}`);
		assert.ok(Date.now() - t0 < 5000, `the stop took ${Date.now() - t0} ms`);
	} finally {
		for (const sock of socks) sock.destroy();
		await s.stop(3000);
	}
});

test('option errors: one line on stderr and a non-zero exit', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tremplin-cli-'));
	const db = `sqlite:${join(dir, 't.db')}`;
	try {
		for (const args of [
			['serve', '--db', db, '--port', 'abc'],
			['serve', '--db', db, '--port', '99999'],
			['serve', '--db', db, '--port'],
			['serve', '--db', db, '--threads', 'many'],
			['serve', '--db', db, '--no-such-option'],
			['no-such-command'],
			['migrate', '--db', 'postgress://localhost/typo'],
		]) {
			const r = await runTremplin(args, { timeout: 10000, cwd: dir });
			assert.notEqual(r.code, 0, `tremplin ${args.join(' ')} exited 0`);
			assert.ok(r.code > 0, `tremplin ${args.join(' ')} did not exit by itself (${r.code}): ${r.stderr}`);
			const lines = r.stderr.trim().split('\n').filter(Boolean);
			assert.equal(lines.length, 1, `tremplin ${args.join(' ')}: stderr is ${JSON.stringify(r.stderr)}`);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('TREMPLIN_DB and TREMPLIN_PORT configure serve', { timeout: 30000 }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tremplin-env-'));
	const db = `sqlite:${join(dir, 't.db')}`;
	let proc;
	try {
		const m = await runTremplin(['migrate'], { env: { ...process.env, TREMPLIN_DB: db } });
		assert.equal(m.code, 0, `TREMPLIN_DB=… tremplin migrate: ${m.stderr}`);
		const d = await runTremplin(['demo'], { env: { ...process.env, TREMPLIN_DB: db } });
		assert.equal(d.code, 0, `TREMPLIN_DB=… tremplin demo: ${d.stderr}`);
		const port = await freePort();
		proc = spawn(BIN, ['serve'], { cwd: ROOT, env: { ...process.env, TREMPLIN_DB: db, TREMPLIN_PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		proc.stderr.on('data', (b) => { err += b; });
		const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
		let body = null;
		for (let i = 0; i < 100 && body === null; i++) {
			try {
				const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
				await r.arrayBuffer();
				if (r.status === 200) body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
			} catch { /* not listening yet */ }
			if (body === null) await sleep(100);
		}
		assert.ok(body !== null, `serve did not answer on TREMPLIN_PORT=${port}: ${err}`);
		assert.match(body, /UP Sceaux/, 'it serves the database of TREMPLIN_DB');
		proc.kill('SIGTERM');
		const exit = await within(exited, 10000);
		assert.ok(exit, 'serve did not exit within 10 s of SIGTERM');
		assert.equal(exit.code, 0);
	} finally {
		if (proc && proc.exitCode === null) proc.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
