// Accounts in a real browser (Debian's Chromium driven by playwright-core):
// sign up and log in by typing and clicking, forms sent with mistakes show
// their errors, and axe-core (WCAG 2.1 A/AA and best practices) finds
// nothing on any account page, those with errors included. The site's own
// Content-Security-Policy stays on; console errors fail the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	useAccountsServer, createUser, freshEmail, freshPassword, mailLink, waitForLink, clearRateLimits, userByEmail, execSql, sqlString,
} from '../e2e/db.mjs';
import { useBrowser } from './lib.mjs';

const ctx = useAccountsServer();
const { newPage, takeProblems, assertAccessible, goto, formTo } = useBrowser(ctx, { freshPages: true });

/* Click the form's submit button and wait for the page it leads to (redirects followed). */
async function submit(p, form, status = 200) {
	// The browser's own validation would stop an empty required field; the server's answer is what is tested.
	await form.evaluate((f) => { f.noValidate = true; });
	const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type="submit"], input[type="submit"], button:not([type])').first().click()]);
	assert.equal(r.status(), status, `submitting the form on ${p.url()}`);
	return r;
}

/* The error messages shown next to fields (texts of the elements aria-describedby points to from invalid fields). */
async function fieldErrors(p) {
	return p.evaluate(() => [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => ({
		name: el.getAttribute('name'),
		message: (el.getAttribute('aria-describedby') || '').split(/\s+/).map((id) => document.getElementById(id)).filter((x) => x && /error/.test(x.className + x.id)).map((x) => x.textContent.trim()).join(' '),
	})));
}

const account = { email: freshEmail('navigateur'), name: 'Noémie Navigatrice', password: freshPassword('browser') };

test('sign up through the form: errors first, then the confirmation mail and its link', { timeout: 120000 }, async () => {
	const p = await newPage();
	await clearRateLimits(ctx.s);
	await goto(p, '/');
	const [nav] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.getByRole('link', { name: /inscri|créer un compte/i }).first().click()]);
	assert.equal(nav.status(), 200);
	assert.equal(new URL(p.url()).pathname, '/signup', 'the header leads to the sign-up page');
	await assertAccessible(p, 'the sign-up page');
	for (const [field, ac] of [['email', 'email'], ['display_name', 'nickname|name'], ['password', 'new-password']]) {
		const got = await formTo(p, '/signup').locator(`[name="${field}"]`).getAttribute('autocomplete');
		assert.match(got ?? '', new RegExp(`^(${ac})$`), `the sign-up field ${field} has autocomplete=${ac} (got ${got})`);
	}

	// Empty: every field says what is missing.
	await submit(p, formTo(p, '/signup'), 422);
	const errors = await fieldErrors(p);
	for (const name of ['email', 'display_name', 'password']) {
		const e = errors.find((x) => x.name === name);
		assert.ok(e && e.message.length > 3, `the empty form shows an error next to ${name}: ${JSON.stringify(errors)}`);
	}
	assert.ok(await p.locator('main .notice-error, main [role="alert"]').first().isVisible(), 'a summary of the errors is shown at the top');
	await assertAccessible(p, 'the sign-up page with errors');

	// A short password: its error, and what was typed is kept except the password.
	const f = formTo(p, '/signup');
	await f.locator('[name="email"]').fill(account.email);
	await f.locator('[name="display_name"]').fill(account.name);
	await f.locator('[name="password"]').fill('court');
	await f.locator('input[type="checkbox"][name="terms"]').check();
	await submit(p, f, 422);
	const e2 = await fieldErrors(p);
	assert.deepEqual(e2.map((x) => x.name), ['password'], `only the password is in error: ${JSON.stringify(e2)}`);
	assert.match(e2[0].message, /12/, 'the error says the password needs 12 characters');
	assert.match(e2[0].message, /caractères/, `the error is in French: "${e2[0].message}"`);
	assert.equal(await formTo(p, '/signup').locator('[name="email"]').inputValue(), account.email, 'the address typed is kept');
	assert.equal(await formTo(p, '/signup').locator('[name="display_name"]').inputValue(), account.name, 'the name typed is kept');
	assert.equal(await formTo(p, '/signup').locator('[name="password"]').inputValue(), '', 'the password is not sent back');
	await assertAccessible(p, 'the sign-up page with a password error');

	// A common password is refused too (tried with another address, so that a wrong acceptance spoils nothing else).
	const f3 = formTo(p, '/signup');
	await f3.locator('[name="email"]').fill(freshEmail('commun'));
	await f3.locator('[name="password"]').fill('qwerty123456');
	await submit(p, f3, 422);
	const e3 = await fieldErrors(p);
	assert.deepEqual(e3.map((x) => x.name), ['password'], `a very common password is refused: ${JSON.stringify(e3)}`);
	assert.match(e3[0].message, /courant|fréquent|répandu|commun/i, `the error says the password is too common, in French: "${e3[0].message}"`);

	// Right: typed like a person, sent with a click.
	const f4 = formTo(p, '/signup');
	await f4.locator('[name="email"]').fill(account.email);
	await f4.locator('[name="password"]').click();
	await p.keyboard.type(account.password);
	const terms = f4.locator('input[type="checkbox"]');
	for (let i = 0; i < await terms.count(); i++) await terms.nth(i).check();
	await submit(p, f4, 200);
	assert.equal(await formTo(p, '/signup').count(), 0, 'a valid sign-up leads to a page without the form');
	assert.match(await p.locator('h1').innerText(), /courrier|messagerie|e-mail|mail/i, 'the page asks to look at the mail');
	await assertAccessible(p, 'the page after signing up');
	assert.ok(await userByEmail(ctx.s, account.email), 'the account is in the database');

	const mail = await ctx.smtp.waitForMail(account.email, { timeoutMs: 20000 });
	await goto(p, mailLink(mail, /^\/confirm$/));
	await assertAccessible(p, 'the confirmation page');
	assert.notEqual((await userByEmail(ctx.s, account.email)).email_confirmed_at, null, 'confirmed in the database');
	await p.context().close();
});

let me; // the logged-in page of the account, shared by the next tests

/* The account signed up above; made on the command line if that test failed, so this one still tests log-in. */
async function ensureAccount() {
	if (await userByEmail(ctx.s, account.email)) return;
	await createUser(ctx.s, account);
	await execSql(ctx.s.dbUrl, `UPDATE users SET terms_version = (SELECT COALESCE(MAX(version), 0) FROM terms), terms_accepted_at = 1 WHERE email = ${sqlString(account.email)}`);
}

/* A new page logged in as acc through the form (for tests that do not test log-in). */
async function loggedInPage(acc) {
	await ensureAccount();
	await clearRateLimits(ctx.s);
	const p = await newPage();
	await goto(p, '/login');
	const f = formTo(p, '/login');
	await f.locator('[name="email"]').fill(acc.email);
	await f.locator('[name="password"]').fill(acc.password);
	await submit(p, f, 200);
	assert.notEqual(new URL(p.url()).pathname, '/login', `logged in as ${acc.email}`);
	takeProblems();
	return p;
}

test('log in through the form: a wrong password shows an error, the right one logs in', { timeout: 60000 }, async () => {
	await ensureAccount();
	const p = await newPage();
	await clearRateLimits(ctx.s);
	await goto(p, '/');
	const [nav] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.getByRole('link', { name: /connexion|se connecter/i }).first().click()]);
	assert.equal(nav.status(), 200);
	assert.equal(new URL(p.url()).pathname, '/login', 'the header leads to the log-in page');
	await assertAccessible(p, 'the log-in page');

	const f = formTo(p, '/login');
	await f.locator('[name="email"]').fill(account.email);
	await f.locator('[name="password"]').fill('pas le bon mot de passe');
	await submit(p, f, 422);
	assert.ok(await p.locator('main .notice-error, main [role="alert"]').first().isVisible(), 'the refused log-in shows an error');
	assert.equal(await formTo(p, '/login').locator('[name="email"]').inputValue(), account.email, 'the address typed is kept');
	await assertAccessible(p, 'the log-in page with an error');

	const f2 = formTo(p, '/login');
	await f2.locator('[name="password"]').click();
	await p.keyboard.type(account.password);
	const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.keyboard.press('Enter')]);
	assert.equal(r.status(), 200, 'Enter in the password field sends the form and leads to a page');
	assert.notEqual(new URL(p.url()).pathname, '/login', 'logged in, the page is not the log-in form any more');
	assert.ok(await p.locator('header').getByText(account.name).first().isVisible(), 'the header shows the name of the person logged in');
	await assertAccessible(p, 'the first page after logging in');
	me = p;
});

test('the pages of a logged-in account are accessible; the profile form saves and shows errors', { timeout: 120000 }, async () => {
	const p = me ?? await loggedInPage(account);
	for (const path of ['/settings', '/profile', '/account', '/account/delete', '/terms']) {
		await goto(p, path);
		await assertAccessible(p, `GET ${path}`);
	}
	await goto(p, '/profile');
	const f = formTo(p, '/profile');
	await f.locator('[name="display_name"]').fill('');
	await submit(p, f, 422);
	assert.ok((await fieldErrors(p)).some((x) => x.name === 'display_name'), 'an empty name is an error shown next to the field');
	await assertAccessible(p, 'the profile form with errors');
	const f2 = formTo(p, '/profile');
	await f2.locator('[name="display_name"]').fill(account.name);
	await f2.locator('[name="bio"]').fill('J’aime les jardins partagés.');
	await f2.locator('[name="skills"]').fill('jardinage, menuiserie');
	await submit(p, f2, 200);
	const saved = await userByEmail(ctx.s, account.email);
	assert.equal(saved.bio, 'J’aime les jardins partagés.', 'the bio typed is in the database');
	const id = saved.id;
	await goto(p, `/people/${id}`);
	assert.ok(await p.getByText('menuiserie').first().isVisible(), 'the public profile shows the skills');
	await assertAccessible(p, 'the public profile');

	// The settings' password form with a wrong current password.
	await goto(p, '/settings');
	const pf = p.locator('main form[method="post" i]').filter({ has: p.locator('input[type="password"]') }).first();
	const pws = pf.locator('input[type="password"]');
	for (let i = 0; i < await pws.count(); i++) await pws.nth(i).fill(i === 0 ? 'pas le mot de passe actuel' : 'un nouveau mot de passe bien long');
	await submit(p, pf, 422);
	assert.ok((await fieldErrors(p)).length >= 1, 'a wrong current password is shown as an error');
	await assertAccessible(p, 'the settings with a password error');

	// The deletion form with a wrong password.
	await goto(p, '/account/delete');
	const df = formTo(p, '/account/delete');
	await df.locator('input[type="password"]').fill('pas le bon mot de passe');
	await submit(p, df, 422);
	assert.ok((await fieldErrors(p)).length >= 1, 'a wrong password on deletion is shown as an error');
	await assertAccessible(p, 'the deletion form with an error');
	assert.ok(await userByEmail(ctx.s, account.email), 'the account is still there');
});

test('forgot password and reset: the pages, with and without errors, are accessible', { timeout: 120000 }, async () => {
	await ensureAccount();
	const p = await newPage();
	await clearRateLimits(ctx.s);
	await goto(p, '/login');
	const [nav] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.locator('main a[href^="/password/forgot"]').first().click()]);
	assert.equal(nav.status(), 200, 'the log-in page links to "forgot password"');
	await assertAccessible(p, 'the forgot-password page');
	const f = formTo(p, '/password/forgot');
	await f.locator('[name="email"]').fill('pas-une-adresse');
	await submit(p, f, 422);
	await assertAccessible(p, 'the forgot-password page with an error');
	const f2 = formTo(p, '/password/forgot');
	await f2.locator('[name="email"]').fill(account.email);
	await submit(p, f2, 200);
	await assertAccessible(p, 'the page after asking a reset');

	await goto(p, (await waitForLink(ctx.smtp, account.email, /^\/password\/reset$/)).path);
	await assertAccessible(p, 'the reset page');
	const rf = formTo(p, '/password/reset');
	const pws = rf.locator('input[type="password"]');
	for (let i = 0; i < await pws.count(); i++) await pws.nth(i).fill('court');
	await submit(p, rf, 422);
	assert.ok((await fieldErrors(p)).length >= 1, 'a short new password is shown as an error');
	await assertAccessible(p, 'the reset page with an error');
	await p.context().close();
});

test('an admin\'s pages are accessible', { timeout: 120000 }, async () => {
	const admin = await createUser(ctx.s, { email: freshEmail('admin-nav'), name: 'Adèle Admin', password: freshPassword('admin'), admin: 'sceaux' });
	const p = await newPage();
	await clearRateLimits(ctx.s);
	await goto(p, '/login');
	const f = formTo(p, '/login');
	await f.locator('[name="email"]').fill(admin.email);
	await f.locator('[name="password"]').fill(admin.password);
	await submit(p, f, 200);
	// An account made on the command line has accepted no terms yet: log-in leads to them.
	assert.equal(new URL(p.url()).pathname, '/terms/accept', 'the first log-in asks to accept the terms');
	await assertAccessible(p, 'the terms acceptance page');
	await submit(p, formTo(p, '/terms/accept'), 422);
	assert.ok((await fieldErrors(p)).some((x) => x.name === 'accept'), 'not ticking the box is an error shown next to it');
	await assertAccessible(p, 'the terms acceptance page with an error');
	await formTo(p, '/terms/accept').locator('input[type="checkbox"][name="accept"]').check();
	await submit(p, formTo(p, '/terms/accept'), 200);
	assert.notEqual(new URL(p.url()).pathname, '/terms/accept', 'accepted, the terms page gives way');
	const row = await userByEmail(ctx.s, admin.email);
	assert.ok(Number(row.terms_version) >= 1 && row.terms_accepted_at != null, 'the version accepted is recorded');
	for (const path of ['/admin', '/admin/people', '/admin/partners', '/organisations/new']) {
		await goto(p, path);
		await assertAccessible(p, `GET ${path} as an admin`);
	}
	await goto(p, '/organisations/new');
	await submit(p, formTo(p, '/organisations/new'), 422);
	await assertAccessible(p, 'the new organisation form with errors');
	await p.context().close();
});

test('an unconfirmed account: the page asking to confirm, and the resend form, are accessible', { timeout: 60000 }, async () => {
	const pending = { email: freshEmail('attente'), name: 'Paul Patient', password: freshPassword('pending') };
	await createUser(ctx.s, pending);
	await execSql(ctx.s.dbUrl, `UPDATE users SET email_confirmed_at = NULL, terms_version = (SELECT COALESCE(MAX(version), 0) FROM terms), terms_accepted_at = 1 WHERE email = ${sqlString(pending.email)}`);
	const p = await loggedInPage(pending);
	await goto(p, '/organisations/new', 403);
	assert.match(await p.locator('h1').innerText(), /confirm/i, 'the page asks to confirm the address');
	await assertAccessible(p, 'the page asking to confirm the address');
	await goto(p, '/confirm/resend');
	await assertAccessible(p, 'the form sending the confirmation link again');
	await submit(p, formTo(p, '/confirm/resend'), 200);
	await assertAccessible(p, 'the page after sending the link again');
	const { path } = await waitForLink(ctx.smtp, pending.email, /^\/confirm$/);
	await goto(p, path);
	await goto(p, '/organisations/new');
	await assertAccessible(p, 'the new organisation form, once confirmed');
	await p.context().close();
});

test('too many wrong passwords: the 429 page is accessible and says why', { timeout: 120000 }, async () => {
	const victim = { email: freshEmail('victime'), name: 'Victor Verrou', password: freshPassword('victim') };
	await createUser(ctx.s, victim);
	await clearRateLimits(ctx.s);
	const p = await newPage();
	let status = 0;
	for (let i = 0; i < 15 && status !== 429; i++) {
		await goto(p, '/login');
		const f = formTo(p, '/login');
		await f.locator('[name="email"]').fill(victim.email);
		await f.locator('[name="password"]').fill(`mauvais mot de passe ${i}`);
		await f.evaluate((x) => { x.noValidate = true; });
		const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), f.locator('button[type="submit"]').click()]);
		status = r.status();
		takeProblems();
	}
	assert.equal(status, 429, 'a flood of wrong passwords ends in a 429 page');
	const h1 = await p.locator('h1').innerText();
	assert.ok(h1.trim().length > 3, 'the 429 page has a heading');
	await assertAccessible(p, 'the too-many-attempts page');
	await clearRateLimits(ctx.s);
	await p.context().close();
});

test('deleting the account: the confirmation form and the page after are accessible; the account is gone', { timeout: 60000 }, async () => {
	const leaving = { email: freshEmail('depart'), name: 'Denise Départ', password: freshPassword('leave') };
	await createUser(ctx.s, leaving);
	await execSql(ctx.s.dbUrl, `UPDATE users SET terms_version = (SELECT COALESCE(MAX(version), 0) FROM terms), terms_accepted_at = 1 WHERE email = ${sqlString(leaving.email)}`);
	const p = await loggedInPage(leaving);
	await goto(p, '/account');
	const [nav] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.locator('main a[href="/account/delete"]').first().click()]);
	assert.equal(nav.status(), 200, 'the account page links to the deletion form');
	const f = formTo(p, '/account/delete');
	await f.locator('input[type="password"]').fill(leaving.password);
	await submit(p, f, 200);
	await assertAccessible(p, 'the page after deleting the account');
	assert.equal(await userByEmail(ctx.s, leaving.email), null, 'the account is gone from the database');
	assert.equal(await p.locator('header form[action="/logout"]').count(), 0, 'nobody is logged in any more');
	await p.context().close();
});

test('an admin finds a person and sees the role form, accessible', { timeout: 60000 }, async () => {
	await ensureAccount();
	const admin = { email: freshEmail('admin-search'), name: 'Armand Admin', password: freshPassword('admin2') };
	await createUser(ctx.s, { ...admin, admin: 'sceaux' });
	await execSql(ctx.s.dbUrl, `UPDATE users SET terms_version = (SELECT COALESCE(MAX(version), 0) FROM terms), terms_accepted_at = 1 WHERE email = ${sqlString(admin.email)}`);
	const p = await loggedInPage(admin);
	await goto(p, '/admin/people');
	await p.locator('main input[name="q"]').fill('Noémie');
	const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.locator('main input[name="q"]').press('Enter')]);
	assert.equal(r.status(), 200);
	assert.ok(await p.locator('main form[action="/admin/roles"]').count() >= 1, 'the search finds the person signed up above, with a role form');
	await assertAccessible(p, 'the people search results');
	await p.context().close();
});
