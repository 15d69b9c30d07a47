// Partners' offers and the ecosystem page (web/offers.c): a member of an
// accredited partner publishes an offer of premises for the "project" stage
// from the organisation's page; a refused form comes back (422) with what
// was typed; the offer shows on its page and on /ecosystem filtered by
// kind=premises&stage=project, not under another kind; invalid filters are
// 400; the partner edits it. A member of a partner not accredited, a plain
// member and a visitor are refused (403, 403, log-in).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword, execSql, scalar, territoryId, mainText } from './db.mjs';

const ctx = useAccountsServer();
const people = {};

async function person(key, name) {
	const s = ctx.s;
	const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key) });
	const p = new Person(s);
	await clearRateLimits(s);
	await logInOk(p, account);
	p.account = account;
	p.token = await p.csrf('/contact');
	return p;
}

const send = (p, path, fields) => p.post(path, { csrf: p.token, ...fields });

before(async () => {
	const { s } = await ctx.ready();
	people.partner = await person('offer-partner', 'Mia Vallée');
	people.pending = await person('offer-pending', 'Quy Attente');
	people.plain = await person('offer-plain', 'Pat Membre');
	const tid = await territoryId(s, 'sceaux');
	await execSql(s.dbUrl, `INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, accredited_at, created_at)
			VALUES (${tid}, 'vallee-offres', 'Vallée des offres', 'partner', 'Un partenaire accrédité.', 1, 1, 0);
		INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, created_at)
			VALUES (${tid}, 'attente-offres', 'Partenaire en attente', 'partner', 'Pas encore accrédité.', 1, 0);
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
			SELECT id, ${people.partner.account.id}, 'member', 0 FROM organisations WHERE slug = 'vallee-offres';
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
			SELECT id, ${people.pending.account.id}, 'owner', 0 FROM organisations WHERE slug = 'attente-offres';`);
});

const OFFER = {
	kind: 'premises', title: 'Plateau partagé place du Marché', description: 'Un **plateau** de 80 m².',
	stages: 'project', conditions: 'Être un projet du territoire.', amount: '', capacity: '3 postes pendant 6 mois',
	opens: '2026-01-01', closes: '2036-12-31', active: '1',
};
let offerId;

test('a partner member publishes an offer of premises for the project stage; it shows on /ecosystem filtered', async () => {
	const p = people.partner;
	const org = await p.get('/organisations/vallee-offres');
	assert.equal(org.status, 200);
	assert.match(org.body, /href="\/organisations\/vallee-offres\/offers\/new"/, 'the organisation page links to publishing an offer');
	assert.match(mainText(org.body), /Publier une offre/);

	// Refused: no stage chosen. What was typed comes back, the error next to the field.
	const { stages, ...noStage } = OFFER;
	assert.equal(stages, 'project');
	const bad = await p.submit('/organisations/vallee-offres/offers/new', '/organisations/vallee-offres/offers/new', { ...noStage, amount: 'beaucoup' });
	assert.equal(bad.status, 422);
	assert.match(bad.body, /value="Plateau partagé place du Marché"/);
	assert.match(bad.body, /3 postes pendant 6 mois/);
	assert.match(bad.body, /id="offer-stages-error"/);
	assert.match(bad.body, /id="offer-amount-error"/);
	assert.equal(await scalar(ctx.s, "SELECT COUNT(*) FROM offers WHERE title = 'Plateau partagé place du Marché'"), 0);

	const r = await send(p, '/organisations/vallee-offres/offers/new', OFFER);
	assert.equal(r.status, 303, mainText(r.body).slice(0, 300));
	const m = /^\/offers\/(\d+)$/.exec(r.location ?? '');
	assert.ok(m, `redirect to the offer: ${r.location}`);
	offerId = Number(m[1]);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb = 'Create' AND object_type = 'offer' AND object_id = ${offerId}`), 1);

	const visitor = new Person(ctx.s);
	const show = await visitor.get(`/offers/${offerId}`);
	assert.equal(show.status, 200);
	const text = mainText(show.body);
	for (const want of ['Plateau partagé place du Marché', 'Local', 'Projet', '3 postes pendant 6 mois', 'Être un projet du territoire.', 'Vallée des offres', 'Ouverte']) {
		assert.ok(text.includes(want), `the offer page shows "${want}": ${text.slice(0, 600)}`);
	}
	assert.doesNotMatch(show.body, /\/offers\/\d+\/edit/, 'no edit link for a visitor');

	const eco = await visitor.get('/ecosystem?kind=premises&stage=project');
	assert.equal(eco.status, 200);
	assert.ok(mainText(eco.body).includes('Vallée des offres'), 'the partner is listed');
	assert.match(eco.body, new RegExp(`href="/offers/${offerId}"`), 'with a link to its offer');
	const other = await visitor.get('/ecosystem?kind=coaching&stage=project');
	assert.equal(other.status, 200);
	assert.doesNotMatch(other.body, new RegExp(`href="/offers/${offerId}"`), 'not under another kind');
	const idea = await visitor.get('/ecosystem?kind=premises&stage=idea');
	assert.doesNotMatch(idea.body, new RegExp(`href="/offers/${offerId}"`), 'not under another stage');
	// The partner not accredited is not in the ecosystem.
	const all = await visitor.get('/ecosystem');
	assert.equal(all.status, 200);
	assert.ok(mainText(all.body).includes('Vallée des offres'));
	assert.ok(!mainText(all.body).includes('Partenaire en attente'));
	assert.match(all.body, /href="\/ecosystem"[^>]*>[^<]*Écosystème/, 'the site navigation has the ecosystem');
	for (const q of ['kind=money', 'stage=archived', 'theme=inconnu', 'before=abc', 'colour=red', 'kind=premises&kind=coaching']) {
		const x = await visitor.get(`/ecosystem?${q}`);
		assert.equal(x.status, 400, `/ecosystem?${q}`);
	}
});

test('the partner edits its offer; others may not', async () => {
	assert.ok(offerId, 'the offer of the first test');
	const p = people.partner;
	const form = await p.get(`/offers/${offerId}/edit`);
	assert.equal(form.status, 200);
	assert.match(form.body, /value="Plateau partagé place du Marché"/);
	assert.match(form.body, /value="project" checked/);
	assert.match(form.body, /value="2036-12-31"/);
	const r = await send(p, `/offers/${offerId}/edit`, { ...OFFER, title: 'Plateau partagé, rue Houdan', active: '0' });
	assert.equal(r.status, 303, mainText(r.body).slice(0, 300));
	const show = await p.get(`/offers/${offerId}`);
	assert.ok(mainText(show.body).includes('Plateau partagé, rue Houdan'));
	assert.ok(mainText(show.body).includes('En pause'));
	assert.match(show.body, new RegExp(`href="/offers/${offerId}/edit"`));
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb = 'Update' AND object_type = 'offer' AND object_id = ${offerId}`), 1);
	// Paused: no longer listed on the ecosystem.
	const eco = await new Person(ctx.s).get('/ecosystem?kind=premises');
	assert.doesNotMatch(eco.body, new RegExp(`href="/offers/${offerId}"`));

	for (const who of ['pending', 'plain']) {
		const q = people[who];
		assert.equal((await q.get(`/offers/${offerId}/edit`)).status, 403, `${who}: edit form`);
		assert.equal((await send(q, `/offers/${offerId}/edit`, OFFER)).status, 403, `${who}: edit`);
	}
});

test('a member of a partner not accredited, or a plain member, gets 403; a visitor is sent to log in', async () => {
	const before = await scalar(ctx.s, 'SELECT COUNT(*) FROM offers');
	for (const [who, slug] of [['pending', 'attente-offres'], ['plain', 'vallee-offres'], ['plain', 'attente-offres']]) {
		const p = people[who];
		assert.equal((await p.get(`/organisations/${slug}/offers/new`)).status, 403, `${who} on ${slug}: form`);
		const r = await send(p, `/organisations/${slug}/offers/new`, OFFER);
		assert.equal(r.status, 403, `${who} on ${slug}: post`);
	}
	const org = await people.pending.get('/organisations/attente-offres');
	assert.doesNotMatch(org.body, /offers\/new/, 'no publishing link for a partner not accredited');
	assert.equal((await people.pending.get('/organisations/nulle-part/offers/new')).status, 404);

	const visitor = new Person(ctx.s);
	visitor.token = await visitor.csrf('/contact');
	const g = await visitor.get('/organisations/vallee-offres/offers/new');
	assert.equal(g.status, 303);
	assert.match(g.location, /^\/login/);
	const r = await send(visitor, '/organisations/vallee-offres/offers/new', OFFER);
	assert.equal(r.status, 303);
	assert.match(r.location, /^\/login/);
	assert.equal(await scalar(ctx.s, 'SELECT COUNT(*) FROM offers'), before, 'nothing was written');
});

test('the ecosystem shows under each partner the projects it has supported (accepted or completed), not those pending', async () => {
	assert.ok(offerId, 'the offer of the first test');
	const s = ctx.s;
	const tid = await territoryId(s, 'sceaux');
	const author = people.plain.account.id;
	await execSql(s.dbUrl, `INSERT INTO initiatives (territory_id, author_id, title, stage, created_at, updated_at) VALUES (${tid}, ${author}, 'Projet soutenu par la Vallée', 'supported', 0, 0);
		INSERT INTO initiatives (territory_id, author_id, title, stage, created_at, updated_at) VALUES (${tid}, ${author}, 'Projet qui attend la Vallée', 'project', 0, 0);
		INSERT INTO support_requests (territory_id, offer_id, initiative_id, state, created_at, updated_at)
			SELECT ${tid}, ${offerId}, id, 'completed', 0, 0 FROM initiatives WHERE title = 'Projet soutenu par la Vallée';
		INSERT INTO support_requests (territory_id, offer_id, initiative_id, state, created_at, updated_at)
			SELECT ${tid}, ${offerId}, id, 'pending', 0, 0 FROM initiatives WHERE title = 'Projet qui attend la Vallée';`);
	const supported = await scalar(s, "SELECT id FROM initiatives WHERE title = 'Projet soutenu par la Vallée'");
	const eco = await new Person(s).get('/ecosystem');
	assert.equal(eco.status, 200);
	const section = eco.body.slice(eco.body.indexOf('Vallée des offres'));
	assert.match(section, new RegExp(`<a href="/initiatives/${supported}">Projet soutenu par la Vallée</a>`));
	assert.ok(!mainText(eco.body).includes('Projet qui attend la Vallée'), 'a pending request is no support yet');
});
