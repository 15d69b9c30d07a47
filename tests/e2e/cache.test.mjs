// The page cache (web/cache.c): pages a visitor without a session sees are
// kept in memory, and a write anywhere makes them render again. A visitor
// must never see a page older than the last answered write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, createUser, freshEmail, freshPassword, logInOk, useAccountsServer } from './db.mjs';

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
