// The role matrix: every state-changing route of src/web/routes.c, sent by
// each kind of person, gets exactly the answer the table below says. The
// routes are read from routes.c, so a new POST route without a row here
// fails the test instead of escaping it. Forms are valid-looking, so that
// "allowed" (2xx, 303 elsewhere than /login, 422) is told apart from
// "refused" (303 to /login, 403, 404). A second territory, Autreville,
// has its own admin: an admin is an admin only at home.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import {
	useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword, execSql,
	sqlString, scalar, territoryId, mainText, csrfOf, OTHER, userByEmail, waitForLink,
} from './db.mjs';

const ctx = useAccountsServer({ otherTerritory: true });

/*
 * The people, in the order each route is tried (the allowed ones last, so a
 * state change by one does not change what the refused ones see):
 *   visitor      no account (a visitor session, for the csrf token)
 *   unconfirmed  account whose address is not confirmed
 *   member       confirmed account, no role
 *   animator     animator of Sceaux
 *   owner        member who owns the organisation "atelier-matrice"
 *   otherAdmin   admin of Autreville, on Sceaux
 *   admin        admin of Sceaux, on Sceaux
 *   adminAway    admin of Sceaux, on Autreville's host name (Sceaux's objects in the URL)
 */
const ROLES = ['visitor', 'unconfirmed', 'member', 'animator', 'owner', 'otherAdmin', 'admin', 'adminAway'];

/* Answers: ok (allowed), login (303 to /login), deny (403 page), confirm (403 asking to confirm), nf (404). */
const row = (...answers) => {
	assert.equal(answers.length, ROLES.length);
	return Object.fromEntries(ROLES.map((r, i) => [r, answers[i]]));
};
//                        visitor  unconf     member  animator owner  otherAdm admin adminAway
const ANYONE = row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
const SIGNED_IN = row('login', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
const MEMBERS = row('login', 'confirm', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
const ADMINS = row('login', 'deny', 'deny', 'deny', 'deny', 'deny', 'ok', 'deny');
// Organisations are run by their owners (web/orgs.c): a territory's admin accredits partners but does not edit them.
const ORG_OWNERS = row('login', 'confirm', 'deny', 'deny', 'ok', 'deny', 'deny', 'nf');
// Members acting on an object of Sceaux: from Autreville's host name the object does not exist.
const SCEAUX_MEMBERS = row('login', 'confirm', 'ok', 'ok', 'ok', 'ok', 'ok', 'nf');

// Only its author edits a comment (web/comments.c); from Autreville the comment does not exist.
const COMMENT_AUTHOR = row('login', 'confirm', 'ok', 'deny', 'deny', 'deny', 'deny', 'nf');

/* The member's comment on initiative 1 of Sceaux (a fixed id), posted now: inside its edit window. */
const MATRIX_COMMENT = 990001;
async function matrixComment(f) {
	const s = ctx.s;
	const tid = await territoryId(s, 'sceaux');
	const now = Math.floor(Date.now() / 1000);
	await execSql(s.dbUrl, `INSERT INTO comments (id, territory_id, object_type, object_id, root_id, depth, path, author_id, body, created_at)
		VALUES (${MATRIX_COMMENT}, ${tid}, 'initiative', 1, ${MATRIX_COMMENT}, 0, '000000${MATRIX_COMMENT}', ${f.people.member.id}, 'Commentaire de la matrice.', ${now})
		ON CONFLICT DO NOTHING;
		UPDATE comments SET created_at = ${now} WHERE id = ${MATRIX_COMMENT};`);
}

/*
 * Improving ideas (web/history.c, web/suggestions.c): an initiative of Sceaux the owner posted, an
 * open suggestion against its current text, and an invitation of the member as co-author (fixed ids),
 * put back before each try.
 */
const MATRIX_IDEA = 990101;
const IDEA_AUTHOR = row('login', 'confirm', 'deny', 'deny', 'ok', 'deny', 'deny', 'nf');
const IDEA_EDITORS = row('login', 'confirm', 'deny', 'ok', 'ok', 'deny', 'ok', 'nf');
const IDEA_INVITEE = row('login', 'confirm', 'ok', 'nf', 'nf', 'nf', 'nf', 'nf');
async function matrixIdea(f) {
	const s = ctx.s;
	const tid = await territoryId(s, 'sceaux');
	const id = MATRIX_IDEA;
	await execSql(s.dbUrl, `INSERT INTO initiatives (id, territory_id, author_id, title, summary, body, stage, created_at, updated_at)
		VALUES (${id}, ${tid}, ${f.people.owner.id}, 'Idée matrice', '', 'Le texte de la matrice.', 'improving', 0, 0) ON CONFLICT DO NOTHING;
		INSERT INTO suggestions (id, territory_id, initiative_id, author_id, body, base_title, base_body, state, created_at)
		VALUES (${id}, ${tid}, ${id}, ${f.people.member.id}, '', '', '', 'open', 0) ON CONFLICT DO NOTHING;
		UPDATE suggestions SET state = 'open', body = 'Suggestion matrice ${f.next()}',
			base_title = (SELECT title FROM initiatives WHERE id = ${id}), base_body = (SELECT body FROM initiatives WHERE id = ${id}) WHERE id = ${id};
		DELETE FROM coauthors WHERE initiative_id = ${id};
		INSERT INTO coauthors (id, territory_id, initiative_id, user_id, invited_by, state, created_at)
		VALUES (${id}, ${tid}, ${id}, ${f.people.member.id}, ${f.people.owner.id}, 'invited', 0);`);
}

// The journey (web/journey.c): the initiative's managers are animators and admins here (the
// matrix's people are neither its authors nor its carrier); Sceaux's objects are not found on Autreville.
const JOURNEY_MANAGERS = row('login', 'confirm', 'deny', 'ok', 'deny', 'deny', 'ok', 'nf');
const JOURNEY_AUTHORS = row('login', 'confirm', 'deny', 'deny', 'deny', 'deny', 'deny', 'nf');
const JOURNEY_JOINERS = row('login', 'confirm', 'ok', 'ok', 'ok', 'ok', 'ok', 'nf');

// Offers (web/offers.c): published and edited by the owners and members of an accredited partner
// only (here the owner, put in "offres-matrice" by matrixOffer); from Autreville neither exists.
const OFFERS_PARTNER = 'offres-matrice';
const MATRIX_OFFER = 990201;
const OFFER_PUBLISHERS = row('login', 'confirm', 'deny', 'deny', 'ok', 'deny', 'deny', 'nf');
const OFFER_FORM = { kind: 'premises', title: 'Offre matrice', description: '', stages: 'project', conditions: '', amount: '', capacity: '', opens: '', closes: '', active: '1' };
async function matrixOffer(f) {
	const tid = await territoryId(ctx.s, 'sceaux');
	await execSql(ctx.s.dbUrl, `INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, accredited_at, created_at)
		VALUES (${tid}, '${OFFERS_PARTNER}', 'Offres matrice', 'partner', 'Un partenaire accrédité.', 1, 1, 0) ON CONFLICT DO NOTHING;
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
		SELECT id, ${f.people.owner.id}, 'owner', 0 FROM organisations WHERE slug = '${OFFERS_PARTNER}' AND territory_id = ${tid} ON CONFLICT DO NOTHING;
		INSERT INTO offers (id, territory_id, organisation_id, kind, title, created_at, updated_at)
		SELECT ${MATRIX_OFFER}, ${tid}, id, 'premises', 'Offre matrice', 0, 0 FROM organisations WHERE slug = '${OFFERS_PARTNER}' AND territory_id = ${tid} ON CONFLICT DO NOTHING;`);
}

// Support requests (web/requests.c, web/funding.c): a request of the journey's project (carried by the
// target) to the matrix offer, put back in the state a route expects before each try. The offer's partner
// member (the owner) answers and completes; only the carrier withdraws; a campaign is updated by the
// project's managers or a partner with a live request on it.
const MATRIX_REQUEST = 990301;
const REQUEST_ASKERS = JOURNEY_MANAGERS;
const REQUEST_PARTNERS = row('login', 'confirm', 'deny', 'deny', 'ok', 'deny', 'deny', 'nf');
const REQUEST_CARRIER = row('login', 'confirm', 'deny', 'deny', 'deny', 'deny', 'deny', 'nf');
const CAMPAIGN_EDITORS = row('login', 'confirm', 'deny', 'ok', 'ok', 'deny', 'ok', 'nf');
async function matrixRequest(f, state) {
	await matrixOffer(f);
	const tid = await territoryId(ctx.s, 'sceaux');
	await execSql(ctx.s.dbUrl, `INSERT INTO support_requests (id, territory_id, offer_id, initiative_id, requester_id, state, message, created_at, updated_at)
		VALUES (${MATRIX_REQUEST}, ${tid}, ${MATRIX_OFFER}, ${f.journey.project}, ${f.target.id}, '${state}', 'Demande matrice', 0, 0) ON CONFLICT DO NOTHING;
		UPDATE support_requests SET state = '${state}' WHERE id = ${MATRIX_REQUEST};`);
}

const ORG = 'atelier-matrice';
const PARTNER = 'partenaire-matrice';

/*
 * One row per POST route: the permission-table action its handler guards
 * (for the reader), the expected answers, and the form to send (a function
 * of the fixture and the person, returning the fields without csrf).
 */
const POSTS = {
	'/contact': { action: 'contact.send', expect: ANYONE, form: () => ({ name: 'Matrice', email: 'matrice@example.org', message: 'Un message de la matrice des rôles.' }) },
	'/signup': { action: 'account.access', expect: ANYONE, switchesSession: true, form: () => ({ email: freshEmail('matrix-signup'), display_name: 'Inscription Matrice', password: freshPassword('m'), terms: '1' }) },
	'/confirm/resend': { action: 'account.manage', expect: SIGNED_IN, form: () => ({}) },
	'/login': { action: 'account.access', expect: ANYONE, switchesSession: true, form: (f) => ({ email: f.target.email, password: 'pas le bon mot de passe' }) },
	'/logout': { action: 'account.access', expect: ANYONE, form: () => ({}), switchesSession: true },
	'/password/forgot': { action: 'account.access', expect: ANYONE, form: () => ({ email: freshEmail('matrix-forgot') }) },
	'/password/reset': { action: 'account.access', expect: ANYONE, switchesSession: true, form: async (f) => ({ token: await f.resetToken(), password: freshPassword('reset') }) },
	'/terms/accept': { action: 'account.manage', expect: SIGNED_IN, form: () => ({ accept: '1', version: '1', next: '/' }) },
	'/profile': { action: 'account.manage', expect: SIGNED_IN, form: (f, who) => ({ display_name: f.people[who]?.name ?? 'Visiteur', bio: 'Bio de la matrice.', skills: 'matrice', neighbourhood: '' }) },
	'/settings/preferences': { action: 'account.manage', expect: SIGNED_IN, form: () => ({ language: 'fr', notify_frequency: 'weekly' }) },
	'/settings/email': { action: 'account.manage', expect: SIGNED_IN, form: () => ({ new_email: freshEmail('matrix-new'), current_password: 'pas le bon mot de passe' }) },
	'/settings/password': { action: 'account.manage', expect: SIGNED_IN, form: () => ({ current_password: 'pas le bon mot de passe', new_password: freshPassword('nouveau') }) },
	'/settings/sessions/logout-others': { action: 'account.manage', expect: SIGNED_IN, form: () => ({}) },
	'/account/delete': { action: 'account.manage', expect: SIGNED_IN, form: () => ({ password: 'pas le bon mot de passe' }) },
	'/admin/roles': { action: 'role.grant', expect: ADMINS, form: (f) => ({ user_id: String(f.target.id), role: 'member' }) },
	'/admin/partners/{slug}/accredit': { action: 'partner.accredit', expect: ADMINS, path: () => `/admin/partners/${PARTNER}/accredit`, form: () => ({}) },
	'/admin/partners/{slug}/revoke': { action: 'partner.accredit', expect: ADMINS, path: () => `/admin/partners/${PARTNER}/revoke`, form: () => ({}) },
	'/organisations/new': { action: 'organisation.create', expect: MEMBERS, form: (f, who) => ({ name: `Asso ${who} ${f.next()}`, kind: 'association', summary: 'Une association de test.', description: 'Elle teste les rôles.', website: 'https://example.org' }) },
	'/organisations/{slug}/edit': { action: 'organisation.create + owner', expect: ORG_OWNERS, path: () => `/organisations/${ORG}/edit`, form: () => ({ name: 'Atelier matrice', kind: 'association', summary: 'Un atelier.', description: 'Un atelier de la matrice.', website: 'https://example.org' }) },
	'/organisations/{slug}/members': { action: 'organisation.create + owner', expect: ORG_OWNERS, path: () => `/organisations/${ORG}/members`, form: (f) => ({ who: f.extra.email, role: 'member' }) },
	'/organisations/{slug}/members/{user_id}/remove': { action: 'organisation.create + owner', expect: ORG_OWNERS, path: (f) => `/organisations/${ORG}/members/${f.target.id}/remove`, form: () => ({}) },
	// The journey (web/journey.c): moves by animators (authors only idea → improving), requests by authors,
	// team decisions, skills, needs and outcome by the project's managers (carrier, authors, animators).
	// Forms the allowed send are refused with 422 where possible, so the fixture's stage never changes.
	'/initiatives/{id}/move': { action: 'contribute + journey table', expect: JOURNEY_MANAGERS, path: (f) => `/initiatives/${f.journey.project}/move`, form: () => ({ from: 'project', to: 'supported', note: '' }) },
	'/initiatives/{id}/request-project': { action: 'contribute + author', expect: JOURNEY_AUTHORS, path: (f) => `/initiatives/${f.journey.idea}/request-project`, form: () => ({}) },
	'/initiatives/{id}/team/join': { action: 'contribute', expect: JOURNEY_JOINERS, path: (f) => `/initiatives/${f.journey.project}/team/join`, form: () => ({ skills: 'matrice', message: '' }) },
	'/team/{id}/accept': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/team/${f.journey.offer}/accept`, form: () => ({}) },
	'/team/{id}/decline': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/team/${f.journey.offer}/decline`, form: () => ({}) },
	'/initiatives/{id}/skills': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/initiatives/${f.journey.project}/skills`, form: () => ({ skills: 'matrice' }) },
	'/initiatives/{id}/project-needs': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/initiatives/${f.journey.project}/project-needs`, form: () => ({ kind: 'other', description: '' }) },
	'/project-needs/{id}': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/project-needs/${f.journey.need}`, form: () => ({ kind: 'other', description: '' }) },
	'/initiatives/{id}/outcome': { action: 'contribute + manager', expect: JOURNEY_MANAGERS, path: (f) => `/initiatives/${f.journey.realised}/outcome`, form: () => ({ outcome_kind: 'event', impact: '' }) },
	// Offers (web/offers.c): the owner acts for the accredited partner "offres-matrice".
	'/organisations/{slug}/offers/new': { action: 'contribute + accredited partner member', expect: OFFER_PUBLISHERS, path: () => `/organisations/${OFFERS_PARTNER}/offers/new`, form: async (f) => {
		await matrixOffer(f);
		return { ...OFFER_FORM };
	} },
	'/offers/{id}/edit': { action: 'contribute + accredited partner member', expect: OFFER_PUBLISHERS, path: () => `/offers/${MATRIX_OFFER}/edit`, form: async (f) => {
		await matrixOffer(f);
		return { ...OFFER_FORM };
	} },
	// Support requests and funding (web/requests.c, web/funding.c); an empty message is a 422 (allowed).
	'/offers/{id}/request': { action: 'contribute + project manager', expect: REQUEST_ASKERS, path: (f) => `/offers/${MATRIX_OFFER}/request?initiative=${f.journey.project}`, form: async (f) => {
		await matrixOffer(f);
		return { initiative: String(f.journey.project), message: '' };
	} },
	'/requests/{id}/accept': { action: 'contribute + partner member (table)', expect: REQUEST_PARTNERS, path: () => `/requests/${MATRIX_REQUEST}/accept`, form: async (f) => {
		await matrixRequest(f, 'pending');
		return { from: 'pending', message: '' };
	} },
	'/requests/{id}/decline': { action: 'contribute + partner member (table)', expect: REQUEST_PARTNERS, path: () => `/requests/${MATRIX_REQUEST}/decline`, form: async (f) => {
		await matrixRequest(f, 'pending');
		return { from: 'pending', message: 'Pas cette fois.' };
	} },
	'/requests/{id}/withdraw': { action: 'contribute + carrier (table)', expect: REQUEST_CARRIER, path: () => `/requests/${MATRIX_REQUEST}/withdraw`, form: async (f) => {
		await matrixRequest(f, 'pending');
		return { from: 'pending' };
	} },
	'/requests/{id}/complete': { action: 'contribute + partner member (table)', expect: REQUEST_PARTNERS, path: () => `/requests/${MATRIX_REQUEST}/complete`, form: async (f) => {
		await matrixRequest(f, 'accepted');
		return { from: 'accepted', amount: '', hours: '2', given: 'Matrice' };
	} },
	'/initiatives/{id}/funding': { action: 'contribute + project manager', expect: JOURNEY_MANAGERS, path: (f) => `/initiatives/${f.journey.project}/funding`, form: () => ({ goal: '1000' }) },
	'/initiatives/{id}/campaign': { action: 'contribute + manager or partner with a request', expect: CAMPAIGN_EDITORS, path: (f) => `/initiatives/${f.journey.project}/campaign`, form: async (f) => {
		await matrixRequest(f, 'pending');
		return { platform: 'Ulule', url: 'https://example.org/matrice', campaign_goal: '1000', raised: '10', ends: '' };
	} },
	// Posting and signals (web/post.c, web/support.c). Need 1 and initiative 1 are the demo's, in Sceaux:
	// seen from Autreville they do not exist (nf), while posting there is posting in Autreville (ok).
	'/needs/new': { action: 'contribute', expect: MEMBERS, form: (f, who) => ({ title: `Besoin ${who} ${f.next()}`, body: 'Un besoin de la matrice.' }) },
	'/initiatives/new': { action: 'contribute', expect: MEMBERS, form: (f, who) => ({ title: `Idée ${who} ${f.next()}`, body: 'Une idée de la matrice.' }) },
	'/needs/{id}/metoo': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/needs/1/metoo', form: () => ({}) },
	'/needs/{id}/follow': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/needs/1/follow', form: () => ({}) },
	'/needs/{id}/unfollow': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/needs/1/unfollow', form: () => ({}) },
	'/initiatives/{id}/support': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/initiatives/1/support', form: () => ({}) },
	'/initiatives/{id}/unsupport': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/initiatives/1/unsupport', form: () => ({}) },
	'/initiatives/{id}/follow': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/initiatives/1/follow', form: () => ({}) },
	'/initiatives/{id}/unfollow': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => '/initiatives/1/unfollow', form: () => ({}) },
	// Comments (web/comments.c) on the demo's initiative 1 of Sceaux; the edited comment is the member's,
	// written (again) with a fresh edit window before each try.
	'/comments': { action: 'contribute', expect: SCEAUX_MEMBERS, form: () => ({ object_type: 'initiative', object_id: '1', body: 'Commentaire de la matrice.' }) },
	'/comments/{id}/edit': { action: 'contribute + author', expect: COMMENT_AUTHOR, path: () => `/comments/${MATRIX_COMMENT}/edit`, form: async (f) => {
		await matrixComment(f);
		return { body: 'Commentaire corrigé de la matrice.' };
	} },
	// Improving ideas (web/history.c, web/suggestions.c): authors and animators edit; members suggest;
	// the author answers suggestions and invites; the invited member answers the invitation.
	'/initiatives/{id}/edit': { action: 'contribute + author or animator', expect: IDEA_EDITORS, path: () => `/initiatives/${MATRIX_IDEA}/edit`, form: async (f) => {
		await matrixIdea(f);
		return { title: 'Idée matrice', summary: '', body: `Le texte de la matrice, version ${f.next()}.`, note: '' };
	} },
	'/initiatives/{id}/suggestions': { action: 'contribute', expect: SCEAUX_MEMBERS, path: () => `/initiatives/${MATRIX_IDEA}/suggestions`, form: async (f) => {
		await matrixIdea(f);
		return { title: '', body: `Une suggestion ${f.next()}.`, reason: '' };
	} },
	'/suggestions/{id}/accept': { action: 'contribute + author', expect: IDEA_AUTHOR, path: () => `/suggestions/${MATRIX_IDEA}/accept`, form: async (f) => {
		await matrixIdea(f);
		return {};
	} },
	'/suggestions/{id}/decline': { action: 'contribute + author', expect: IDEA_AUTHOR, path: () => `/suggestions/${MATRIX_IDEA}/decline`, form: async (f) => {
		await matrixIdea(f);
		return { answer: 'Non merci.' };
	} },
	'/initiatives/{id}/coauthors': { action: 'contribute + author', expect: IDEA_AUTHOR, path: () => `/initiatives/${MATRIX_IDEA}/coauthors`, form: async (f) => {
		await matrixIdea(f);
		return { person: f.extra.email };
	} },
	'/coauthors/{id}/accept': { action: 'contribute + invitee', expect: IDEA_INVITEE, path: () => `/coauthors/${MATRIX_IDEA}/accept`, form: async (f) => {
		await matrixIdea(f);
		return {};
	} },
	'/coauthors/{id}/decline': { action: 'contribute + invitee', expect: IDEA_INVITEE, path: () => `/coauthors/${MATRIX_IDEA}/decline`, form: async (f) => {
		await matrixIdea(f);
		return {};
	} },
};

/* GET pages that only some people may see. */
const GETS = {
	'/settings': SIGNED_IN,
	'/profile': SIGNED_IN,
	'/account': SIGNED_IN,
	'/account/data': SIGNED_IN,
	'/account/delete': SIGNED_IN,
	'/confirm/resend': SIGNED_IN,
	'/terms/accept': SIGNED_IN,
	'/organisations/new': MEMBERS,
	[`/organisations/${ORG}/edit`]: ORG_OWNERS,
	'/needs/new': MEMBERS,
	'/initiatives/new': MEMBERS,
	'/comments/new?object_type=initiative&object_id=1': SCEAUX_MEMBERS,
	'/admin': ADMINS,
	'/admin/people': ADMINS,
	'/admin/partners': ADMINS,
};

/* The POST patterns of routes.c. */
function postPatterns() {
	const src = readFileSync(join(ROOT, 'src/web/routes.c'), 'utf8');
	const table = src.slice(src.indexOf('web_routes[]'), src.indexOf('web_routes_count'));
	const entries = [...table.matchAll(/\{\s*((?:HTTP_[A-Z]+\s*\|?\s*)+),\s*"([^"]+)"/g)];
	// Every row of the table must be read, whatever its layout: a row this parser misses could hide a POST route.
	const rows = (table.match(/\{\s*HTTP_/g) || []).length;
	assert.equal(entries.length, rows, `routes.c: ${rows} rows but ${entries.length} parsed; adapt the parser in roles.test.mjs`);
	assert.ok(rows > 20, `routes.c has its routes (${rows})`);
	return entries.filter((m) => /HTTP_(POST|PUT|PATCH|DELETE)/.test(m[1])).map((m) => m[2]);
}

const fx = { people: {}, n: 0 };
fx.next = () => ++fx.n;

before(async () => {
	const { s } = await ctx.ready();
	const mk = async (key, name, opts = {}) => {
		const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key), ...opts });
		fx.people[key] = account;
		return account;
	};
	await mk('unconfirmed', 'Non Confirmé');
	await execSql(s.dbUrl, `UPDATE users SET email_confirmed_at = NULL WHERE id = ${fx.people.unconfirmed.id}`);
	await mk('member', 'Membre Simple');
	await mk('animator', 'Animatrice Sceaux', { role: 'animator', territory: 'sceaux' });
	await mk('owner', 'Propriétaire Atelier');
	await mk('otherAdmin', 'Admin Autreville', { admin: OTHER.slug });
	await mk('admin', 'Admin Sceaux', { admin: 'sceaux' });
	fx.people.adminAway = fx.people.admin;
	fx.target = await createUser(s, { email: freshEmail('target'), name: 'Cible Matrice', password: freshPassword('t') });
	fx.extra = await createUser(s, { email: freshEmail('extra'), name: 'Recrue Matrice', password: freshPassword('e') });

	// The organisation the owner owns, with the target as a member, in Sceaux.
	const tid = await territoryId(s, 'sceaux');
	await execSql(s.dbUrl, `INSERT INTO organisations (territory_id, slug, name, kind, summary, created_at) VALUES (${tid}, '${ORG}', 'Atelier matrice', 'association', 'Un atelier.', 0);
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at) SELECT id, ${fx.people.owner.id}, 'owner', 0 FROM organisations WHERE slug = '${ORG}' AND territory_id = ${tid};
		INSERT INTO organisations (territory_id, slug, name, kind, summary, is_partner, created_at) VALUES (${tid}, '${PARTNER}', 'Partenaire matrice', 'partner', 'Un partenaire.', 1, 0);`);

	// The journey's fixture: an idea, a project with an offer to join and a need, a realised event, by the target.
	await execSql(s.dbUrl, `INSERT INTO initiatives (territory_id, author_id, title, stage, created_at, updated_at) VALUES (${tid}, ${fx.target.id}, 'Idée matrice', 'idea', 0, 0);
		INSERT INTO initiatives (territory_id, author_id, carrier_user_id, title, stage, created_at, updated_at) VALUES (${tid}, ${fx.target.id}, ${fx.target.id}, 'Projet matrice', 'project', 0, 0);
		INSERT INTO initiatives (territory_id, author_id, title, stage, outcome_kind, created_at, updated_at) VALUES (${tid}, ${fx.target.id}, 'Réalisé matrice', 'realised', 'event', 0, 0);`);
	const byTitle = (t) => scalar(s, `SELECT id FROM initiatives WHERE title = '${t}'`);
	fx.journey = { idea: await byTitle('Idée matrice'), project: await byTitle('Projet matrice'), realised: await byTitle('Réalisé matrice') };
	await execSql(s.dbUrl, `INSERT INTO team_members (territory_id, initiative_id, user_id, skills, state, created_at) VALUES (${tid}, ${fx.journey.project}, ${fx.extra.id}, 'matrice', 'offered', 0);
		INSERT INTO project_needs (territory_id, initiative_id, kind, description, state, created_at, updated_at) VALUES (${tid}, ${fx.journey.project}, 'other', 'Besoin matrice', 'open', 0, 0);
		INSERT INTO outcomes (initiative_id, territory_id, kind, starts_at, place, impact, created_at, updated_at) VALUES (${fx.journey.realised}, ${tid}, 'event', 1900000000, 'Matrice', 'Rien', 0, 0);`);
	fx.journey.offer = await scalar(s, `SELECT id FROM team_members WHERE initiative_id = ${fx.journey.project}`);
	fx.journey.need = await scalar(s, `SELECT id FROM project_needs WHERE initiative_id = ${fx.journey.project}`);

	// A fresh reset token for /password/reset, from the mail it sends.
	fx.resetToken = async () => {
		await clearRateLimits(s);
		const p = new Person(s);
		const r = await p.submit('/password/forgot', '/password/forgot', { email: fx.target.email });
		assert.ok(r.status < 400, `asking a reset for the target: ${r.status}`);
		const { path } = await waitForLink(ctx.smtp, fx.target.email, /^\/password\/reset$/);
		return new URL(path, 'http://x.invalid').searchParams.get('token');
	};
});

/* Each person's client, logged in (again) when needed, with their csrf token. */
const clients = {};
async function client(who) {
	const c = clients[who];
	if (c && (who === 'visitor' || await loggedInStill(c, fx.people[who]))) return c;
	const host = who === 'adminAway' ? OTHER.host : undefined;
	const p = new Person(ctx.s, { host });
	if (who !== 'visitor') {
		await clearRateLimits(ctx.s);
		await logInOk(p, fx.people[who]);
	}
	p.token = await p.csrf('/contact');
	clients[who] = p;
	return p;
}

/* Still logged in as account (the settings page shows its address). */
async function loggedInStill(p, account) {
	const r = await p.get('/settings');
	return r.status === 200 && r.body.includes(account.email);
}

/* The membership the remove route takes away, put back before each try. */
async function resetFixture() {
	const tid = await territoryId(ctx.s, 'sceaux');
	await execSql(ctx.s.dbUrl, `INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
		SELECT id, ${fx.target.id}, 'member', 0 FROM organisations WHERE slug = '${ORG}' AND territory_id = ${tid}
		ON CONFLICT DO NOTHING;
		INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)
		SELECT id, ${fx.people.owner.id}, 'owner', 0 FROM organisations WHERE slug = '${ORG}' AND territory_id = ${tid}
		ON CONFLICT DO NOTHING;
		DELETE FROM organisation_members WHERE user_id = ${fx.extra.id};`);
}

/* The kind of answer r is, in the table's words. */
function kindOf(r) {
	if (r.status === 303 && /^\/login(\?|$)/.test(r.location ?? '')) return 'login';
	if (r.status === 403) return /confirm/i.test(mainText(r.body)) ? 'confirm' : 'deny';
	if (r.status === 404) return 'nf';
	if ((r.status >= 200 && r.status < 300) || r.status === 303 || r.status === 422) return 'ok';
	return `status ${r.status}`;
}

test('every POST route of routes.c has a row in the matrix, and every row is a route', () => {
	const routes = postPatterns();
	assert.ok(routes.length >= 10, `routes.c has the accounts' POST routes (found: ${routes.join(', ')})`);
	const missing = routes.filter((r) => !(r in POSTS));
	assert.deepEqual(missing, [], `POST routes without an expectation in tests/e2e/roles.test.mjs: ${missing.join(', ')}`);
	const stale = Object.keys(POSTS).filter((r) => !routes.includes(r));
	assert.deepEqual(stale, [], `rows of the matrix that are no route of routes.c: ${stale.join(', ')}`);
});

test('the matrix of POST routes × roles', { timeout: 600000 }, async () => {
	const wrong = [];
	for (const pattern of postPatterns()) {
		const spec = POSTS[pattern];
		if (!spec) continue; // reported by the test above
		for (const who of ROLES) {
			await resetFixture();
			const p = await client(who);
			if (/^\/(login|signup|password)/.test(pattern)) await clearRateLimits(ctx.s);
			const path = spec.path ? spec.path(fx) : pattern;
			const fields = await spec.form(fx, who);
			const r = await p.post(path, { ...fields, csrf: p.token });
			const got = kindOf(r);
			const want = spec.expect[who];
			if (got !== want) {
				wrong.push(`POST ${path} as ${who}: expected ${want}, got ${got} (${r.status}${r.location ? ' → ' + r.location : ''}) ${mainText(r.body).slice(0, 160)}`);
			}
			// Log-in, log-out, sign-up and reset may leave the client as someone else: start it again.
			if (spec.switchesSession) delete clients[who];
		}
	}
	assert.deepEqual(wrong, [], `answers that differ from the matrix:\n${wrong.join('\n')}`);
});

test('the matrix of protected pages × roles', { timeout: 300000 }, async () => {
	const wrong = [];
	for (const [path, expect] of Object.entries(GETS)) {
		for (const who of ROLES) {
			const p = await client(who);
			const r = await p.get(path);
			const got = kindOf(r);
			if (got !== expect[who]) wrong.push(`GET ${path} as ${who}: expected ${expect[who]}, got ${got} (${r.status}${r.location ? ' → ' + r.location : ''})`);
		}
	}
	assert.deepEqual(wrong, [], `answers that differ from the matrix:\n${wrong.join('\n')}`);
});

test('what the refused requests changed: nothing', { timeout: 60000 }, async () => {
	const { s } = ctx;
	const tid = await territoryId(s, 'sceaux');
	// Only the admin of Sceaux granted roles in Sceaux, and nobody got admin there.
	const admins = await s.query(`SELECT user_id FROM roles WHERE territory_id = ${tid} AND role = 'admin'`);
	assert.deepEqual(admins.map((x) => Number(x.user_id)), [fx.people.admin.id], 'the admins of Sceaux are still only its admin');
	const otherTid = await territoryId(s, OTHER.slug);
	const otherAdmins = await s.query(`SELECT user_id FROM roles WHERE territory_id = ${otherTid} AND role = 'admin'`);
	assert.deepEqual(otherAdmins.map((x) => Number(x.user_id)), [fx.people.otherAdmin.id], 'the admins of Autreville are still only its admin');
	// The accounts whose forms were refused kept their profile.
	const v = await s.query(`SELECT COUNT(*) AS n FROM users WHERE display_name = 'Visiteur'`);
	assert.equal(Number(v[0].n), 0, 'no profile was written by a visitor');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM organisations WHERE name LIKE 'Asso visitor%' OR name LIKE 'Asso unconfirmed%'`), 0,
		'neither a visitor nor an unconfirmed account created an organisation');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM organisations WHERE name LIKE 'Asso member%'`), 1, 'the member created one');
	const member = await userByEmail(s, fx.people.member.email);
	assert.equal(member.email_confirmed_at != null, true);
});

test('an admin grants a role to a person, who then has it; a refused grant leaves no row', { timeout: 60000 }, async () => {
	const { s } = ctx;
	const tid = await territoryId(s, 'sceaux');
	const person = await createUser(s, { email: freshEmail('promoted'), name: 'Promue Animatrice', password: freshPassword('p') });
	const member = await client('member');
	const r0 = await member.post('/admin/roles', { csrf: member.token, user_id: String(person.id), email: person.email, role: 'admin' });
	assert.equal(r0.status, 403, 'a member cannot grant');
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM roles WHERE user_id = ${person.id}`), 0, 'no role row after a refused grant');
	const admin = await client('admin');
	const r = await admin.submit(`/admin/people?q=${encodeURIComponent(person.email)}`, '/admin/roles', { role: 'animator' });
	assert.equal(r.status, 303, `the admin grants animator (got ${r.status}): ${mainText(r.body).slice(0, 300)}`);
	const rows = await s.query(`SELECT role, territory_id, granted_by FROM roles WHERE user_id = ${person.id}`);
	assert.deepEqual(rows.map((x) => [x.role, Number(x.territory_id), Number(x.granted_by)]), [['animator', tid, fx.people.admin.id]], 'the roles table holds the grant, in Sceaux, by the admin');
	const acts = await scalar(s, `SELECT COUNT(*) AS n FROM activities WHERE actor_id = ${fx.people.admin.id} AND territory_id = ${tid} AND object_id = ${person.id}`);
	assert.ok(acts >= 1, 'the grant is in the activity log');
	// The other territory's admin, at home, cannot make anyone admin of Sceaux.
	const away = new Person(s, { host: OTHER.host });
	await clearRateLimits(s);
	await logInOk(away, fx.people.otherAdmin);
	const tok = await away.csrf('/contact');
	await away.post('/admin/roles', { csrf: tok, user_id: String(person.id), email: person.email, role: 'admin' });
	assert.equal(await scalar(s, `SELECT COUNT(*) AS n FROM roles WHERE user_id = ${person.id} AND territory_id = ${tid} AND role = 'admin'`), 0,
		'an admin of Autreville made nobody admin of Sceaux');
});
