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
