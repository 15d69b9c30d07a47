// Posting needs and ideas, and the community's signals on them: a member
// reports a need, another proposes an idea for it (previewed first, then
// published), the idea shows on the need's page; refused forms keep what was
// typed; support, "me too" and follow are once per person and withdrawable,
// with counters that match the rows; pages carry their sharing metadata.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tags, element, formFields } from './harness.mjs';
import {
	useAccountsServer, Person, createUser, logInOk, freshEmail, freshPassword, execSql, scalar,
	territoryId, findForm, mainText, sqlString, OTHER,
} from './db.mjs';

const ctx = useAccountsServer({ smtp: false, otherTerritory: true });
const people = {};

before(async () => {
	const { s } = await ctx.ready();
	for (const [key, name] of [['author', 'Nadia Besoin'], ['ideator', 'Idriss Idée'], ['fan', 'Farah Soutien'], ['unconfirmed', 'Ulysse Attente']]) {
		const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key) });
		const p = new Person(s);
		await logInOk(p, account);
		people[key] = { account, p };
	}
	await execSql(s.dbUrl, `UPDATE users SET email_confirmed_at = NULL WHERE id = ${people.unconfirmed.account.id}`);
});

/* The value attribute of the input called name in html (entities decoded), or null. */
function inputValue(html, name) {
	const t = tags(html, 'input').find((x) => x.attrs.name === name);
	return t ? t.attrs.value ?? '' : null;
}

/* The id at the end of a 303's Location (/needs/12 → 12). */
function idOf(r, prefix) {
	assert.equal(r.status, 303, `expected 303, got ${r.status}: ${mainText(r.body).slice(0, 300)}`);
	const m = new RegExp(`^${prefix}(\\d+)(#.*)?$`).exec(r.location ?? '');
	assert.ok(m, `Location ${r.location} is ${prefix}ID`);
	return Number(m[1]);
}

/* <meta property|name=key content> of a page's head. */
function meta(html, key) {
	const head = element(html, 'head') ?? html;
	const t = tags(head, 'meta').find((x) => x.attrs.property === key || x.attrs.name === key);
	return t ? t.attrs.content : undefined;
}

test('visitors are sent to log in, unconfirmed accounts asked to confirm', async () => {
	const { s } = await ctx.ready();
	const visitor = new Person(s);
	for (const path of ['/needs/new', '/initiatives/new']) {
		const r = await visitor.get(path);
		assert.equal(r.status, 303, `GET ${path} as a visitor`);
		assert.match(r.location, /^\/login\?next=/);
		const u = await people.unconfirmed.p.get(path);
		assert.equal(u.status, 403, `GET ${path} unconfirmed`);
		assert.match(mainText(u.body), /confirm/i);
	}
	const needs = await scalar(s, 'SELECT COUNT(*) AS n FROM needs');
	const tok = await people.unconfirmed.p.csrf('/contact');
	const r = await people.unconfirmed.p.post('/needs/new', { csrf: tok, title: 'Pas confirmé', body: '' });
	assert.equal(r.status, 403);
	assert.equal(await scalar(s, 'SELECT COUNT(*) AS n FROM needs'), needs, 'nothing written');
});

test('a need and an idea for it: posted, previewed, published, linked', async () => {
	const { s } = await ctx.ready();
	const home = await people.author.p.get('/');
	assert.ok(tags(home.body, 'a').some((a) => a.attrs.href === '/needs/new'), 'the home page links to the need form');
	assert.ok(tags(home.body, 'a').some((a) => a.attrs.href === '/initiatives/new'), 'the home page links to the idea form');

	const title = `Des bancs le long de la coulée verte ${Date.now()}`;
	const r = await people.author.p.submit('/needs/new', '/needs/new', {
		title, body: 'Les personnes âgées **ne peuvent pas** se reposer.', lat: '48,7784', lng: '2.2915',
	});
	const needId = idOf(r, '/needs/');
	const tid = await territoryId(s, 'sceaux');
	const row = (await s.query(`SELECT * FROM needs WHERE id = ${needId}`))[0];
	assert.equal(row.title, title);
	assert.equal(Number(row.territory_id), tid);
	assert.equal(Number(row.author_id), people.author.account.id);
	assert.ok(Math.abs(Number(row.lat) - 48.7784) < 1e-6 && Math.abs(Number(row.lng) - 2.2915) < 1e-6, `place ${row.lat}, ${row.lng}`);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM activities WHERE verb = 'Create' AND object_type = 'need' AND object_id = ${needId}`), 1);

	const needPage = await people.ideator.p.get(`/needs/${needId}`);
	assert.equal(needPage.status, 200);
	assert.ok(needPage.body.includes('<strong>ne peuvent pas</strong>'), 'the description is rendered Markdown');
	const propose = tags(needPage.body, 'a').find((a) => a.attrs.href === `/initiatives/new?need=${needId}`);
	assert.ok(propose, 'the need page links to "propose an idea for this need"');
	const visitorPage = await new Person(s).get(`/needs/${needId}`);
	assert.ok(tags(visitorPage.body, 'a').some((a) => a.attrs.href === `/login?next=${encodeURIComponent(`/initiatives/new?need=${needId}`)}`),
		'a visitor\'s "propose an idea" goes through the log-in page');

	// The form comes with the need ticked; preview saves nothing.
	const form = await people.ideator.p.get(`/initiatives/new?need=${needId}`);
	assert.equal(form.status, 200);
	assert.equal(formFields(findForm(form.body, '/initiatives/new').html).needs, String(needId), 'the need is ticked');
	const ideaTitle = `Un banc partagé tous les 200 mètres ${Date.now()}`;
	const before = await scalar(s, 'SELECT COUNT(*) AS n FROM initiatives');
	const values = { title: ideaTitle, summary: 'Des bancs fabriqués par le repair café.', body: 'On commence par *trois* bancs.' };
	const pv = await people.ideator.p.submit(`/initiatives/new?need=${needId}`, '/initiatives/new', values, { extra: { preview: '1' } });
	assert.equal(pv.status, 200, 'preview answers 200');
	assert.ok(pv.body.includes('<em>trois</em>'), 'the preview shows the rendered Markdown');
	assert.equal(await scalar(s, 'SELECT COUNT(*) AS n FROM initiatives'), before, 'preview saved nothing');
	const again = findForm(pv.body, '/initiatives/new');
	assert.equal(formFields(again.html).body, values.body, 'the preview keeps the text in the form');
	assert.equal(formFields(again.html).needs, String(needId), 'and the need ticked');

	// Publish from the preview's form, as a browser would.
	const pub = await people.ideator.p.post('/initiatives/new', formFields(again.html));
	const ideaId = idOf(pub, '/initiatives/');
	const idea = (await s.query(`SELECT * FROM initiatives WHERE id = ${ideaId}`))[0];
	assert.equal(idea.stage, 'idea');
	assert.equal(idea.title, ideaTitle);
	assert.equal(Number(idea.author_id), people.ideator.account.id);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM initiative_needs WHERE initiative_id = ${ideaId} AND need_id = ${needId}`), 1);
	assert.equal(await scalar(s, `SELECT idea_count AS n FROM needs WHERE id = ${needId}`), 1);

	const after = await people.author.p.get(`/needs/${needId}`);
	assert.ok(tags(after.body, 'a').some((a) => a.attrs.href === `/initiatives/${ideaId}`), 'the idea appears on the need page');
	const ideaPage = await people.author.p.get(`/initiatives/${ideaId}`);
	assert.ok(mainText(ideaPage.body).includes(ideaTitle));
	people.needId = needId;
	people.ideaId = ideaId;
});

test('refused forms come back with 422, what was typed, and the error at the field', async () => {
	const { s } = await ctx.ready();
	const needs = await scalar(s, 'SELECT COUNT(*) AS n FROM needs');
	const body = 'Un texte que je ne veux pas retaper <script>alert(1)</script> « é »';
	let r = await people.author.p.submit('/needs/new', '/needs/new', { title: '   ', body, lat: '91', lng: '2.29' });
	assert.equal(r.status, 422);
	let f = findForm(r.body, '/needs/new');
	assert.equal(formFields(f.html).body, body, 'the description is kept');
	assert.equal(inputValue(f.html, 'lat'), '91', 'the latitude is kept');
	assert.ok(!r.body.includes('<script>alert(1)</script>'), 'what was typed is escaped');
	assert.match(f.html, /name="title"[^>]*aria-invalid="true"/, 'the title is marked invalid');
	assert.match(f.html, /name="lat"[^>]*aria-invalid="true"/, 'the latitude is marked invalid');

	const long = 'é'.repeat(201);
	r = await people.author.p.submit('/needs/new', '/needs/new', { title: long, body: 'x' });
	assert.equal(r.status, 422, '201 characters is too long');
	assert.equal(inputValue(findForm(r.body, '/needs/new').html, 'title'), long);
	r = await people.author.p.submit('/needs/new', '/needs/new', { title: 'é'.repeat(200), body: 'exactement 200 caractères' });
	assert.equal(r.status, 303, '200 characters, 400 bytes, is allowed');

	// The theme is a select: send a forged one directly.
	const tok = await people.author.p.csrf('/needs/new');
	r = await people.author.p.post('/needs/new', { csrf: tok, title: 'Un thème inventé', body: '', theme: '999999' });
	assert.equal(r.status, 422, 'a theme that is not the territory\'s is refused');
	assert.equal(inputValue(findForm(r.body, '/needs/new').html, 'title'), 'Un thème inventé');
	assert.equal(await scalar(s, 'SELECT COUNT(*) AS n FROM needs'), needs + 1, 'only the valid need was written');

	const ideas = await scalar(s, 'SELECT COUNT(*) AS n FROM initiatives');
	r = await people.ideator.p.submit('/initiatives/new', '/initiatives/new', { title: '', body: 'Mon idée sans titre' });
	assert.equal(r.status, 422);
	assert.equal(formFields(findForm(r.body, '/initiatives/new').html).body, 'Mon idée sans titre');
	const itok = await people.ideator.p.csrf('/initiatives/new');
	r = await people.ideator.p.post('/initiatives/new', [['csrf', itok], ['title', 'Une idée'], ['body', ''], ['needs', '999999']]);
	assert.equal(r.status, 422, 'a need of nowhere is refused');
	assert.equal(await scalar(s, 'SELECT COUNT(*) AS n FROM initiatives'), ideas, 'no idea written');
});

test('support, withdraw, follow: once per person, counters match the rows', async () => {
	const { s } = await ctx.ready();
	const id = people.ideaId;
	const fan = people.fan.p;
	const count = () => scalar(s, `SELECT support_count AS n FROM initiatives WHERE id = ${id}`);
	const rows = () => scalar(s, `SELECT COUNT(*) AS n FROM supports WHERE initiative_id = ${id}`);
	assert.equal(await count(), 0);

	let page = await fan.get(`/initiatives/${id}`);
	findForm(page.body, `/initiatives/${id}/support`, 'the idea page before supporting');
	let r = await fan.submit(`/initiatives/${id}`, `/initiatives/${id}/support`);
	assert.equal(r.status, 303);
	assert.equal(r.location, `/initiatives/${id}#support`);
	assert.equal(await count(), 1);
	assert.equal(await rows(), 1);
	page = await fan.get(`/initiatives/${id}`);
	findForm(page.body, `/initiatives/${id}/unsupport`, 'the idea page after supporting');
	assert.ok(!page.body.includes(`action="/initiatives/${id}/support"`), 'no second support button');
	const tok = await fan.csrf(`/initiatives/${id}`);
	r = await fan.post(`/initiatives/${id}/support`, { csrf: tok });
	assert.equal(r.status, 303);
	assert.equal(await count(), 1, 'supporting twice is once');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM activities WHERE verb = 'Like' AND object_type = 'initiative' AND object_id = ${id}`), 1, 'one Like activity');

	r = await people.author.p.submit(`/initiatives/${id}`, `/initiatives/${id}/support`);
	assert.equal(await count(), 2, 'a second person');
	r = await fan.submit(`/initiatives/${id}`, `/initiatives/${id}/unsupport`);
	assert.equal(r.status, 303);
	assert.equal(await count(), 1);
	assert.equal(await rows(), 1);
	r = await fan.post(`/initiatives/${id}/unsupport`, { csrf: tok });
	assert.equal(await count(), 1, 'withdrawing twice is once');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM activities WHERE verb = 'Undo' AND object_type = 'initiative' AND object_id = ${id}`), 1);

	r = await fan.submit(`/initiatives/${id}`, `/initiatives/${id}/follow`);
	assert.equal(r.status, 303);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM follows WHERE object_type = 'initiative' AND object_id = ${id} AND user_id = ${people.fan.account.id}`), 1);
	page = await fan.get(`/initiatives/${id}`);
	findForm(page.body, `/initiatives/${id}/unfollow`, 'the idea page of a follower');
	r = await fan.submit(`/initiatives/${id}`, `/initiatives/${id}/unfollow`);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM follows WHERE object_type = 'initiative' AND object_id = ${id}`), 0);

	// A visitor sees the count and a link to log in, no form and no session.
	const visitor = new Person(s);
	page = await visitor.get(`/initiatives/${id}`);
	assert.ok(!page.body.includes(`/initiatives/${id}/support"`), 'no support form for a visitor');
	assert.ok(tags(page.body, 'a').some((a) => (a.attrs.href ?? '').startsWith('/login?next=')), 'a link to log in');
	r = await visitor.post(`/initiatives/${id}/support`, { csrf: 'x' });
	assert.ok(!(r.status === 303 && r.location?.startsWith('/initiatives')), `a visitor cannot support (${r.status} ${r.location})`);
	assert.equal(await count(), 1);

	// Unknown initiative; another territory's initiative seen from Autreville.
	r = await fan.post('/initiatives/99999999/support', { csrf: tok });
	assert.equal(r.status, 404);
});

test('"me too" on a need: once, withdrawable; follow a need', async () => {
	const { s } = await ctx.ready();
	const id = people.needId;
	const fan = people.fan.p;
	const count = () => scalar(s, `SELECT metoo_count AS n FROM needs WHERE id = ${id}`);
	const start = await count();
	let r = await fan.submit(`/needs/${id}`, `/needs/${id}/metoo`);
	assert.equal(r.status, 303);
	assert.equal(r.location, `/needs/${id}#support`);
	assert.equal(await count(), start + 1);
	const tok = await fan.csrf(`/needs/${id}`);
	await fan.post(`/needs/${id}/metoo`, { csrf: tok });
	assert.equal(await count(), start + 1, 'twice is once');
	const page = await fan.get(`/needs/${id}`);
	const f = findForm(page.body, `/needs/${id}/metoo`);
	assert.equal(formFields(f.html).withdraw, '1', 'the form now takes it back');
	r = await fan.submit(`/needs/${id}`, `/needs/${id}/metoo`);
	assert.equal(await count(), start);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM need_metoos WHERE need_id = ${id}`), start);

	r = await fan.submit(`/needs/${id}`, `/needs/${id}/follow`);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM follows WHERE object_type = 'need' AND object_id = ${id}`), 1);
	r = await fan.submit(`/needs/${id}`, `/needs/${id}/unfollow`);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM follows WHERE object_type = 'need' AND object_id = ${id}`), 0);
});

test('a territory\'s objects cannot be signalled from another territory', async () => {
	const { s } = await ctx.ready();
	const account = { email: freshEmail('away'), name: 'Ailleurs', password: freshPassword('away') };
	await createUser(s, account);
	const p = new Person(s, { host: OTHER.host });
	await logInOk(p, account);
	const tok = await p.csrf('/contact');
	const r = await p.post(`/initiatives/${people.ideaId}/support`, { csrf: tok });
	assert.equal(r.status, 404);
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM supports WHERE user_id = (SELECT id FROM users WHERE email = ${sqlString(account.email)})`), 0);
});

test('pages carry canonical, Open Graph and Twitter Card tags, and plain share links', async () => {
	const { s } = await ctx.ready();
	const id = people.ideaId;
	const r = await new Person(s).get(`/initiatives/${id}`);
	const idea = (await s.query(`SELECT title, summary FROM initiatives WHERE id = ${id}`))[0];
	const url = `http://127.0.0.1:${s.port}/initiatives/${id}`;
	const canonical = tags(element(r.body, 'head'), 'link').find((l) => l.attrs.rel === 'canonical');
	assert.equal(canonical?.attrs.href, url);
	assert.equal(meta(r.body, 'og:title'), idea.title);
	assert.equal(meta(r.body, 'og:description'), idea.summary);
	assert.equal(meta(r.body, 'og:url'), url);
	assert.equal(meta(r.body, 'og:site_name'), 'UP Sceaux');
	assert.equal(meta(r.body, 'twitter:card'), 'summary');
	assert.equal(meta(r.body, 'twitter:title'), idea.title);
	assert.ok(!/<script/i.test(r.body), 'no script at all');
	const mail = tags(r.body, 'a').find((a) => (a.attrs.href ?? '').startsWith('mailto:'));
	assert.ok(mail, 'an e-mail share link');
	assert.ok(decodeURIComponent(mail.attrs.href).includes(url), 'the mail carries the address');
	const copy = tags(r.body, 'input').find((t) => 'readonly' in t.attrs && t.attrs.value === url);
	assert.ok(copy, 'a read-only field with the address to copy');

	const n = await new Person(s).get(`/needs/${people.needId}`);
	assert.equal(meta(n.body, 'og:url'), `http://127.0.0.1:${s.port}/needs/${people.needId}`);
	assert.ok(meta(n.body, 'og:description').startsWith('Les personnes âgées'), 'a need is described by its text');
	const list = await new Person(s).get('/needs');
	assert.equal(meta(list.body, 'og:title'), undefined, 'lists carry no object tags');
});
