// The page cache (web/cache.c): pages a visitor without a session sees are
// kept in memory, and a write anywhere makes them render again. A visitor
// must never see a page older than the last answered write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, createUser, freshEmail, freshPassword, logInOk, showsLoggedIn, useAccountsServer } from './db.mjs';
import { formFields, forms } from './harness.mjs';

const ctx = useAccountsServer({ smtp: false });

test('a visitor sees a new organisation at once, though the list was cached before', async () => {
	await ctx.ready();
	const visitor = new Person(ctx.s);
	const name = `Atelier du cache ${Date.now()}`;
	for (let i = 0; i < 3; i++) { // rendered once, then served from the cache
		const r = await visitor.get('/organisations');
		assert.equal(r.status, 200);
		assert.ok(!r.body.includes(name));
		assert.equal(r.setCookies.length, 0, 'a shared page sets no cookie');
	}

	const account = { email: freshEmail('cache'), name: 'Camille Cache', password: freshPassword('cache') };
	await createUser(ctx.s, account);
	const member = new Person(ctx.s);
	await logInOk(member, account);
	const r = await member.submit('/organisations/new', '/organisations/new',
		{ name, kind: 'association', summary: 'Pour vérifier le cache' });
	assert.equal(r.status, 303, `creating the organisation answers ${r.status}`);

	const after = await visitor.get('/organisations');
	assert.equal(after.status, 200);
	assert.ok(after.body.includes(name), 'the visitor still gets the list rendered before the write');
});

test('pages differ by language and are never mixed up in the cache', async () => {
	await ctx.ready();
	const fr = new Person(ctx.s);
	const en = new Person(ctx.s, { lang: 'en' });
	for (let i = 0; i < 2; i++) {
		const a = await fr.get('/');
		const b = await en.get('/');
		assert.match(a.body, /<html lang="fr"/);
		assert.match(b.body, /<html lang="en"/);
	}
});

test('a logged-in person gets their own page, not the visitors\' cached one', async () => {
	await ctx.ready();
	await new Person(ctx.s).get('/'); // cache the visitors' home page
	const account = { email: freshEmail('own'), name: 'Dominique Perso', password: freshPassword('own') };
	await createUser(ctx.s, account);
	const p = new Person(ctx.s);
	await logInOk(p, account);
	const home = await p.get('/');
	assert.ok(home.body.includes('Dominique Perso'), 'the header shows the person logged in');
	const again = await new Person(ctx.s).get('/');
	assert.ok(!again.body.includes('Dominique Perso'), 'a visitor never gets a logged-in page');
});

// Logged-in pages are kept too (web/app.c): lists once per role, other pages
// once per person, each answer filling in its own csrf token, id and name.
async function twoMembers(tag) {
	const people = [];
	for (const name of [`Alix ${tag}`, `Basile ${tag}`]) {
		const account = { email: freshEmail(tag), name, password: freshPassword(tag) };
		await createUser(ctx.s, account);
		const p = new Person(ctx.s);
		await logInOk(p, account);
		people.push({ p, name });
	}
	return people;
}

function tokensOf(html) {
	return [...new Set(forms(html).map((f) => formFields(f.html).csrf).filter(Boolean))];
}

test('a list kept for a role shows each person their own name and a token that works', async () => {
	await ctx.ready();
	const [a, b] = await twoMembers('Liste');
	const pages = [];
	for (let i = 0; i < 2; i++) {
		for (const who of [a, b]) pages.push({ who, r: await who.p.get('/initiatives') });
	}
	for (const { who, r } of pages) {
		assert.equal(r.status, 200);
		assert.ok(showsLoggedIn(r.body, who.name), `${who.name} sees their own name`);
		const other = who === a ? b : a;
		assert.ok(!r.body.includes(other.name), `${who.name} never sees ${other.name}'s name`);
		assert.ok(!r.body.includes('\x1e'), 'no hole is left in the page');
		assert.equal(tokensOf(r.body).length, 1, 'one csrf token on the page');
	}
	const tokenA = tokensOf(pages[2].r.body)[0], tokenB = tokensOf(pages[3].r.body)[0];
	assert.notEqual(tokenA, tokenB, 'each session has its own token, cached page or not');
	const out = await b.p.post('/logout', { csrf: tokenB });
	assert.equal(out.status, 303, 'the token of a page served from the cache is the session\'s own');
	assert.ok(!showsLoggedIn((await b.p.get('/initiatives')).body), 'logged out');
	assert.ok(showsLoggedIn((await a.p.get('/initiatives')).body, a.name), 'the other person is still logged in');
});

test('a page kept for one person follows their own writes and is never shown to another', async () => {
	await ctx.ready();
	const [a, b] = await twoMembers('Page');
	const posted = await a.p.submit('/initiatives/new', '/initiatives/new', { title: 'Un café des voisins', body: 'Le samedi matin, place du marché.' });
	assert.equal(posted.status, 303);
	const path = /^\/initiatives\/\d+/.exec(posted.location)[0];
	for (let i = 0; i < 2; i++) {
		const r = await b.p.get(path);
		assert.ok(showsLoggedIn(r.body, b.name));
		assert.ok(findFormAction(r.body, `${path}/support`), 'the support button is offered');
	}
	const authorPage = await a.p.get(path);
	assert.ok(showsLoggedIn(authorPage.body, a.name), 'the author gets their own page, not the one kept for the other person');
	assert.ok(!authorPage.body.includes(b.name));
	const support = await b.p.post(`${path}/support`, { csrf: tokensOf((await b.p.get(path)).body)[0] });
	assert.equal(support.status, 303);
	const after = await b.p.get(path);
	assert.ok(findFormAction(after.body, `${path}/unsupport`), 'after supporting, the page offers to withdraw: not the page kept before the write');
	assert.ok(!findFormAction((await a.p.get(path)).body, `${path}/unsupport`), 'the author never gets the supporter\'s page');
});

test('a visitor with a session gets the kept page with their own token', async () => {
	await ctx.ready();
	const v = new Person(ctx.s);
	await v.get('/contact'); // the contact form gives the visitor a session
	assert.ok(v.session, 'the visitor has a session');
	const first = await v.get('/initiatives'), second = await v.get('/initiatives');
	for (const r of [first, second]) {
		assert.equal(r.status, 200);
		assert.ok(!r.body.includes('\x1e'));
		assert.equal(r.setCookies.length, 0);
	}
});

function findFormAction(html, action) {
	return forms(html).some((f) => f.attrs.action === action);
}
