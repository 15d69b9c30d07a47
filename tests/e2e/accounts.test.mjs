// The life of an account, as issue 3 tells it: sign up, the confirmation
// mail received by a real SMTP server, confirm, log in, edit the profile,
// download my data, delete the account; then the database is read column
// by column: nothing of the person remains, and what they posted shows
// "participant supprimé". Also what sign-up and log-in must not reveal,
// and that only a confirmed account may post.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tags, forms, formFields, text, element } from './harness.mjs';
import {
	useAccountsServer, Person, signUp, signUpConfirmed, logIn, logInOk, mailLink, clearRateLimits,
	freshEmail, freshPassword, userByEmail, findAnywhere, execSql, sqlString, scalar, territoryId,
	mainText, csrfOf, findForm, fieldNames, showsLoggedIn, SIGNUP, waitForLink,
} from './db.mjs';

const ctx = useAccountsServer();

/* What a person sees after sending a form: the status, where it leads, and that page's text. */
async function visibleAnswer(person, r, account) {
	const out = { status: r.status, location: r.location, text: mainText(r.body) };
	if (r.status === 303 && r.location) {
		const next = await person.get(new URL(r.location, 'http://x.invalid').pathname + new URL(r.location, 'http://x.invalid').search);
		out.next = { status: next.status, text: mainText(next.body) };
	}
	// What the person typed is echoed; it is not part of the answer.
	const scrub = (s) => s.split(account.email).join('EMAIL').split(account.name).join('NAME');
	out.text = scrub(out.text);
	if (out.next) out.next.text = scrub(out.next.text);
	return out;
}

/* A need and an initiative authored by the person, written straight into the database. */
async function postAsAuthor(s, userId, marker) {
	const tid = await territoryId(s, 'sceaux');
	await execSql(s.dbUrl, `
		INSERT INTO needs (territory_id, author_id, title, body, created_at, updated_at)
		VALUES (${tid}, ${userId}, ${sqlString('Besoin ' + marker)}, 'Un besoin du quartier.', 1700000000, 1700000000);
		INSERT INTO initiatives (territory_id, author_id, title, summary, body, stage, created_at, updated_at)
		VALUES (${tid}, ${userId}, ${sqlString('Idée ' + marker)}, 'Une idée.', 'Une idée pour la ville.', 'idea', 1700000000, 1700000000);`);
	const need = await scalar(s, `SELECT id FROM needs WHERE title = ${sqlString('Besoin ' + marker)}`);
	const initiative = await scalar(s, `SELECT id FROM initiatives WHERE title = ${sqlString('Idée ' + marker)}`);
	return { need, initiative };
}

test('sign up → confirmation mail → confirm → log in → profile → my data → delete: nothing of the person remains', { timeout: 120000 }, async () => {
	const { s, smtp } = ctx;
	const person = new Person(s);
	const account = {
		email: freshEmail('zephyrine'),
		name: 'Zéphyrine Quillebeuf',
		password: freshPassword('walk'),
	};

	// Sign up: the form has the three fields the issue names.
	const form = await person.get('/signup');
	assert.equal(form.status, 200, 'GET /signup');
	const f = findForm(form.body, '/signup', 'GET /signup');
	for (const n of Object.values(SIGNUP)) assert.ok(fieldNames(f.html).includes(n), `the sign-up form has a field "${n}"`);
	await clearRateLimits(s);
	const r = await signUp(person, account);
	assert.equal(r.status, 303, `a valid sign-up answers 303 (got ${r.status}):\n${mainText(r.body).slice(0, 600)}`);
	const shown = await person.visit(new URL(r.location, 'http://x.invalid').pathname);
	assert.match(mainText(shown.body), /e-mail|courriel|adresse|mail/i, 'after signing up, the page speaks of the confirmation e-mail');

	const row = await userByEmail(s, account.email);
	assert.ok(row, 'the account is in the users table');
	assert.equal(row.display_name, account.name, 'the display name is stored as typed');
	assert.equal(row.email_confirmed_at, null, 'the address is not confirmed before the link is followed');
	assert.match(row.password_hash ?? '', /^\$argon2id\$/, 'the password is stored as an argon2id hash');
	assert.ok(!String(row.password_hash).includes(account.password), 'the password is not stored in clear');

	// The mail arrives at the SMTP server, with a confirmation link.
	const mail = await smtp.waitForMail(account.email, { timeoutMs: 20000 });
	const confirmPath = mailLink(mail, /^\/confirm$/);
	assert.match(confirmPath, /[?&]token=[A-Za-z0-9_-]{22,}/, 'the confirmation link carries a long token');
	const c = await person.visit(confirmPath);
	assert.equal(c.status, 200, `following the confirmation link: ${c.status}`);
	assert.notEqual((await userByEmail(s, account.email)).email_confirmed_at, null, 'the address is confirmed in the database');

	// Log in: the pages now show the person.
	await logInOk(person, account);
	const home = await person.get('/');
	assert.ok(showsLoggedIn(home.body, account.name), 'once logged in, the home page shows the name and a log-out form');
	const userId = Number(row.id);

	// Something posted before the deletion, by them.
	const posted = await postAsAuthor(s, userId, 'de Zéphyrine ' + process.pid);
	const needPage = await person.get(`/needs/${posted.need}`);
	assert.ok(text(needPage.body).includes(account.name), 'before deletion, the need shows its author\'s name');

	// Profile: bio and skills.
	const bio = 'Graphiste bénévole, passionnée de jardins partagés (bio-marqueur-4417).';
	const skills = ['graphisme', 'comptabilité', 'soudure-marqueur-4417'];
	const pr = await person.submit('/profile', '/profile', { bio, skills: skills.join(', ') });
	assert.equal(pr.status, 303, `saving the profile answers 303 (got ${pr.status}):\n${mainText(pr.body).slice(0, 600)}`);
	const profile = await person.get('/profile');
	const pf = findForm(profile.body, '/profile', 'GET /profile');
	const pfFields = formFields(pf.html);
	assert.equal(pfFields.bio, bio, 'the profile form shows the bio saved');
	for (const k of skills) assert.ok(pfFields.skills.includes(k), `the profile form shows the skill "${k}"`);
	const dbSkills = (await s.query(`SELECT skill FROM user_skills WHERE user_id = ${userId} ORDER BY skill`)).map((x) => x.skill);
	assert.deepEqual(dbSkills, [...skills].sort(), 'user_skills holds the three skills');

	// The public page shows name, bio, skills, what they posted; never the address.
	const pub = await new Person(s).get(`/people/${userId}`);
	assert.equal(pub.status, 200, `GET /people/${userId}`);
	const pubText = mainText(pub.body);
	assert.ok(pubText.includes(account.name), 'the public profile shows the name');
	assert.ok(pubText.includes('bio-marqueur-4417'), 'the public profile shows the bio');
	assert.ok(pubText.includes('soudure-marqueur-4417'), 'the public profile shows the skills');
	assert.ok(pubText.includes('Besoin de Zéphyrine'), 'the public profile lists the need they posted');
	assert.ok(!pub.body.includes(account.email), 'the public profile never shows the e-mail address');

	// My data: JSON, only while logged in, the profile in it, no hash.
	const anon = await new Person(s).get('/account/data');
	assert.ok(anon.status === 303 && /^\/login/.test(anon.location ?? ''), `a visitor asking /account/data is sent to log in (got ${anon.status} ${anon.location})`);
	const data = await person.get('/account/data');
	assert.equal(data.status, 200, 'GET /account/data');
	assert.match(data.headers['content-type'] ?? '', /^application\/json/, 'my data is JSON');
	assert.match(data.headers['content-disposition'] ?? '', /attachment/, 'my data is offered as a download');
	const json = JSON.parse(data.body);
	const flat = JSON.stringify(json);
	for (const v of [account.email, account.name, 'bio-marqueur-4417', 'soudure-marqueur-4417', 'graphisme', 'Besoin de Zéphyrine']) {
		assert.ok(flat.includes(v), `my data holds "${v}"`);
	}
	assert.ok(!/argon2|password_hash/i.test(flat), 'my data holds no password hash');
	assert.ok(!/token_hash|csrf/i.test(flat), 'my data holds no session secrets');

	// Delete: a wrong password is refused and keeps the account.
	const del = await person.get('/account/delete');
	assert.equal(del.status, 200, 'GET /account/delete');
	const df = findForm(del.body, '/account/delete', 'GET /account/delete');
	assert.ok(tags(df.html, 'input').some((t) => t.attrs.type === 'password'), 'the deletion form asks for the password');
	const passwordField = tags(df.html, 'input').find((t) => t.attrs.type === 'password').attrs.name;
	const wrong = await person.submit('/account/delete', '/account/delete', { [passwordField]: 'pas le bon mot de passe du tout' });
	assert.equal(wrong.status, 422, `deleting with a wrong password answers 422 (got ${wrong.status})`);
	assert.ok(await userByEmail(s, account.email), 'a wrong password deletes nothing');

	// The scan below must be able to see the person: before deletion it finds them where they are.
	const needles = [account.email, account.email.split('@')[0], account.name, 'Quillebeuf', 'bio-marqueur-4417', 'soudure-marqueur-4417'];
	const seen = new Set((await findAnywhere(s, needles)).map((h) => `${h.table}.${h.column}:${h.needle}`));
	for (const where of [`users.email:${account.email}`, `users.display_name:${account.name}`, 'users.bio:bio-marqueur-4417', 'user_skills.skill:soudure-marqueur-4417']) {
		assert.ok(seen.has(where), `before deletion the scan finds ${where} (found: ${[...seen].join(', ')})`);
	}
	const sessionsBefore = await scalar(s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${userId}`);
	assert.ok(sessionsBefore >= 1, 'the person has a session before deletion');
	const gone = await person.submit('/account/delete', '/account/delete', { [passwordField]: account.password });
	assert.equal(gone.status, 303, `deleting with the password answers 303 (got ${gone.status}):\n${mainText(gone.body).slice(0, 400)}`);

	// The database holds nothing of them.
	assert.equal(await userByEmail(s, account.email), null, 'the users row is gone');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM users WHERE id = ${userId}`), 0, 'no users row with their id');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${userId}`), 0, 'no session of theirs');
	const hits = await findAnywhere(s, needles);
	assert.deepEqual(hits, [], `personal data left in the database after deletion:\n${hits.map((h) => `  ${h.table}.${h.column} contains "${h.needle}": ${h.value}`).join('\n')}`);

	// The cookie they had means nothing now.
	const after = await person.get('/settings');
	assert.ok(after.status === 303 && /^\/login/.test(after.location ?? ''), `after deletion, /settings sends to log in (got ${after.status} ${after.location})`);
	assert.ok(!showsLoggedIn((await person.get('/')).body), 'after deletion, the home page shows nobody logged in');

	// What they posted stays, from "participant supprimé".
	for (const path of [`/needs/${posted.need}`, `/initiatives/${posted.initiative}`]) {
		const p = await new Person(s).get(path);
		assert.equal(p.status, 200, `GET ${path} after deletion`);
		const t = mainText(p.body);
		assert.ok(t.includes('participant supprimé'), `${path} shows "participant supprimé" as its author; it shows:\n${t.slice(0, 600)}`);
		assert.ok(!t.includes(account.name), `${path} no longer shows the name`);
	}
	const en = await new Person(s, { lang: 'en' }).get(`/needs/${posted.need}`);
	assert.ok(mainText(en.body).includes('deleted participant'), 'in English the author shows as "deleted participant"');
	const pubAfter = await new Person(s).get(`/people/${userId}`);
	assert.equal(pubAfter.status, 404, 'the public profile of a deleted account is gone (404)');

	// Logging in again is impossible.
	await clearRateLimits(s);
	const again = await logIn(new Person(s), account);
	assert.notEqual(again.status, 303, 'a deleted account cannot log in');
});

test('signing up with an address that has an account looks the same as a new sign-up, and mails the owner', { timeout: 90000 }, async () => {
	const { s, smtp } = ctx;
	const owner = await signUpConfirmed(ctx, new Person(s), { email: freshEmail('owner'), name: 'Octave Déjàlà', password: freshPassword('owner') });

	const fresh = { email: freshEmail('newcomer'), name: 'Nouvelle Personne', password: freshPassword('n1') };
	const dup = { email: owner.email, name: 'Imposteur Quelconque', password: freshPassword('n2') };
	await clearRateLimits(s);
	const p1 = new Person(s);
	const a1 = await visibleAnswer(p1, await signUp(p1, fresh), fresh);
	const p2 = new Person(s);
	const a2 = await visibleAnswer(p2, await signUp(p2, dup), dup);
	assert.deepEqual(a2, a1, 'the answer to a sign-up with a taken address is the same as for a new one');

	// The newcomer gets a confirmation link; the real owner is told by mail, without a confirmation link.
	const m1 = await smtp.waitForMail(fresh.email, { timeoutMs: 20000 });
	mailLink(m1, /^\/confirm$/);
	const m2 = await smtp.waitForMail(owner.email, { timeoutMs: 20000 });
	assert.ok(!(m2.links ?? []).some((l) => /\/confirm\?/.test(l)), `the owner's mail holds no confirmation link: ${m2.text}`);
	assert.ok(!m2.text.includes(dup.password), 'the mail does not repeat the password typed');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM users WHERE lower(email) = lower(${sqlString(owner.email)})`), 1, 'still one account for that address');
	const row = await userByEmail(s, owner.email);
	assert.equal(row.display_name, owner.name, 'the existing account keeps its name');
	const still = await logIn(new Person(s), owner);
	assert.equal(still.status, 303, 'the owner still logs in with their own password');
	const impostor = await logIn(new Person(s), { email: owner.email, password: dup.password });
	assert.notEqual(impostor.status, 303, 'the password typed in the second sign-up does not open the account');
});

test('log-in failures look the same for an unknown address and a wrong password', { timeout: 60000 }, async () => {
	const { s } = ctx;
	const known = await signUpConfirmed(ctx, new Person(s), { email: freshEmail('known'), name: 'Connue Personne', password: freshPassword('k') });
	await clearRateLimits(s);
	const person = new Person(s);
	const unknownEmail = freshEmail('nobody');
	const r1 = await logIn(person, { email: unknownEmail, password: known.password });
	const r2 = await logIn(person, { email: known.email, password: known.password + 'x' });
	assert.notEqual(r1.status, 303, 'an unknown address does not log in');
	assert.notEqual(r2.status, 303, 'a wrong password does not log in');
	assert.equal(r1.status, r2.status, 'same status for an unknown address and a wrong password');
	assert.equal(r1.status, 422, 'a refused log-in re-shows the form with 422');
	const t1 = mainText(r1.body).split(unknownEmail).join('EMAIL');
	const t2 = mainText(r2.body).split(known.email).join('EMAIL');
	assert.equal(t1, t2, 'same page for an unknown address and a wrong password');
	assert.ok(t1.length > 20, 'the page says why the log-in failed');
	const b1 = r1.body.split(unknownEmail).join('EMAIL');
	const b2 = r2.body.split(known.email).join('EMAIL');
	assert.equal(b1, b2, 'same HTML for both failures (nothing hidden differs either)');
	// The address typed is kept, the password never.
	const lf = findForm(r2.body, '/login', 'the refused log-in page');
	const fields = formFields(lf.html);
	assert.equal(fields.email, known.email, 'the address typed is kept in the form');
	assert.ok(!r2.body.includes(known.password), 'the password typed is not sent back');
	assert.ok(!showsLoggedIn((await person.get('/')).body), 'nobody is logged in after two failures');
});

test('an unconfirmed account is asked to confirm before posting; once confirmed it can post', { timeout: 90000 }, async () => {
	const { s, smtp } = ctx;
	const account = { email: freshEmail('pending'), name: 'Prudence Attente', password: freshPassword('u') };
	const person = new Person(s);
	await clearRateLimits(s);
	const r = await signUp(person, account);
	assert.equal(r.status, 303, 'sign-up');
	await clearRateLimits(s);
	await logInOk(person, account);

	// The page to create an organisation is a member action: the unconfirmed account sees why it cannot.
	const form = await person.get('/organisations/new');
	assert.equal(form.status, 403, `an unconfirmed account opening /organisations/new gets 403 (got ${form.status} ${form.location ?? ''})`);
	assert.match(mainText(form.body), /Confirmez votre adresse/, 'the page asks, in French, to confirm the e-mail address');
	assert.ok(form.body.includes('href="/confirm/resend"'), 'the page offers to send the link again');
	const tok = csrfOf((await person.get('/settings')).body);
	assert.ok(tok, 'the unconfirmed account has a session with a csrf token');
	const orgName = `Atelier ${process.pid} en attente`;
	const refused = await person.post('/organisations/new', { csrf: tok, name: orgName, kind: 'association', summary: 'Un atelier.', description: 'Un atelier de quartier.', website: '' });
	assert.equal(refused.status, 403, `an unconfirmed account posting /organisations/new gets 403 (got ${refused.status})`);
	assert.match(mainText(refused.body), /confirm/i, 'the refusal asks to confirm the address');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM organisations WHERE name = ${sqlString(orgName)}`), 0, 'nothing was created');

	// Confirm with the mail's link; the same person can now create it.
	const mail = await smtp.waitForMail(account.email, { timeoutMs: 20000 });
	const c = await person.visit(mailLink(mail, /^\/confirm$/));
	assert.equal(c.status, 200, 'confirmation');
	const ok = await person.submit('/organisations/new', '/organisations/new', { name: orgName, kind: 'association', summary: 'Un atelier.', description: 'Un atelier de quartier.' });
	assert.equal(ok.status, 303, `a confirmed account creating an organisation gets 303 (got ${ok.status}):\n${mainText(ok.body).slice(0, 500)}`);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM organisations WHERE name = ${sqlString(orgName)}`), 1, 'the organisation is in the database');
	const uid = (await userByEmail(s, account.email)).id;
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id WHERE o.name = ${sqlString(orgName)} AND m.user_id = ${uid} AND m.role = 'owner'`), 1,
		'its creator is its owner');
});

test('a confirmation link works once and a made-up one is refused', { timeout: 60000 }, async () => {
	const { s, smtp } = ctx;
	const account = { email: freshEmail('once'), name: 'Unique Fois', password: freshPassword('o') };
	const person = new Person(s);
	await clearRateLimits(s);
	assert.equal((await signUp(person, account)).status, 303);
	const mail = await smtp.waitForMail(account.email, { timeoutMs: 20000 });
	const link = mailLink(mail, /^\/confirm$/);
	const bogus = await person.get('/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
	assert.ok(bogus.status >= 400 && bogus.status < 500, `a made-up token is refused with a 4xx page (got ${bogus.status})`);
	assert.equal((await userByEmail(s, account.email)).email_confirmed_at, null, 'a made-up token confirms nothing');
	assert.equal((await person.visit(link)).status, 200, 'the real link confirms');
	const used = await scalar(s, `SELECT COUNT(*) AS n FROM email_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = ${sqlString(account.email)} AND t.purpose = 'confirm' AND t.used_at IS NULL`);
	assert.equal(used, 0, 'the confirmation token is used up');
	const tokens = await s.query(`SELECT token_hash FROM email_tokens`);
	const raw = new URL(link, 'http://x.invalid').searchParams.get('token');
	assert.ok(!tokens.some((t) => t.token_hash === raw), 'the database stores a hash of the token, not the token');
});

test('new terms: the next log-in asks to accept them (or to delete the account); the version accepted is recorded', { timeout: 90000 }, async () => {
	const { s } = ctx;
	const account = await signUpConfirmed(ctx, new Person(s), { email: freshEmail('terms'), name: 'Théo Termes', password: freshPassword('terms') });
	const current = await scalar(s, 'SELECT MAX(version) AS v FROM terms');
	const row = await userByEmail(s, account.email);
	assert.equal(Number(row.terms_version), current, 'sign-up records the version of the terms accepted');
	assert.notEqual(row.terms_accepted_at, null, 'and when');

	const next = current + 1;
	await execSql(s.dbUrl, `INSERT INTO terms (version, body, published_at) VALUES (${next}, ${sqlString('## Nouvelles conditions\n\nVersion de test ' + next + '.')}, 1800000000)`);
	const p = new Person(s);
	await clearRateLimits(s);
	const r = await logIn(p, account, '/login?next=%2Fprofile');
	assert.equal(r.status, 303, 'log-in still succeeds');
	assert.match(r.location ?? '', /^\/terms\/accept\?next=%2Fprofile$/, `log-in leads to the new terms first, then back (Location: ${r.location})`);
	const page = await p.get(r.location);
	assert.equal(page.status, 200);
	assert.ok(mainText(page.body).includes(`Version de test ${next}`), 'the page shows the new terms');
	assert.ok(page.body.includes('href="/account/delete"'), 'the page offers to delete the account instead');
	const f = findForm(page.body, '/terms/accept', 'the terms page');
	const refused = await p.post('/terms/accept', { ...formFields(f.html) });
	assert.equal(refused.status, 422, 'not ticking the box is refused with 422');
	assert.equal(Number((await userByEmail(s, account.email)).terms_version), current, 'nothing recorded without the box');
	const ok = await p.post('/terms/accept', { ...formFields(f.html), accept: '1' });
	assert.equal(ok.status, 303);
	assert.equal(ok.location, '/profile', 'accepted, the person goes where they were going');
	const after = await userByEmail(s, account.email);
	assert.equal(Number(after.terms_version), next, 'the new version accepted is recorded');
	assert.ok(Number(after.terms_accepted_at) > Number(row.terms_accepted_at) || Number(after.terms_accepted_at) >= Math.floor(Date.now() / 1000) - 60, 'with its time');
	// Accepting a version that is not the current one is refused.
	await execSql(s.dbUrl, `UPDATE users SET terms_version = ${current} WHERE id = ${account.id}`);
	const stale = await p.post('/terms/accept', { ...formFields(f.html), version: String(current), accept: '1' });
	assert.notEqual(stale.status, 303, 'accepting an older version than the current one is refused');
	assert.equal(Number((await userByEmail(s, account.email)).terms_version), current);
});

test('changing the e-mail address: asks the password, confirms by a link sent to the new address, tells the old one', { timeout: 90000 }, async () => {
	const { s, smtp } = ctx;
	const account = await signUpConfirmed(ctx, new Person(s), { email: freshEmail('ancienne'), name: 'Agathe Adresse', password: freshPassword('mail') });
	const p = new Person(s);
	await clearRateLimits(s);
	await logInOk(p, account);
	const newEmail = freshEmail('nouvelle');
	const wrong = await p.submit('/settings', '/settings/email', { new_email: newEmail, current_password: 'pas le mot de passe' });
	assert.equal(wrong.status, 422, 'a wrong current password is refused with 422');
	assert.ok(findForm(wrong.body, '/settings/email').html.includes(newEmail), 'the new address typed is kept');
	const r = await p.submit('/settings', '/settings/email', { new_email: newEmail, current_password: account.password });
	assert.equal(r.status, 303, `asking the change answers 303 (got ${r.status})`);
	assert.ok(await userByEmail(s, account.email), 'the address does not change before the link is followed');
	const notice = await smtp.waitForMail(account.email, { timeoutMs: 20000 });
	assert.ok(notice.text.includes(newEmail), 'the old address is told which address was asked');
	const { path } = await waitForLink(smtp, newEmail, /^\/confirm$/);
	const c = await p.visit(path);
	assert.equal(c.status, 200, 'following the link sent to the new address');
	assert.equal(await userByEmail(s, account.email), null, 'the old address is gone');
	const moved = await userByEmail(s, newEmail);
	assert.equal(Number(moved?.id), account.id, 'the account now has the new address');
	await clearRateLimits(s);
	assert.equal((await logIn(new Person(s), { email: newEmail, password: account.password })).status, 303, 'log-in with the new address works');
	assert.notEqual((await logIn(new Person(s), account)).status, 303, 'the old address no longer logs in');
	assert.ok((await p.visit(path)).status >= 400, 'the link works once');
});

test('the language chosen in the settings is the one of the pages after log-in', { timeout: 60000 }, async () => {
	const { s } = ctx;
	const account = await signUpConfirmed(ctx, new Person(s), { email: freshEmail('langue'), name: 'Lena Language', password: freshPassword('lang') });
	const p = new Person(s);
	await clearRateLimits(s);
	await logInOk(p, account);
	const r = await p.submit('/settings', '/settings/preferences', { language: 'en', notify_frequency: 'weekly' });
	assert.equal(r.status, 303, `saving the preferences answers 303 (got ${r.status})`);
	const row = await userByEmail(s, account.email);
	assert.equal(row.language, 'en', 'the language is stored');
	assert.equal(row.notify_frequency, 'weekly', 'the notification frequency is stored');
	const fresh = new Person(s);
	await clearRateLimits(s);
	await logInOk(fresh, account);
	const home = await fresh.get('/');
	assert.match(home.body, /<html lang="en"/, 'after logging in on another device, the pages are in English');
	const bad = await p.submit('/settings', '/settings/preferences', { language: 'xx', notify_frequency: 'hourly' });
	assert.equal(bad.status, 422, 'an unknown language or frequency is refused with 422');
	assert.equal((await userByEmail(s, account.email)).language, 'en', 'and changes nothing');
});
