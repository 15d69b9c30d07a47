// Search (GET /search): what people post through the real forms is found at
// once (a need, an idea, a comment, an edit), case and accents aside, with
// every word required; never another territory's rows; typed FTS syntax is
// only words (always 200, never 500); pages go by key; a visitor's cached
// search page is never stale after a write; limits answer 400 with a
// message; a deleted account's posts stay findable, anonymous.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tags, element, text } from './harness.mjs';
import {
	useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword,
	scalar, mainText, findForm, OTHER,
} from './db.mjs';

const ctx = useAccountsServer({ smtp: false, otherTerritory: true });
const fx = {};

/* A word no other test and no demo row has: letters only, so it is one word everywhere. */
const word = () => 'mot' + randomBytes(5).toString('hex').replace(/[0-9]/g, (d) => 'ghijklmnop'[d]);

before(async () => {
	const { s } = await ctx.ready();
	const mk = async (key, name, host) => {
		const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key) });
		await clearRateLimits(s);
		const p = new Person(s, { host });
		await logInOk(p, account);
		fx[key] = { account, p };
	};
	await mk('ana', 'Ana Chercheuse');
	await mk('ben', 'Ben Autreville', OTHER.host);
	await mk('zoe', 'Zoé Partante');
});

function idOf(r, prefix) {
	assert.equal(r.status, 303, `expected 303, got ${r.status}: ${mainText(r.body).slice(0, 300)}`);
	const m = new RegExp(`^${prefix}(\\d+)(#.*)?$`).exec(r.location ?? '');
	assert.ok(m, `Location ${r.location} is ${prefix}ID`);
	return Number(m[1]);
}

async function postNeed(person, title, body = '') {
	return idOf(await person.submit('/needs/new', '/needs/new', { title, body }), '/needs/');
}

async function postIdea(person, title, summary = '', body = '') {
	return idOf(await person.submit('/initiatives/new', '/initiatives/new', { title, summary, body }), '/initiatives/');
}

/* The search page for q (and more parameters): {status, body, hrefs of the results, main text}. */
async function search(person, q, more = '') {
	const r = await person.get(`/search?q=${encodeURIComponent(q)}${more}`);
	const list = element(r.body, 'ol') && r.body.includes('class="search-results"')
		? r.body.slice(r.body.indexOf('class="search-results"'), r.body.indexOf('</ol>', r.body.indexOf('class="search-results"')))
		: '';
	const hrefs = tags(list, 'a').map((a) => a.attrs.href);
	return { ...r, hrefs, main: mainText(r.body) };
}

test('every page has a search box that works without JavaScript; an empty query explains', async () => {
	const { s } = await ctx.ready();
	const home = await new Person(s).get('/');
	const header = element(home.body, 'header');
	const form = tags(header, 'form').find((f) => f.attrs.action === '/search');
	assert.ok(form, 'the header has a form to /search');
	assert.equal(form.attrs.method, 'get');
	assert.equal(form.attrs.role, 'search');
	const input = tags(header, 'input').find((i) => i.attrs.name === 'q');
	assert.ok(input && input.attrs.id, 'a q field with an id');
	assert.ok(tags(header, 'label').some((l) => l.attrs.for === input.attrs.id), 'the field has its label');
	for (const q of ['', '   ', '*', '"', '( ) -- ;']) {
		const r = await search(new Person(s), q);
		assert.equal(r.status, 200, `"${q}" answers 200`);
		assert.match(r.main, /Comment chercher/, `"${q}" shows how to search`);
	}
});

test('a new need and idea are found at once, accents and case aside, every word required', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const need = await postNeed(fx.ana.p, `Un VÉLO-cargo pour l’École ${w}`, 'Pour transporter les enfants.');
	const idea = await postIdea(fx.ana.p, `Prêt de vélos ${w}`, 'Une flotte partagée.', 'Des vélos cargo à emprunter.');
	const v = new Person(s);
	let r = await search(v, `velo ecole ${w}`);
	assert.deepEqual(r.hrefs, [`/needs/${need}`]);
	r = await search(v, `${w.toUpperCase()} Vélo`);
	assert.deepEqual(r.hrefs, [`/needs/${need}`], '"vélo" is a word of the need only ("vélos" is another)');
	r = await search(v, `cargo ${w}`);
	assert.deepEqual(r.hrefs.sort(), [`/initiatives/${idea}`, `/needs/${need}`].sort());
	r = await search(v, `cargo ${w} absentmot`);
	assert.equal(r.status, 200);
	assert.deepEqual(r.hrefs, []);
	assert.match(r.main, /Aucun résultat/);
	assert.ok(tags(r.body, 'a').some((a) => a.attrs.href === '/needs/new'), 'no result suggests posting a need');
	r = await search(v, `cargo ${w}`, '&kind=initiatives');
	assert.deepEqual(r.hrefs, [`/initiatives/${idea}`]);
	r = await search(v, `cargo ${w}`, '&kind=needs');
	assert.deepEqual(r.hrefs, [`/needs/${need}`]);
	// The words are marked, and what people typed is text.
	assert.match(r.body, /<mark>cargo<\/mark>/i);
	const x = word();
	await postNeed(fx.ana.p, `<script>alert(1)</script> ${x}`, '<img src=x onerror=alert(2)>');
	r = await search(v, x);
	assert.equal(r.hrefs.length, 1);
	assert.ok(!r.body.includes('<script>alert(1)') && !r.body.includes('<img src=x'), 'no markup from the text');
	assert.ok(r.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the title is shown escaped');
});

test('an edit, a comment and its edit are found at once; a comment opens its discussion', async () => {
	const { s } = await ctx.ready();
	const before_ = word(), after_ = word(), said = word(), fixed = word();
	const idea = await postIdea(fx.ana.p, `Une grainothèque ${before_}`, '', 'Des graines.');
	const e = await fx.ana.p.submit(`/initiatives/${idea}/edit`, `/initiatives/${idea}/edit`,
		{ title: `Une grainothèque ${after_}`, body: 'Des graines et des plants.', note: 'titre' });
	assert.equal(e.status, 303, `the edit answers ${e.status}: ${mainText(e.body).slice(0, 300)}`);
	const v = new Person(s);
	assert.deepEqual((await search(v, after_)).hrefs, [`/initiatives/${idea}`]);
	assert.deepEqual((await search(v, before_)).hrefs, [], 'the old title is no longer found');

	const c = await fx.zoe.p.submit(`/initiatives/${idea}`, '/comments', { body: `Je donne des graines ${said}` });
	assert.equal(c.status, 303, `commenting answers ${c.status}`);
	const cid = Number(/#comment-(\d+)/.exec(c.location)?.[1]);
	assert.ok(cid > 0, `the answer goes to the comment: ${c.location}`);
	let r = await search(v, said);
	assert.deepEqual(r.hrefs, [`/initiatives/${idea}#comment-${cid}`]);
	assert.match(r.main, new RegExp(`Sur : Une grainothèque ${after_}`), 'a comment shows its discussion\'s title');
	assert.deepEqual((await search(v, said, '&kind=comments')).hrefs, [`/initiatives/${idea}#comment-${cid}`]);
	assert.deepEqual((await search(v, said, '&kind=needs')).hrefs, []);
	const ce = await fx.zoe.p.submit(`/comments/${cid}/edit`, `/comments/${cid}/edit`, { body: `Je donne des graines ${fixed}` });
	assert.equal(ce.status, 303, `editing the comment answers ${ce.status}`);
	assert.deepEqual((await search(v, fixed)).hrefs, [`/initiatives/${idea}#comment-${cid}`]);
	assert.deepEqual((await search(v, said)).hrefs, []);
});

test('a territory never sees another territory\'s rows', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const here = await postNeed(fx.ana.p, `Jardin partagé ${w}`);
	const there = await postNeed(fx.ben.p, `Jardin partagé ${w}`);
	assert.notEqual(here, there);
	const tid = await scalar(s, `SELECT territory_id FROM needs WHERE id = ${there}`);
	assert.equal(await scalar(s, `SELECT slug FROM territories WHERE id = ${tid}`), OTHER.slug, 'the second need is Autreville\'s');
	assert.deepEqual((await search(new Person(s), `jardin ${w}`)).hrefs, [`/needs/${here}`]);
	assert.deepEqual((await search(new Person(s, { host: OTHER.host }), `jardin ${w}`)).hrefs, [`/needs/${there}`]);
});

test('FTS syntax typed in a query is only words: 200, results or an honest none', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const need = await postNeed(fx.ana.p, `Boîte à livres ${w}`);
	const v = new Person(s);
	const hostile = ['"vélo', 'a OR NEAR(', '*', 'NOT', 'title:x', '{title body}: x', '^x', 'x*',
		"'); DROP TABLE needs; --", '\\', '%', '_', 'AND AND', '""""', '(((', 'NEAR(a b, 3)', '-x', '🚲 vélo'];
	for (const q of hostile) {
		const r = await search(v, q);
		assert.equal(r.status, 200, `${JSON.stringify(q)} answers ${r.status}`);
	}
	assert.equal((await search(v, '\u0000x')).status, 400, 'a NUL byte is refused by the request parser, not a 500');
	for (const q of [`"${w}`, `${w}*`, `(${w})`, `${w}:`, `{${w}}`, `^${w}`]) {
		assert.deepEqual((await search(v, q)).hrefs, [`/needs/${need}`], `${JSON.stringify(q)} finds the need`);
	}
	// Operators are words too, and every word must match.
	assert.deepEqual((await search(v, `NEAR(${w}`)).hrefs, []);
	assert.deepEqual((await search(v, `${w} OR velo`)).hrefs, []);
	assert.ok(await scalar(s, 'SELECT COUNT(*) AS n FROM needs') > 0, 'the needs are still there');
});

test('limits and bad parameters answer 400 with a message', async () => {
	const { s } = await ctx.ready();
	const v = new Person(s);
	let r = await search(v, 'x'.repeat(201));
	assert.equal(r.status, 400);
	assert.match(r.main, /trop longue : 200 caractères au plus/);
	assert.ok(r.body.includes('value="' + 'x'.repeat(201) + '"'), 'the form keeps what was typed');
	assert.equal((await search(v, 'é'.repeat(200))).status, 200, '200 characters are allowed, whatever their bytes');
	r = await search(v, 'un deux trois quatre cinq six sept huit neuf');
	assert.equal(r.status, 400);
	assert.match(r.main, /Trop de mots : 8 au plus/);
	r = await search(new Person(s, { lang: 'en' }), 'one two three four five six seven eight nine');
	assert.match(r.main, /Too many words: 8 at most/);
	assert.equal((await search(v, 'velo', '&kind=everything')).status, 400);
	assert.equal((await search(v, 'velo', '&after=r1e999')).status, 400);
	assert.equal((await search(v, 'velo', '&after=n0')).status, 400);
	assert.equal((await search(v, 'velo', '&page=2')).status, 400, 'an unknown parameter is refused');
	assert.equal((await v.get('/search?q=velo&q=cargo')).status, 400, 'a repeated parameter is refused');
});

test('pages go by key: every match once, and the first page again from the last', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const ids = [];
	for (let i = 0; i < 23; i++) ids.push(await postNeed(fx.ana.p, `Banc public ${i % 2 ? w + ' ' + w : w}`, 'Pour se reposer.'));
	const v = new Person(s);
	const seen = [];
	let path = `/search?q=${encodeURIComponent(w)}`;
	let pages = 0;
	for (; path && pages < 10; pages++) {
		const r = await v.get(path);
		assert.equal(r.status, 200);
		const list = r.body.slice(r.body.indexOf('class="search-results"'), r.body.indexOf('</ol>', r.body.indexOf('class="search-results"')));
		seen.push(...tags(list, 'a').map((a) => a.attrs.href));
		const next = tags(r.body, 'a').find((a) => a.attrs.rel === 'next');
		if (pages > 0) assert.ok(tags(r.body, 'a').some((a) => /Revenir aux premiers/.test(text(r.body.slice(r.body.indexOf(`href="/search?q=${encodeURIComponent(w)}"`))))), 'a later page links back to the first');
		assert.ok(!next || !/offset|page=/.test(next.attrs.href), 'the next page goes by key');
		path = next ? next.attrs.href.replace(/&amp;/g, '&') : null;
	}
	assert.equal(pages, 2, '23 results make two pages of 20');
	assert.deepEqual([...seen].sort(), ids.map((id) => `/needs/${id}`).sort(), 'each match once');
});

test('a visitor\'s cached search page is never stale after a write', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const visitor = new Person(s);
	for (let i = 0; i < 3; i++) {
		const r = await search(visitor, w);
		assert.equal(r.status, 200);
		assert.deepEqual(r.hrefs, []);
		assert.equal(r.setCookies.length, 0, 'a visitor\'s search page sets no cookie: it can be cached');
	}
	const need = await postNeed(fx.ana.p, `Fontaine à eau ${w}`);
	assert.deepEqual((await search(visitor, w)).hrefs, [`/needs/${need}`], 'the write shows at once');
});

test('a deleted account\'s posts stay findable, anonymous', async () => {
	const { s } = await ctx.ready();
	const w = word();
	const account = { email: freshEmail('gone'), name: `Personne Partie ${word()}`, password: freshPassword('gone') };
	await createUser(s, account);
	await clearRateLimits(s);
	const p = new Person(s);
	await logInOk(p, account);
	const need = await postNeed(p, `Un abri pour vélos ${w}`, 'Près de la gare.');
	const del = await p.get('/account/delete');
	const pw = tags(findForm(del.body, '/account/delete').html, 'input').find((t) => t.attrs.type === 'password').attrs.name;
	const gone = await p.submit('/account/delete', '/account/delete', { [pw]: account.password });
	assert.equal(gone.status, 303, `deleting answers ${gone.status}`);
	const r = await search(new Person(s), `abri ${w}`);
	assert.deepEqual(r.hrefs, [`/needs/${need}`]);
	assert.ok(!r.body.includes(account.name), 'the result does not name the person');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM search_docs WHERE title LIKE '%${account.name}%' OR body LIKE '%${account.name}%'`), 0);
});
