// Support requests and funding (web/requests.c, web/funding.c), the issue's
// "Must show" walk through the real routes: a partner publishes an offer of
// premises for the "project" stage (P1's /organisations/{slug}/offers/new);
// a project with an open premises need (J4's /initiatives/{id}/project-needs)
// is suggested it; the carrier requests it (a second request is 409); another
// partner cannot accept it (403); the partner accepts and completes it; the
// need becomes met; every step is an activity of the project; the ecosystem
// page lists the project under that partner; a visitor never sees the request
// messages; the "support received" part and the funding bar show; a campaign
// URL that is not http(s) is refused (422).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword, execSql, scalar, territoryId, mainText } from './db.mjs';

const ctx = useAccountsServer();
const P = {};

async function person(key, name, opts = {}) {
	const s = ctx.s;
	const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key), ...opts });
	const p = new Person(s);
	await clearRateLimits(s);
	await logInOk(p, account);
	p.account = account;
	p.token = await p.csrf('/contact');
	return p;
}

const send = (p, path, fields = {}) => p.post(path, { csrf: p.token, ...fields });

function idFrom(r, prefix) {
	assert.equal(r.status, 303, `expected a redirect, got ${r.status}: ${mainText(r.body).slice(0, 300)}`);
	const m = new RegExp(`^${prefix}(\\d+)`).exec(r.location ?? '');
	assert.ok(m, `redirect to ${prefix}ID, got ${r.location}`);
	return Number(m[1]);
}

const MESSAGE = 'Message confidentiel : notre budget est serré, pourriez-vous nous prêter un local ?';
const ANSWER = 'Réponse privée : bienvenue au plateau.';

before(async () => {
	const { s } = await ctx.ready();
	P.partner = await person('locaux', 'Léa Locaux');
	P.other = await person('autre-partenaire', 'Omar Autre');
	P.carrier = await person('porteuse', 'Pia Porteuse');
	P.animator = await person('anim', 'Anne Animatrice', { role: 'animator', territory: 'sceaux' });
	const tid = await territoryId(s, 'sceaux');
	await execSql(s.dbUrl, `INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, accredited_at, created_at)
			VALUES (${tid}, 'plateau-locaux', 'Plateau des locaux', 'partner', 'Des locaux partagés.', 1, 1, 0);
		INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, accredited_at, created_at)
			VALUES (${tid}, 'autre-partenaire', 'Autre partenaire', 'partner', 'Un autre.', 1, 1, 0);
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
			SELECT id, ${P.partner.account.id}, 'member', 0 FROM organisations WHERE slug = 'plateau-locaux';
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
			SELECT id, ${P.other.account.id}, 'owner', 0 FROM organisations WHERE slug = 'autre-partenaire';`);
});

test('an offer of premises requested, accepted, completed: the need is met, the project supported', { timeout: 120000 }, async () => {
	const s = ctx.s;
	const visitor = new Person(s);

	// The partner publishes an offer of premises for the project stage.
	const offerId = idFrom(await send(P.partner, '/organisations/plateau-locaux/offers/new', {
		kind: 'premises', title: 'Bureau partagé rue Houdan', description: 'Un bureau de 30 m².', stages: 'project',
		conditions: '', amount: '', capacity: '1 bureau pendant 6 mois', opens: '', closes: '', active: '1',
	}), '/offers/');

	// A project: the carrier posts an idea, improves it, the animator makes it a project she carries.
	const id = idFrom(await send(P.carrier, '/initiatives/new', { title: 'Une ressourcerie aux Blagis', summary: 'Réparer et revendre', body: 'Un atelier de réparation.' }), '/initiatives/');
	assert.equal((await send(P.carrier, `/initiatives/${id}/move`, { from: 'idea', to: 'improving', note: '' })).status, 303);
	assert.equal((await send(P.animator, `/initiatives/${id}/move`, { from: 'improving', to: 'project', note: 'Une porteuse', carrier: 'person' })).status, 303);
	assert.equal((await send(P.carrier, `/initiatives/${id}/project-needs`, { kind: 'premises', description: 'Un local pour l’atelier', surface: '30', duration: '6' })).status, 303);
	const needId = await scalar(s, `SELECT id FROM project_needs WHERE initiative_id = ${id}`);

	// The project's page suggests the offer (the matching part) to its carrier.
	const page = await P.carrier.get(`/initiatives/${id}`);
	assert.equal(page.status, 200);
	assert.ok(mainText(page.body).includes('Bureau partagé rue Houdan'), 'the offer is suggested on the project page');

	// Only the carrier may ask; the form offers the open need.
	assert.equal((await P.other.get(`/offers/${offerId}/request?initiative=${id}`)).status, 403);
	const form = await P.carrier.get(`/offers/${offerId}/request?initiative=${id}`);
	assert.equal(form.status, 200);
	assert.match(form.body, new RegExp(`<option value="${needId}"`));
	const empty = await send(P.carrier, `/offers/${offerId}/request?initiative=${id}`, { initiative: String(id), need: String(needId), message: '' });
	assert.equal(empty.status, 422);
	assert.match(empty.body, /aria-invalid="true"/);
	const asked = await send(P.carrier, `/offers/${offerId}/request?initiative=${id}`, { initiative: String(id), need: String(needId), message: MESSAGE });
	assert.equal(asked.status, 303, `request: ${asked.status} ${mainText(asked.body).slice(0, 300)}`);
	const rid = await scalar(s, `SELECT id FROM support_requests WHERE initiative_id = ${id}`);
	const again = await send(P.carrier, `/offers/${offerId}/request?initiative=${id}`, { initiative: String(id), message: 'Encore' });
	assert.equal(again.status, 409, 'one pending request per offer and project');
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM support_requests WHERE initiative_id = ${id}`), 1);

	// The partner sees it waiting on the dashboard, with its age; the other partner does not.
	const dash = await P.partner.get('/dashboard/partner');
	assert.equal(dash.status, 200);
	assert.ok(mainText(dash.body).includes(MESSAGE), 'the partner reads the message');
	assert.match(mainText(dash.body), /aujourd’hui|aujourd'hui|il y a/);
	const otherDash = await P.other.get('/dashboard/partner');
	assert.equal(otherDash.status, 200);
	assert.ok(!otherDash.body.includes('confidentiel'), 'another partner does not read it');
	assert.equal((await P.carrier.get('/dashboard/partner')).status, 403, 'not a partner: no dashboard');

	// Another partner cannot accept a request made to someone else's offer; the carrier cannot either.
	assert.equal((await send(P.other, `/requests/${rid}/accept`, { from: 'pending', message: '' })).status, 403);
	assert.equal((await send(P.carrier, `/requests/${rid}/accept`, { from: 'pending', message: '' })).status, 403);
	assert.equal((await send(P.partner, `/requests/${rid}/withdraw`, { from: 'pending' })).status, 403);
	assert.equal(await scalar(s, `SELECT state FROM support_requests WHERE id = ${rid}`), 'pending');

	// The partner accepts, then completes with what was given; completing needs something given.
	const acc = await send(P.partner, `/requests/${rid}/accept`, { from: 'pending', message: ANSWER });
	assert.equal(acc.status, 303);
	assert.equal((await send(P.partner, `/requests/${rid}/accept`, { from: 'pending', message: '' })).status, 409, 'answered once');
	const noGiven = await send(P.partner, `/requests/${rid}/complete`, { from: 'accepted', amount: '', hours: '', given: '' });
	assert.equal(noGiven.status, 422);
	const done = await send(P.partner, `/requests/${rid}/complete`, { from: 'accepted', amount: '', hours: '12', given: 'Un bureau de 30 m² pendant 6 mois' });
	assert.equal(done.status, 303);
	assert.equal(await scalar(s, `SELECT state FROM support_requests WHERE id = ${rid}`), 'completed');
	assert.equal(await scalar(s, `SELECT state FROM project_needs WHERE id = ${needId}`), 'met', 'the need became met');

	// Every step is an activity of the project (what the timeline and notifications read).
	const verbs = await s.query(`SELECT verb FROM activities WHERE object_type = 'initiative' AND object_id = ${id} AND target_type = 'support_request' ORDER BY id`);
	assert.deepEqual(verbs.map((r) => r.verb), ['Offer', 'Accept', 'Update']);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM activities WHERE details LIKE '%confidentiel%' OR details LIKE '%privée%'`), 0, 'messages never go into the log');

	// The totals on the dashboard.
	const dash2 = mainText((await P.partner.get('/dashboard/partner')).body);
	assert.match(dash2, /12\s*heures données|12\s*hours given/);

	// The ecosystem page lists the project under the partner.
	const eco = await visitor.get('/ecosystem');
	assert.equal(eco.status, 200);
	assert.ok(mainText(eco.body).includes('Une ressourcerie aux Blagis'), 'the ecosystem lists the supported project');

	// A visitor sees the support received, never the messages.
	const pub = await visitor.get(`/initiatives/${id}`);
	assert.equal(pub.status, 200);
	const pubText = mainText(pub.body);
	assert.match(pubText, /Soutiens reçus/);
	assert.ok(pubText.includes('Plateau des locaux') && pubText.includes('Un bureau de 30 m² pendant 6 mois'), 'partner and what was given are public');
	assert.ok(!pub.body.includes('confidentiel') && !pub.body.includes('Réponse privée'), 'a visitor never sees request messages');
	const member = await person('curieux', 'Cyril Curieux');
	assert.ok(!(await member.get(`/initiatives/${id}`)).body.includes('confidentiel'), 'nor does another member');
	const own = await P.carrier.get(`/initiatives/${id}`);
	assert.ok(own.body.includes('confidentiel') && own.body.includes('Réponse privée'), 'the carrier sees her requests and their answers');

	// The funding bar: a goal, a campaign; a campaign address must be http(s).
	assert.equal((await send(P.other, `/initiatives/${id}/funding`, { goal: '5000' })).status, 403);
	assert.equal((await send(P.carrier, `/initiatives/${id}/funding`, { goal: '5000' })).status, 303);
	const bad = await send(P.carrier, `/initiatives/${id}/campaign`, { platform: 'Ulule', url: 'javascript:alert(1)', campaign_goal: '3000', raised: '1200', ends: '2030-06-30' });
	assert.equal(bad.status, 422);
	assert.match(bad.body, /id="campaign-url"[^>]*aria-invalid="true"/);
	assert.ok(bad.body.includes('value="Ulule"'), 'what was typed is kept');
	assert.equal((await send(P.partner, `/initiatives/${id}/campaign`, { platform: 'Ulule', url: 'https://fr.ulule.com/ressourcerie', campaign_goal: '3000', raised: '1200', ends: '2030-06-30' })).status, 303, 'the partner updates the campaign');
	const bar = await visitor.get(`/initiatives/${id}`);
	assert.match(bar.body, /<progress id="funding-bar" max="5000" value="1200">/);
	assert.ok(!/ style=/.test(bar.body), 'no inline style');
	assert.match(mainText(bar.body), /Tremplin ne gère aucun argent/);
	assert.match(bar.body, /href="https:\/\/fr\.ulule\.com\/ressourcerie"/);
});

test('the timeline shows each step of the support request', async () => {
	const s = ctx.s;
	const id = await scalar(s, `SELECT id FROM initiatives WHERE title = 'Une ressourcerie aux Blagis'`);
	const t = mainText((await new Person(s).get(`/initiatives/${id}/timeline`)).body);
	assert.match(t, /Plateau des locaux/);
	assert.match(t, /accept/i);
});
