// Sessions and passwords as an attacker would try them (OWASP ASVS 4.0
// level 2, V2 and V3): a cookie replayed after log-out, a flood of wrong
// passwords, the stored hash, the single-use reset link, session renewal at
// log-in, cookie attributes, open redirects through ?next=, sessions ended
// by a password change, and CSRF on every POST route.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startServer, forms, formFields, tags, sleep } from './harness.mjs';
import {
	useAccountsServer, Person, signUp, signUpConfirmed, logIn, execSql, logInOk, logOut, mailLink, clearRateLimits,
	freshEmail, freshPassword, userByEmail, scalar, sqlString, mainText, csrfOf, findForm, showsLoggedIn,
	SESSION_COOKIE, createUser,
} from './db.mjs';

// The rate limits as shipped, per address too (tests clear the counters when they are not about them).
const ctx = useAccountsServer({ rateLimits: '' });

let n = 0;
async function newAccount(tag) {
	n++;
	return signUpConfirmed(ctx, new Person(ctx.s), { email: freshEmail(tag), name: `Sécurité ${tag} ${n}`, password: freshPassword(tag) });
}

/* A person logged in as account, rate limits cleared first. */
async function loggedIn(account) {
	const p = new Person(ctx.s);
	await clearRateLimits(ctx.s);
	await logInOk(p, account);
	return p;
}

/* 303 to the log-in page: the logged-out view of a member page. */
function assertSentToLogin(r, what) {
	assert.ok(r.status === 303 && /^\/login(\?|$)/.test(r.location ?? ''), `${what}: expected 303 to /login, got ${r.status} ${r.location ?? ''}`);
}

/* The bio in the database, to see whether a POST changed anything. */
const bioOf = async (account) => (await userByEmail(ctx.s, account.email)).bio;

test('a session cookie replayed after log-out opens nothing, and POSTs with it are refused', { timeout: 60000 }, async () => {
	const account = await newAccount('replay');
	const p = await loggedIn(account);
	const cookie = p.session;
	const tok = csrfOf((await p.get('/profile')).body);
	assert.ok(tok, 'the profile page has a csrf token');
	assert.ok(showsLoggedIn((await p.get('/')).body, account.name), 'logged in before log-out');

	const out = await logOut(p);
	assert.equal(out.status, 303, `POST /logout answers 303 (got ${out.status})`);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${account.id}`), 0, 'log-out deletes the session row');

	const thief = new Person(ctx.s);
	thief.session = cookie;
	assertSentToLogin(await thief.get('/settings'), 'GET /settings with the old cookie');
	assertSentToLogin(await thief.get('/account/data'), 'GET /account/data with the old cookie');
	assert.ok(!showsLoggedIn((await thief.get('/')).body), 'the home page with the old cookie shows nobody logged in');
	const before = await bioOf(account);
	const r = await thief.post('/profile', { csrf: tok, bio: 'volé', display_name: 'Voleur' });
	assert.ok(r.status === 403 || (r.status === 303 && /^\/login/.test(r.location ?? '')), `POST /profile with the old cookie and token is refused (got ${r.status} ${r.location ?? ''})`);
	assert.equal(await bioOf(account), before, 'the old cookie changed nothing');
	const r2 = await thief.post('/logout', { csrf: tok });
	assert.notEqual(r2.status, 500, 'POST /logout with the dead cookie does not crash');
});

test('12 wrong passwords in a row get 429 with a page that says why', { timeout: 120000 }, async () => {
	const account = await newAccount('flood');
	await clearRateLimits(ctx.s);
	const p = new Person(ctx.s);
	const statuses = [];
	let last;
	for (let i = 0; i < 12; i++) {
		last = await logIn(p, { email: account.email, password: `mauvais mot de passe numéro ${i}` });
		statuses.push(last.status);
	}
	assert.ok(statuses.slice(0, 3).every((x) => x === 422), `the first wrong passwords get 422 (statuses: ${statuses.join(' ')})`);
	assert.equal(last.status, 429, `the 12th wrong password gets 429 (statuses: ${statuses.join(' ')})`);
	assert.match(last.headers['content-type'] ?? '', /^text\/html/, 'the 429 answer is an HTML page');
	const t = mainText(last.body);
	assert.match(last.body, /<h1/i, 'the 429 page has a heading');
	assert.ok(t.length > 30, `the 429 page explains (got "${t}")`);
	assert.match(t, /minute|essai|tentative|attempt|later|plus tard/i, 'the 429 page says to try again later');
	assert.ok(last.headers['retry-after'] === undefined || /^\d+$/.test(last.headers['retry-after']), 'Retry-After, if present, is a number of seconds');

	// While limited, even the right password is not accepted for that account.
	const right = await logIn(p, account);
	assert.equal(right.status, 429, `the right password during the lock-out also gets 429 (got ${right.status})`);
	assert.ok(!showsLoggedIn((await p.get('/')).body), 'nobody is logged in');
	await clearRateLimits(ctx.s);
	assert.equal((await logIn(new Person(ctx.s), account)).status, 303, 'once the counters are gone, the right password works');
});

test('a flood of wrong passwords looks the same for an unknown address as for a known one', { timeout: 120000 }, async () => {
	const account = await newAccount('flood2');
	const run = async (email) => {
		await clearRateLimits(ctx.s);
		const p = new Person(ctx.s);
		const out = [];
		for (let i = 0; i < 12; i++) out.push((await logIn(p, { email, password: `mauvais ${i} mot de passe` })).status);
		return out;
	};
	const known = await run(account.email);
	const unknown = await run(freshEmail('inconnu'));
	assert.ok(known.includes(429), `the known address is limited (${known.join(' ')})`);
	assert.deepEqual(unknown, known, 'the statuses of 12 failures are the same for an unknown address: the limit reveals no account');
	await clearRateLimits(ctx.s);
});

test('log-in attempts from one address are limited across accounts (429 with a page)', { timeout: 180000 }, async () => {
	await clearRateLimits(ctx.s);
	const p = new Person(ctx.s);
	const statuses = [];
	for (let i = 0; i < 40 && !statuses.includes(429); i++) {
		statuses.push((await logIn(p, { email: freshEmail(`ip${i}`), password: 'pas le bon mot de passe' })).status);
	}
	assert.ok(statuses.includes(429), `40 failed log-ins for 40 addresses from one IP are never limited (${statuses.join(' ')})`);
	assert.ok(statuses.indexOf(429) >= 10, `the per-address limit is not lower than the per-account one (first 429 at attempt ${statuses.indexOf(429) + 1})`);
	await clearRateLimits(ctx.s);
});

test('sign-up floods from one address get 429 with a page; no account is made past the limit', { timeout: 180000 }, async () => {
	const { s } = ctx;
	await clearRateLimits(s);
	const made = [];
	let limited = null;
	for (let i = 0; i < 25 && !limited; i++) {
		const email = freshEmail('flot');
		const p = new Person(s);
		const r = await signUp(p, { email, name: `Flot ${i}`, password: freshPassword('flot') });
		if (r.status === 429) limited = { r, email, i };
		else {
			assert.equal(r.status, 303, `sign-up ${i}: ${r.status}`);
			made.push(email);
		}
	}
	assert.ok(limited, `25 sign-ups in a row from one address are never limited (${made.length} accounts made)`);
	assert.match(limited.r.headers['content-type'] ?? '', /^text\/html/, 'the 429 answer is a page');
	assert.ok(mainText(limited.r.body).length > 30, 'the 429 page explains');
	assert.equal(await userByEmail(s, limited.email), null, 'the refused sign-up made no account');
	await clearRateLimits(s);
});

test('reset requests: limited per address without revealing whether it has an account; mails to it are capped', { timeout: 180000 }, async () => {
	const { s, smtp } = ctx;
	const account = await newAccount('resetflood');
	const run = async (email) => {
		await clearRateLimits(s);
		const out = [];
		for (let i = 0; i < 8; i++) {
			const r = await new Person(s).submit('/password/forgot', '/password/forgot', { email });
			out.push(`${r.status} ${r.location ?? ''}`);
		}
		return out;
	};
	const known = await run(account.email);
	const unknown = await run(freshEmail('personne'));
	assert.deepEqual(unknown, known, 'eight reset requests get the same answers for an unknown address as for a known one');
	await sleep(3000); // the sender delivers what was queued
	const mails = smtp.messages().filter((m) => m.envelope.to.some((t) => t.toLowerCase() === account.email.toLowerCase()) && (m.links ?? []).some((l) => /\/password\/reset\?/.test(l)));
	assert.ok(mails.length >= 1, 'the first request sent a reset link');
	assert.ok(mails.length <= 5, `eight requests sent ${mails.length} reset mails to one address: the mails are not capped`);
	await clearRateLimits(s);
});

test('passwords: 12 characters at least, long Unicode ones welcome, common ones refused', { timeout: 120000 }, async () => {
	const { s } = ctx;
	const attempt = async (password, tag) => {
		await clearRateLimits(s);
		const email = freshEmail(tag);
		const p = new Person(s);
		const r = await signUp(p, { email, name: `Mot de passe ${tag}`, password });
		return { r, email, p };
	};
	const refused = [['11 characters', 'abcdefghijk'], ['a common password', 'qwerty123456'], ['a common password in capitals', 'QWERTY123456'], ['empty', '']];
	for (const [what, pw] of refused) {
		const { r, email } = await attempt(pw, 'refused');
		assert.equal(r.status, 422, `${what} is refused with 422 (got ${r.status})`);
		assert.equal(await userByEmail(s, email), null, `${what}: no account is created`);
		assert.ok(tags(findForm(r.body, '/signup', 'the refused sign-up').html, 'input').some((t) => t.attrs.name === 'password' && t.attrs['aria-invalid'] === 'true'),
			`${what}: the password field is marked invalid`);
	}
	const accepted = [['exactly 12 characters', 'abcdefghijkl'.replace('a', String(process.pid % 10))],
		['12 Unicode characters (more bytes)', 'éàüçñøßæœđħ€'],
		['128 characters with spaces and emoji', ('🌱 jardin partagé ' + process.pid).padEnd(121, 'x') + '🙂'.repeat(8)]];
	for (const [what, pw] of accepted) {
		const { r, email } = await attempt(pw, 'accepted');
		assert.equal(r.status, 303, `${what} is accepted (got ${r.status}): ${mainText(r.body).slice(0, 300)}`);
		const u = await userByEmail(s, email);
		assert.ok(u, `${what}: the account exists`);
		await execSql(s.dbUrl, `UPDATE users SET email_confirmed_at = 1 WHERE id = ${u.id}`);
		await clearRateLimits(s);
		assert.equal((await logIn(new Person(s), { email, password: pw })).status, 303, `${what}: logs in with it`);
		await clearRateLimits(s);
		assert.notEqual((await logIn(new Person(s), { email, password: [...pw].slice(0, -1).join('') })).status, 303, `${what}: one character less does not log in`);
	}
});

test('the stored hash is argon2id with at least 19 MiB and 2 passes', { timeout: 60000 }, async () => {
	const account = await newAccount('hash');
	const row = await userByEmail(ctx.s, account.email);
	const h = row.password_hash;
	assert.match(h, /^\$argon2id\$/, `the stored hash begins with $argon2id$ (got ${h?.slice(0, 20)})`);
	const m = /\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(h);
	assert.ok(m, `the hash encodes its parameters: ${h}`);
	assert.ok(Number(m[1]) >= 19456, `memory ≥ 19 MiB (m=${m[1]} KiB)`);
	assert.ok(Number(m[2]) >= 2, `passes ≥ 2 (t=${m[2]})`);
	const other = await newAccount('hash2');
	assert.notEqual((await userByEmail(ctx.s, other.email)).password_hash.split('$')[4], h.split('$')[4], 'each hash has its own salt');
});

test('the reset link works once; the new password works, the old one not; unknown addresses look the same', { timeout: 120000 }, async () => {
	const { s, smtp } = ctx;
	const account = await newAccount('reset');
	await clearRateLimits(s);
	const p = new Person(s);
	const asked = await p.submit('/password/forgot', '/password/forgot', { email: account.email });
	const nobody = freshEmail('nobody');
	const askedUnknown = await new Person(s).submit('/password/forgot', '/password/forgot', { email: nobody });
	assert.ok(asked.status === 303 || asked.status === 200, `asking for a reset answers 303 or 200 (got ${asked.status})`);
	assert.equal(askedUnknown.status, asked.status, 'same status for an unknown address');
	assert.equal(askedUnknown.location, asked.location, 'same redirect for an unknown address');
	assert.equal(mainText(askedUnknown.body).split(nobody).join('E'), mainText(asked.body).split(account.email).join('E'), 'same page for an unknown address');

	const mail = await smtp.waitForMail(account.email, { timeoutMs: 20000, subjectIncludes: '' });
	const link = mailLink(mail, /^\/password\/reset$/);
	const page = await p.get(link);
	assert.equal(page.status, 200, `the reset link opens the form (got ${page.status})`);
	const f = findForm(page.body, /^\/password\/reset/, 'the reset page');
	const pw = tags(f.html, 'input').filter((t) => t.attrs.type === 'password').map((t) => t.attrs.name);
	assert.ok(pw.length >= 1, 'the reset form has a password field');
	const newPassword = freshPassword('renouvelé');
	const values = Object.fromEntries(pw.map((k) => [k, newPassword]));
	const done = await p.post(f.attrs.action, { ...formFields(f.html), ...values });
	assert.equal(done.status, 303, `setting the new password answers 303 (got ${done.status}):\n${mainText(done.body).slice(0, 500)}`);
	assert.notEqual((await userByEmail(s, account.email)).password_hash, null);

	// The link again: refused, whether opened or posted.
	const again = await new Person(s).get(link);
	assert.ok(again.status >= 400 && again.status < 500, `the used link is refused with a 4xx page (got ${again.status})`);
	assert.ok(!forms(again.body).some((x) => /password\/reset/.test(x.attrs.action ?? '') && /type="password"/.test(x.html)), 'the used link shows no new-password form');
	const p2 = new Person(s);
	const tok = await p2.csrf('/password/forgot');
	const replay = await p2.post(f.attrs.action, { ...formFields(f.html), csrf: tok, ...Object.fromEntries(pw.map((k) => [k, freshPassword('encore')])) });
	assert.ok(replay.status >= 400 && replay.status < 500, `posting the used link again is refused (got ${replay.status})`);

	await clearRateLimits(s);
	assert.equal((await logIn(new Person(s), { email: account.email, password: newPassword })).status, 303, 'the new password logs in');
	assert.notEqual((await logIn(new Person(s), account)).status, 303, 'the old password no longer logs in');

	// No mail went to the unknown address.
	const none = await smtp.waitForMail(nobody, { timeoutMs: 2000 }).then(() => 'a mail', () => null);
	assert.equal(none, null, 'nothing is mailed to an address without an account');
});

test('log-in renews the session cookie; the pre-login cookie then opens nothing', { timeout: 60000 }, async () => {
	const account = await newAccount('renew');
	const p = new Person(ctx.s);
	const form = await p.get('/login');
	assert.equal(form.status, 200);
	const before = p.session;
	assert.ok(before, 'the log-in page gives the visitor a session cookie (its form needs a csrf token)');
	await clearRateLimits(ctx.s);
	const r = await logIn(p, account);
	assert.equal(r.status, 303);
	const c = r.setCookies.find((x) => x.name === SESSION_COOKIE);
	assert.ok(c, 'log-in sets a new session cookie');
	assert.notEqual(c.value, before, 'the session cookie changes at log-in');
	assert.ok(c.value.length >= 22, 'the session token carries at least 128 bits');
	assert.equal(c.attrs.httponly, true, 'the session cookie is HttpOnly');
	assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'the session cookie is SameSite=Lax');
	assert.equal(c.attrs.path, '/', 'the session cookie has Path=/');
	assert.ok(!('domain' in c.attrs), 'the session cookie has no Domain (host-only)');
	assert.ok(!('secure' in c.attrs), 'over plain HTTP without --public-url, no Secure flag');

	const stale = new Person(ctx.s);
	stale.session = before;
	assertSentToLogin(await stale.get('/settings'), 'the pre-login cookie');
	assert.ok(showsLoggedIn((await p.get('/')).body, account.name), 'the new cookie is logged in');
	const hashes = await ctx.s.query(`SELECT token_hash FROM sessions WHERE user_id = ${account.id}`);
	assert.ok(!hashes.some((h) => h.token_hash === c.value), 'the database stores the token hashed, not as sent');
});

test('?next= never leads to another site; a local path is honoured', { timeout: 120000 }, async () => {
	const account = await newAccount('next');
	const evil = ['https://evil.example', '//evil.example', '/\\evil.example', '\\\\evil.example', 'https:evil.example',
		'//evil.example/%2F..', '/%2F/evil.example', 'javascript:alert(1)', '%2F%2Fevil.example', '///evil.example', 'http://127.0.0.1.evil.example/'];
	for (const next of evil) {
		await clearRateLimits(ctx.s);
		const p = new Person(ctx.s);
		const r = await logIn(p, account, `/login?next=${encodeURIComponent(next)}`);
		assert.equal(r.status, 303, `log-in with next=${next}: 303`);
		const loc = r.location ?? '';
		const u = new URL(loc, `http://127.0.0.1:${ctx.s.port}/base/`);
		assert.ok(u.host === `127.0.0.1:${ctx.s.port}` && /^https?:$/.test(u.protocol), `next=${next} redirects off-site: Location: ${loc}`);
		assert.ok(/^\/(?![\/\\])/.test(loc), `next=${next}: Location is a plain local path (got ${loc})`);
	}
	await clearRateLimits(ctx.s);
	const p = new Person(ctx.s);
	const r = await logIn(p, account, `/login?next=${encodeURIComponent('/settings?tab=1')}`);
	assert.equal(r.location, '/settings?tab=1', 'a local next= is where log-in leads');
	// A member page asked by a visitor sends to log-in with next=, and back.
	const v = new Person(ctx.s);
	const asked = await v.get('/settings');
	assert.equal(asked.location, '/login?next=%2Fsettings', 'a visitor on /settings is sent to /login?next=%2Fsettings');
	await clearRateLimits(ctx.s);
	assert.equal((await logIn(v, account, asked.location)).location, '/settings', 'and comes back to /settings after logging in');
});

test('changing the password ends the other sessions; the current one stays', { timeout: 90000 }, async () => {
	const account = await newAccount('change');
	const a = await loggedIn(account);
	const b = await loggedIn(account);
	assert.ok(showsLoggedIn((await b.get('/')).body, account.name), 'the second device is logged in');
	const page = await a.get('/settings');
	assert.equal(page.status, 200);
	const f = findForm(page.body, /password/, 'GET /settings');
	const pws = tags(f.html, 'input').filter((t) => t.attrs.type === 'password').map((t) => t.attrs.name);
	assert.ok(pws.length >= 2, `the password form asks the current password and a new one (fields: ${pws.join(', ')})`);
	const current = pws.find((x) => /current|old/.test(x));
	assert.ok(current, `the password form has a "current password" field (fields: ${pws.join(', ')})`);
	const newPassword = freshPassword('changé');
	const values = Object.fromEntries(pws.map((k) => [k, k === current ? account.password : newPassword]));

	// A wrong current password changes nothing.
	const wrong = await a.post(f.attrs.action, { ...formFields(f.html), ...values, [current]: 'pas le mot de passe actuel' });
	assert.equal(wrong.status, 422, `a wrong current password answers 422 (got ${wrong.status})`);
	assert.ok(showsLoggedIn((await b.get('/')).body), 'a refused change ends no session');

	const r = await a.post(f.attrs.action, { ...formFields(f.html), ...values });
	assert.equal(r.status, 303, `changing the password answers 303 (got ${r.status}):\n${mainText(r.body).slice(0, 500)}`);
	assertSentToLogin(await b.get('/settings'), 'the other device after the password change');
	assert.ok(showsLoggedIn((await a.get('/')).body, account.name), 'the device that changed the password stays logged in');
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${account.id}`), 1, 'one session of theirs remains in the database');
	await clearRateLimits(ctx.s);
	assert.equal((await logIn(new Person(ctx.s), { ...account, password: newPassword })).status, 303, 'the new password works');
	assert.notEqual((await logIn(new Person(ctx.s), account)).status, 303, 'the old password does not');
});

test('the sessions list shows each device, and "log out everywhere else" ends all but this one', { timeout: 90000 }, async () => {
	const account = await newAccount('devices');
	const a = await loggedIn(account);
	const b = await loggedIn(account);
	const c = await loggedIn(account);
	const page = await a.get('/settings');
	const f = findForm(page.body, '/settings/sessions/logout-others', 'GET /settings');
	const r = await a.post(f.attrs.action, formFields(f.html));
	assert.equal(r.status, 303, `POST /settings/sessions/logout-others answers 303 (got ${r.status})`);
	assertSentToLogin(await b.get('/settings'), 'device b after "log out everywhere else"');
	assertSentToLogin(await c.get('/settings'), 'device c after "log out everywhere else"');
	assert.ok(showsLoggedIn((await a.get('/')).body, account.name), 'this device stays logged in');
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${account.id}`), 1, 'one session of theirs remains');
});

/* Every POST route of src/web/routes.c, with sample values for its {parameters}. */
function postRoutes() {
	const src = readFileSync(join(ROOT, 'src/web/routes.c'), 'utf8');
	return [...src.matchAll(/\{\s*HTTP_POST\s*,\s*"([^"]+)"/g)].map((m) => m[1]);
}

test('every POST route refuses a request without the csrf token or with another session\'s token (403)', { timeout: 120000 }, async () => {
	const { s } = ctx;
	const admin = await createUser(s, { email: freshEmail('csrfadmin'), name: 'Admin Jeton', password: freshPassword('a'), admin: 'sceaux' });
	const p = await loggedIn(admin);
	const mine = csrfOf((await p.get('/settings')).body);
	const other = new Person(s);
	const theirs = await other.csrf('/contact');
	assert.notEqual(theirs, mine);
	const routes = postRoutes();
	assert.ok(routes.length >= 10, `routes.c lists the POST routes (found ${routes.length})`);
	const org = (await s.query(`SELECT slug FROM organisations ORDER BY id LIMIT 1`))[0].slug;
	for (const pattern of routes) {
		const path = pattern.replace('{slug}', org).replace(/\{[a-z_]*id\}/g, String(admin.id)).replace(/\{[a-z_]+\}/g, 'x');
		const sessionsBefore = await scalar(s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${admin.id}`);
		for (const [label, fields] of [['no token', {}], ['an empty token', { csrf: '' }], ["another session's token", { csrf: theirs }], ['a forged token', { csrf: mine.slice(0, -2) + (mine.endsWith('AA') ? 'BB' : 'AA') }]]) {
			const r = await p.post(path, { ...fields, password: admin.password, email: admin.email, bio: 'csrf' });
			assert.equal(r.status, 403, `POST ${path} with ${label}: expected 403, got ${r.status} ${r.location ?? ''}`);
		}
		assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${admin.id}`), sessionsBefore, `POST ${path} without a valid token changed the sessions`);
	}
	assert.notEqual((await userByEmail(s, admin.email)).bio, 'csrf', 'no refused POST changed the profile');
	assert.ok(showsLoggedIn((await p.get('/')).body), 'the admin is still logged in after the refused POSTs');
});

test('over HTTPS (--public-url https://...) the cookie is __Host- prefixed and Secure', { timeout: 60000 }, async () => {
	// A second server on the same database kind: stop the first one before (PostgreSQL tests share one database).
	await ctx.s.stop(5000);
	const s2 = await startServer({ args: ['--public-url', 'https://sceaux.example'] });
	try {
		const admin = await createUser(s2, { email: freshEmail('https'), name: 'Admin Https', password: freshPassword('h'), admin: 'sceaux' });
		const p = new Person(s2);
		const form = await p.get('/login');
		assert.equal(form.status, 200);
		const visitor = form.setCookies.find((c) => /tremplin_session$/.test(c.name));
		assert.ok(visitor, 'the log-in page sets a session cookie');
		assert.equal(visitor.name, '__Host-tremplin_session', 'over HTTPS the cookie is called __Host-tremplin_session');
		const r = await p.submit('/login', '/login', { email: admin.email, password: admin.password });
		assert.equal(r.status, 303);
		const c = r.setCookies.find((x) => x.name === '__Host-tremplin_session');
		assert.ok(c, 'log-in sets the __Host- cookie');
		assert.equal(c.attrs.secure, true, 'Secure');
		assert.equal(c.attrs.httponly, true, 'HttpOnly');
		assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
		assert.equal(c.attrs.path, '/', 'Path=/ (required by __Host-)');
		assert.ok(!('domain' in c.attrs), 'no Domain (required by __Host-)');
		assert.ok(showsLoggedIn((await p.get('/')).body, admin.name), 'the __Host- cookie logs in');
	} finally {
		await s2.stop(5000);
	}
});
