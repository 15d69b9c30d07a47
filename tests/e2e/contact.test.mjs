// The contact form, the foundation's one form: sessions only where a form
// needs one, CSRF, validation that keeps what the person typed, body
// limits, and what ends up in the database (the message and its activity).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	useServer, tags, element, text, forms, formFields, setCookies, contactSession, postForm, sitePath,
	assertSecurityHeaders,
} from './harness.mjs';

const s = useServer();

const messageCount = async () => Number((await s.query('SELECT COUNT(*) AS n FROM contact_messages'))[0].n);
const sessionCount = async () => Number((await s.query('SELECT COUNT(*) AS n FROM sessions'))[0].n);

/* The post form of a page and its fields as a browser would submit them. */
function postFormOf(body) {
	const f = forms(body).find((x) => (x.attrs.method || '').toLowerCase() === 'post');
	assert.ok(f, 'the page has a POST form');
	return { form: f, fields: formFields(f.html) };
}

/*
 * The error message shown next to the field `name`: an element the field
 * points to with aria-describedby, or an element marked as an error
 * (class/id with "error", or role="alert") around the field, whose text the
 * blank form does not show. null when there is none.
 */
let blankFormText = null;

/* Every element with its attributes and inner HTML (up to its first closing tag). */
function allElements(html) {
	const out = [];
	const lower = html.toLowerCase();
	for (const m of html.matchAll(/<([a-z][a-z0-9]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
		const close = lower.indexOf(`</${m[1].toLowerCase()}>`, m.index + m[0].length);
		if (close < 0) continue;
		out.push({ attrs: tags(`<x${m[2]}>`, 'x')[0]?.attrs ?? {}, index: m.index, inner: html.slice(m.index + m[0].length, close) });
	}
	return out;
}
async function errorNextTo(body, name) {
	if (blankFormText === null) blankFormText = text(element((await s.page('/contact')).body, 'main'));
	const field = [...tags(body, 'input'), ...tags(body, 'textarea')].find((t) => t.attrs.name === name);
	assert.ok(field, `the form has a field ${name}`);
	const candidates = [];
	const elements = allElements(body);
	for (const id of (field.attrs['aria-describedby'] || '').split(/\s+/).filter(Boolean)) {
		const el = elements.find((e) => e.attrs.id === id);
		if (el) candidates.push(text(el.inner));
	}
	for (const e of elements) {
		if (e.index < field.index - 600 || e.index > field.end + 600) continue;
		if (/error|erreur|invalid/i.test(`${e.attrs.class ?? ''} ${e.attrs.id ?? ''}`) || e.attrs.role === 'alert') candidates.push(text(e.inner));
	}
	return candidates.find((t) => t && !blankFormText.includes(t)) ?? null;
}

test('read pages set no cookie and create no session; the contact page creates one', async () => {
	const tid = Number((await s.query(`SELECT id FROM territories WHERE name = 'UP Sceaux'`))[0].id);
	const need = (await s.query(`SELECT id FROM needs WHERE territory_id = ${tid} LIMIT 1`))[0].id;
	const init = (await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} LIMIT 1`))[0].id;
	const org = (await s.query(`SELECT slug FROM organisations WHERE territory_id = ${tid} LIMIT 1`))[0].slug;
	for (const path of ['/', '/needs', '/initiatives', '/partners', '/events', '/map', `/needs/${need}`,
		`/initiatives/${init}`, `/organisations/${org}`, '/nope', '/initiatives?stage=nope']) {
		const r = await s.get(path);
		await r.arrayBuffer();
		assert.deepEqual(r.headers.getSetCookie(), [], `GET ${path} sets a cookie`);
	}
	assert.equal(await sessionCount(), 0, 'reading pages created sessions in the database');

	const r = await s.page('/contact');
	assert.equal(r.status, 200);
	const c = setCookies(r.res).find((x) => x.name === 'tremplin_session');
	assert.ok(c, 'GET /contact sets the tremplin_session cookie');
	assert.ok(c.value.length >= 16, 'the session cookie is a long random token');
	assert.equal(c.attrs.httponly, true, 'the session cookie is HttpOnly');
	assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'the session cookie is SameSite=Lax');
	assert.equal(c.attrs.path, '/', 'the session cookie has Path=/');
	assert.equal(await sessionCount(), 1, 'GET /contact stored one session');

	// The same visitor coming back keeps the session.
	const again = await s.page('/contact', { headers: { cookie: `tremplin_session=${c.value}` } });
	assert.equal(again.status, 200);
	assert.ok(!setCookies(again.res).some((x) => x.name === 'tremplin_session' && x.value !== c.value), 'a returning visitor keeps the session');
	assert.equal(await sessionCount(), 1, 'a returning visitor creates no second session');

	// The stored token is not the cookie itself (a leaked database does not give sessions away).
	const stored = await s.query('SELECT token_hash FROM sessions');
	assert.notEqual(stored[0].token_hash, c.value, 'the sessions table stores the cookie in clear');
});

test('GET /contact shows the form: name, optional email, message, hidden csrf', async () => {
	const r = await s.page('/contact');
	const { form, fields } = postFormOf(r.body);
	assert.equal(sitePath(form.attrs.action ?? '/contact', 'http://127.0.0.1/contact'), '/contact');
	const inputs = tags(form.html, 'input');
	const byName = (n) => inputs.find((t) => t.attrs.name === n);
	assert.ok(byName('name'), 'a name field');
	assert.ok(byName('email'), 'an email field');
	assert.ok(!('required' in byName('email').attrs), 'the email is optional');
	assert.equal(byName('csrf')?.attrs.type, 'hidden', 'a hidden csrf field');
	assert.ok(fields.csrf.length >= 16, 'the csrf token is long');
	assert.ok(tags(form.html, 'textarea').some((t) => t.attrs.name === 'message'), 'a message textarea');
	for (const name of ['name', 'email', 'message']) {
		const f = [...inputs, ...tags(form.html, 'textarea')].find((t) => t.attrs.name === name);
		assert.ok(f.attrs.id && tags(form.html, 'label').some((l) => l.attrs.for === f.attrs.id), `the ${name} field has a <label for>`);
	}
});

test('a valid message is stored with its activity and the visitor is thanked', async () => {
	const before = await messageCount();
	const sess = await contactSession(s);
	const typed = { name: 'Zoé Lévêque', email: 'zoe@example.org', message: 'Bonjour,\nune idée : « jardin partagé » rue Houdan & <b>potager</b> 🌱' };
	const r = await postForm(s, '/contact', { csrf: sess.csrf, ...typed }, { cookie: sess.cookie });
	assert.equal(r.status, 303, await r.text());
	assertSecurityHeaders(r, 'the 303 after POST /contact');
	assert.equal(sitePath(r.headers.get('location'), s.origin + '/contact'), '/contact?sent=1');

	assert.equal(await messageCount(), before + 1);
	const [row] = await s.query('SELECT id, name, email, body, territory_id FROM contact_messages ORDER BY id DESC LIMIT 1');
	assert.equal(row.name, typed.name);
	assert.equal(row.email, typed.email);
	assert.equal(row.body, typed.message);
	const tid = Number((await s.query(`SELECT id FROM territories WHERE name = 'UP Sceaux'`))[0].id);
	assert.equal(Number(row.territory_id), tid);
	const acts = await s.query(`SELECT verb FROM activities WHERE object_type = 'contact_message' AND object_id = ${row.id}`);
	assert.deepEqual(acts.map((a) => a.verb), ['Create'], 'the message is recorded as one Create activity');

	const thanks = await s.page('/contact?sent=1', { headers: { cookie: sess.cookie } });
	assert.equal(thanks.status, 200);
	const plain = text(element((await s.page('/contact', { headers: { cookie: sess.cookie } })).body, 'main'));
	const shown = text(element(thanks.body, 'main'));
	assert.notEqual(shown, plain, '/contact?sent=1 shows something more than /contact');
	assert.match(shown, /merci|bien été envoyé|a été envoyé|bien reçu/i, 'the French thank-you notice');
	const en = await s.page('/contact?sent=1&lang=en', { headers: { cookie: sess.cookie } });
	assert.match(text(element(en.body, 'main')), /thank/i, 'the English thank-you notice');
});

test('a multipart/form-data post is accepted like an urlencoded one', async () => {
	const before = await messageCount();
	const sess = await contactSession(s);
	const fd = new FormData();
	fd.append('csrf', sess.csrf);
	fd.append('name', 'Ana «multipart»');
	fd.append('email', '');
	fd.append('message', 'Envoyé en multipart\nsur deux lignes — été');
	const r = await s.get('/contact', { method: 'POST', headers: { cookie: sess.cookie }, body: fd });
	assert.equal(r.status, 303, await r.text());
	assert.equal(await messageCount(), before + 1);
	const [row] = await s.query('SELECT name, email, body FROM contact_messages ORDER BY id DESC LIMIT 1');
	// FormData sends line breaks as CRLF, as browsers do; the server keeps what it was sent.
	assert.deepEqual({ ...row }, { name: 'Ana «multipart»', email: '', body: 'Envoyé en multipart\r\nsur deux lignes — été' });
});

test('without the session\'s csrf token the post is refused with 403 and nothing is stored', async () => {
	const before = await messageCount();
	const a = await contactSession(s);
	const b = await contactSession(s);
	assert.notEqual(a.csrf, b.csrf, 'two sessions have two csrf tokens');
	const msg = { name: 'Mallory', message: 'forged' };
	const cases = [
		['no csrf field', { ...msg }, a.cookie],
		['an empty csrf', { csrf: '', ...msg }, a.cookie],
		['a wrong csrf', { csrf: a.csrf.slice(0, -2) + (a.csrf.endsWith('AA') ? 'BB' : 'AA'), ...msg }, a.cookie],
		['no session cookie', { csrf: a.csrf, ...msg }, undefined],
		['another session\'s csrf', { csrf: b.csrf, ...msg }, a.cookie],
		['an unknown session cookie', { csrf: a.csrf, ...msg }, 'tremplin_session=' + 'x'.repeat(43)],
	];
	for (const [what, fields, cookie] of cases) {
		const r = await postForm(s, '/contact', fields, { cookie });
		const body = await r.text();
		assert.equal(r.status, 403, `${what}: status`);
		assert.match(r.headers.get('content-type') || '', /^text\/html/i, `${what}: an HTML page`);
		assert.ok(tags(body, 'nav').length > 0, `${what}: the 403 page is in the site layout`);
		assert.ok(text(element(body, 'main')).length > 0, `${what}: the 403 page says something`);
	}
	assert.equal(await messageCount(), before, 'a refused post stored a message');
});

test('an empty message gives 422, the error next to the field, and what was typed kept', async () => {
	const before = await messageCount();
	const sess = await contactSession(s);
	const typed = { name: 'Zoé "><svg onload=alert(1)> & Cie', email: 'zoe@example.org' };
	for (const message of ['', '   \n  ']) {
		const r = await postForm(s, '/contact', { csrf: sess.csrf, ...typed, message }, { cookie: sess.cookie });
		const body = await r.text();
		assert.equal(r.status, 422, `message ${JSON.stringify(message)}`);
		assert.ok(tags(body, 'nav').length > 0, 'the 422 page is in the site layout');
		assert.ok(!/<svg/i.test(body), 'what was typed is escaped when shown again');
		const { fields } = postFormOf(body);
		assert.equal(fields.name, typed.name, 'the name typed is still in its field');
		assert.equal(fields.email, typed.email, 'the email typed is still in its field');
		assert.ok(fields.csrf, 'the form shown again has its csrf field');
		assert.ok(await errorNextTo(body, 'message'), `an error message is shown next to the message field:\n${element(body, 'main')}`);
	}
	assert.equal(await messageCount(), before, 'a refused message was stored');

	// The person fills in the message in the form shown again, and it goes through.
	const again = await postForm(s, '/contact', { csrf: sess.csrf, ...typed, message: '' }, { cookie: sess.cookie });
	assert.equal(again.status, 422);
	const { fields } = postFormOf(await again.text());
	const r = await postForm(s, '/contact', { ...fields, message: 'Voici mon message.' }, { cookie: sess.cookie });
	assert.equal(r.status, 303, 'the form shown again can be sent');
	assert.equal(await messageCount(), before + 1);
	const [row] = await s.query('SELECT name, email, body FROM contact_messages ORDER BY id DESC LIMIT 1');
	assert.deepEqual({ ...row }, { name: typed.name, email: typed.email, body: 'Voici mon message.' });
});

test('a message over 5000 characters gives 422 and keeps the text; 5000 characters go through', async () => {
	const sess = await contactSession(s);
	const before = await messageCount();
	const tooLong = 'a'.repeat(5001);
	const r = await postForm(s, '/contact', { csrf: sess.csrf, name: 'Long', message: tooLong }, { cookie: sess.cookie });
	const body = await r.text();
	assert.equal(r.status, 422);
	assert.ok(await errorNextTo(body, 'message'), 'an error message is shown next to the message field');
	assert.equal(postFormOf(body).fields.message, tooLong, 'the message typed is shown again');
	assert.equal(await messageCount(), before);

	for (const ok of ['a'.repeat(5000), 'é'.repeat(5000)]) {
		const r2 = await postForm(s, '/contact', { csrf: sess.csrf, name: 'Long', message: ok }, { cookie: sess.cookie });
		assert.equal(r2.status, 303, `a message of 5000 characters (${ok[0]}) is accepted`);
	}
	const [row] = await s.query('SELECT body FROM contact_messages ORDER BY id DESC LIMIT 1');
	assert.equal(row.body, 'é'.repeat(5000));
});

test('an invalid email gives 422 next to the email field and keeps the rest', async () => {
	const sess = await contactSession(s);
	const before = await messageCount();
	for (const email of ['pas-une-adresse', 'zoe@', '@example.org', 'zoe example@org.fr', 'a@b@c.fr']) {
		const typed = { name: 'Zoé', email, message: 'Mon message\nsur deux lignes' };
		const r = await postForm(s, '/contact', { csrf: sess.csrf, ...typed }, { cookie: sess.cookie });
		const body = await r.text();
		assert.equal(r.status, 422, `email ${JSON.stringify(email)}`);
		assert.ok(await errorNextTo(body, 'email'), `an error message is shown next to the email field (${email})`);
		const { fields } = postFormOf(body);
		assert.equal(fields.email, email, 'the email typed is shown again');
		assert.equal(fields.name, typed.name, 'the name typed is shown again');
		assert.equal(fields.message, typed.message, 'the message typed is shown again');
	}
	assert.equal(await messageCount(), before);
});

/* A POST /contact whose declared body is `size` bytes, written in full unless the server answers first. */
function bigPost(sess, size, { chunked = false } = {}) {
	const prefix = `csrf=${encodeURIComponent(sess?.csrf ?? '')}&name=Big&message=`;
	const body = Buffer.alloc(size, 'a');
	Buffer.from(prefix).copy(body);
	const head = [
		'POST /contact HTTP/1.1',
		`Host: 127.0.0.1:${s.port}`,
		'Content-Type: application/x-www-form-urlencoded',
		...(sess ? [`Cookie: ${sess.cookie}`] : []),
		chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`,
		'Connection: close',
		'', '',
	].join('\r\n');
	const parts = [head];
	const step = 64 * 1024;
	for (let i = 0; i < size; i += step) {
		const piece = body.subarray(i, Math.min(size, i + step));
		parts.push(chunked ? Buffer.concat([Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n')]) : piece);
	}
	if (chunked) parts.push('0\r\n\r\n');
	// Pauses between pieces let the server answer before the whole body is
	// sent; a server that answers and closes at once would otherwise reset
	// the connection under a client still writing.
	return s.raw(parts, { timeout: 15000, gapMs: 20, stopOnResponse: true });
}

test('a body over the limit gives 413 and nothing is stored', { timeout: 60000 }, async () => {
	const sess = await contactSession(s);
	const before = await messageCount();
	for (const [what, size, opts, withSession] of [
		['70 KB (over 64 KB)', 70 * 1024, {}, true],
		['2 MB', 2 * 1024 * 1024, {}, true],
		['2 MB without a session', 2 * 1024 * 1024, {}, false],
		['2 MB chunked', 2 * 1024 * 1024, { chunked: true }, true],
	]) {
		const r = await bigPost(withSession ? sess : null, size, opts);
		assert.equal(r.status, 413, `${what}: got ${r.status}${r.error ? ' (' + r.error.code + ' ' + r.error.message + ')' : ''}`);
		assertSecurityHeaders(r, `${what}: the 413`);
		assert.ok(tags(r.text, 'nav').length > 0, `${what}: the 413 page is in the site layout`);
	}
	assert.equal(await messageCount(), before);
	const ok = await postForm(s, '/contact', { csrf: sess.csrf, name: 'After', message: 'still fine' }, { cookie: sess.cookie });
	assert.equal(ok.status, 303, 'the server still takes messages after refusing large bodies');
});

test('the form speaks English with ?lang=en', async () => {
	const sess = await contactSession(s, '/contact?lang=en');
	const r = await postForm(s, '/contact', { csrf: sess.csrf, name: 'Jo', message: '' }, { cookie: `${sess.cookie}; lang=en` });
	const body = await r.text();
	assert.equal(r.status, 422);
	assert.equal(tags(body, 'html')[0].attrs.lang, 'en');
	const err = await errorNextTo(body, 'message');
	assert.ok(err, 'an error message is shown next to the message field');
	const frSess = await contactSession(s);
	const fr = await postForm(s, '/contact', { csrf: frSess.csrf, name: 'Jo', message: '' }, { cookie: frSess.cookie });
	const frErr = await errorNextTo(await fr.text(), 'message');
	assert.notEqual(err, frErr, `the English error differs from the French one (${err})`);
});

s.addStopTest();
