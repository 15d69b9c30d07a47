// A real SMTP server for the black-box and browser tests: starts
// tests/e2e/smtp-server.py (Debian's python3-aiosmtpd, under /usr/bin/python3)
// on a free port and reads the mails it saved, decoding them the way a mail
// client would (RFC 2047 headers, quoted-printable or base64 bodies), so
// tests can follow the links the server sent.
//
//   const smtp = await startSmtp();
//   ... start `tremplin serve` with TREMPLIN_SMTP_URL=smtp.url ...
//   const mail = await smtp.waitForMail('ana@example.org', { subjectIncludes: 'Confirm' });
//   mail.links  // ['http://127.0.0.1:PORT/confirm?token=...']
//   await smtp.stop();

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = resolve(dirname(fileURLToPath(import.meta.url)), 'smtp-server.py');
const PYTHON = '/usr/bin/python3'; // the python that can import Debian's aiosmtpd
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const running = new Set();

process.on('exit', () => {
	for (const p of running) {
		try { p.kill('SIGKILL'); } catch { /* already gone */ }
	}
});

/* ------------------------------------------------------------------ */
/* Decoding                                                            */
/* ------------------------------------------------------------------ */

function bytesToString(bytes, charset) {
	try {
		return new TextDecoder((charset || 'utf-8').toLowerCase(), { fatal: false }).decode(bytes);
	} catch {
		return new TextDecoder('utf-8').decode(bytes); // unknown charset label
	}
}

/* Quoted-printable (RFC 2045) to bytes. */
export function decodeQuotedPrintable(text) {
	const soft = text.replace(/=\r?\n/g, '');
	const out = [];
	for (let i = 0; i < soft.length; i++) {
		const c = soft[i];
		if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
			out.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			out.push(...Buffer.from(c, 'latin1'));
		}
	}
	return Buffer.from(out);
}

/* RFC 2047 encoded words in a header value; whitespace between two words goes. */
export function decodeHeader(value) {
	const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
	return value
		.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1')
		.replace(word, (m, charset, enc, data) => {
			const bytes = enc.toUpperCase() === 'B'
				? Buffer.from(data, 'base64')
				: decodeQuotedPrintable(data.replace(/_/g, ' '));
			return bytesToString(bytes, charset.split('*')[0]);
		});
}

/* Headers of a raw message: {lowercased name: [values, unfolded, decoded]}. */
function parseHeaders(head) {
	const headers = {};
	for (const line of head.replace(/\r?\n[ \t]/g, ' ').split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i <= 0) continue;
		const name = line.slice(0, i).trim().toLowerCase();
		(headers[name] ??= []).push(decodeHeader(line.slice(i + 1).trim()));
	}
	return headers;
}

/* http(s) links in a text, without the punctuation that ends a sentence. */
export function extractLinks(text) {
	return (text.match(/https?:\/\/[^\s<>"'()[\]{}]+/g) || []).map((u) => u.replace(/[.,;:!?]+$/, ''));
}

/* A raw message (Buffer) as {headers, subject, from, to, text, links}. */
export function parseMail(raw) {
	const s = raw.toString('latin1');
	const split = s.search(/\r?\n\r?\n/);
	const head = split < 0 ? s : s.slice(0, split);
	const bodyRaw = split < 0 ? '' : s.slice(split).replace(/^\r?\n\r?\n/, '');
	const headers = parseHeaders(Buffer.from(head, 'latin1').toString('utf8'));
	const h = (name) => (headers[name] || [''])[0];
	const type = h('content-type');
	if (/^multipart\//i.test(type)) throw new Error(`smtp.mjs reads text/plain mails only, got ${type}`);
	const charset = (/charset="?([^";\s]+)"?/i.exec(type) || [])[1] || 'utf-8';
	const cte = h('content-transfer-encoding').toLowerCase();
	const bytes = cte === 'quoted-printable' ? decodeQuotedPrintable(bodyRaw)
		: cte === 'base64' ? Buffer.from(bodyRaw.replace(/\s+/g, ''), 'base64')
		: Buffer.from(bodyRaw, 'latin1');
	const text = bytesToString(bytes, charset).replace(/\r\n/g, '\n');
	return { headers, subject: h('subject'), from: h('from'), to: h('to'), text, links: extractLinks(text) };
}

/* ------------------------------------------------------------------ */
/* The server                                                          */
/* ------------------------------------------------------------------ */

function waitForReady(proc) {
	return new Promise((res, rej) => {
		let out = '';
		let err = '';
		const done = () => {
			clearTimeout(timer);
			proc.off('exit', onExit);
			proc.off('error', onError);
		};
		const fail = (e) => { done(); proc.kill('SIGKILL'); rej(e); };
		const onExit = (code) => fail(new Error(`smtp-server.py exited (${code}) before "ready": ${err}`));
		const onError = (e) => fail(new Error(`cannot run ${PYTHON}: ${e.message}`));
		const timer = setTimeout(() => fail(new Error(`smtp-server.py did not print "ready" within 10 s: ${err}`)), 10000);
		proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
		proc.stdout.setEncoding('utf8').on('data', (d) => {
			out += d;
			const m = /^ready (\d+)$/m.exec(out);
			if (m) {
				done();
				res(Number(m[1]));
			}
		});
		proc.on('exit', onExit);
		proc.on('error', onError);
	});
}

/*
 * Start an SMTP server on 127.0.0.1. opts.reject: recipients containing one
 * of these strings are refused with 550. Returns {url, port, dir,
 * waitForMail, messages, stop}. Fails (never skips) when /usr/bin/python3
 * cannot import aiosmtpd: install python3-aiosmtpd.
 */
export async function startSmtp(opts = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'tremplin-smtp-'));
	const args = [SERVER, '--port', '0', '--dir', dir];
	for (const r of opts.reject ?? []) args.push('--reject', r);
	const proc = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	running.add(proc);
	const exited = new Promise((res) => proc.on('exit', () => { running.delete(proc); res(); }));
	let port;
	try {
		port = await waitForReady(proc);
	} catch (e) {
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}

	const taken = new Set(); // mails already returned by waitForMail
	const cache = new Map();

	/* Every mail received so far, in order: {n, envelope: {from, to: [...]}, subject, from, to, text, links, headers, raw}. */
	function messages() {
		const ns = readdirSync(dir).filter((f) => /^\d+\.eml$/.test(f)).map((f) => Number(f.slice(0, -4)));
		ns.sort((a, b) => a - b);
		return ns.map((n) => {
			if (!cache.has(n)) {
				const raw = readFileSync(join(dir, `${n}.eml`));
				const meta = JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8'));
				cache.set(n, { n, envelope: { from: meta.mail_from, to: meta.rcpt_tos }, ...parseMail(raw), raw: raw.toString('utf8') });
			}
			return cache.get(n);
		});
	}

	/*
	 * The first mail to `to` (envelope recipient, case-insensitive) not yet
	 * returned by an earlier call, whose subject includes subjectIncludes
	 * when given; waits up to timeoutMs (10 s) and throws, listing what came.
	 */
	async function waitForMail(to, { subjectIncludes, timeoutMs = 10000 } = {}) {
		const want = to.toLowerCase();
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const all = messages();
			const m = all.find((x) => !taken.has(x.n) &&
				x.envelope.to.some((r) => r.toLowerCase() === want) &&
				(subjectIncludes === undefined || x.subject.includes(subjectIncludes)));
			if (m) {
				taken.add(m.n);
				return m;
			}
			if (Date.now() > deadline) {
				const seen = all.map((x) => `${x.envelope.to.join(',')}: ${x.subject}`).join('; ') || 'none';
				throw new Error(`no mail to ${to}${subjectIncludes ? ` with "${subjectIncludes}" in the subject` : ''} within ${timeoutMs} ms (received: ${seen})`);
			}
			await sleep(50);
		}
	}

	let stopped = null;
	return {
		url: `smtp://127.0.0.1:${port}`,
		port,
		dir,
		messages,
		waitForMail,
		/* Stop the server and remove its folder. Safe to call twice. */
		stop() {
			stopped ??= (async () => {
				if (proc.exitCode === null && proc.signalCode === null) {
					proc.kill('SIGTERM');
					await Promise.race([exited, sleep(5000).then(() => proc.kill('SIGKILL'))]);
				}
				rmSync(dir, { recursive: true, force: true });
			})();
			return stopped;
		},
	};
}
