// Improving an idea together through the real pages (issue 4,
// "bonification"): a member suggests a change, the author sees it as a
// readable diff and accepts it; the text changes, a version crediting the
// suggester appears in the history and its diff shows <ins>/<del>. A
// non-author cannot accept (403); a visitor is sent to log in; a suggestion
// made against a text edited since is refused (409) and stays open; a
// refused edit keeps what was typed (422); a co-author invited by e-mail
// accepts and may then edit.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
	useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword,
	execSql, scalar, territoryId, mainText, findForm, csrfOf,
} from './db.mjs';
import { formFields } from './harness.mjs';

const ctx = useAccountsServer({ smtp: false });
const fx = {};

before(async () => {
	const { s } = await ctx.ready();
	fx.tid = await territoryId(s, 'sceaux');
	const mk = async (key, name) => {
		const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key) });
		await clearRateLimits(s);
		const p = new Person(s);
		await logInOk(p, account);
		fx[key] = { account, p };
	};
	await mk('ana', 'Ana Autrice');
	await mk('bob', 'Bob Suggère');
	await mk('cleo', 'Cléo Curieuse');
	await execSql(s.dbUrl, `INSERT INTO initiatives (territory_id, author_id, title, summary, body, stage, created_at, updated_at)
		VALUES (${fx.tid}, ${fx.ana.account.id}, 'Un jardin partagé', 'Au pied des immeubles.', 'Planter des légumes, ensemble, le samedi.', 'improving', 1700000000, 1700000000);`);
	fx.idea = await scalar(s, `SELECT id FROM initiatives WHERE title = 'Un jardin partagé'`);
});

const ideaPath = () => `/initiatives/${fx.idea}`;

/* The suggestions section of a page. */
function section(html) {
	const at = html.indexOf('id="suggestions"');
	assert.ok(at >= 0, 'the page has a suggestions section');
	return html.slice(at, html.indexOf('</section>', at));
}

test('a visitor is invited to log in, and sent to log in when posting', async () => {
	const v = new Person(ctx.s);
	const page = await v.get(ideaPath());
	assert.equal(page.status, 200);
	assert.match(section(page.body), /href="\/login\?next=/);
	const tok = await v.csrf('/contact');
	const r = await v.post(`${ideaPath()}/suggestions`, { csrf: tok, title: 'X', body: 'Y', reason: '' });
	assert.equal(r.status, 303);
	assert.match(r.location, /^\/login/);
	const e = await v.get(`${ideaPath()}/edit`);
	assert.equal(e.status, 303);
	assert.match(e.location, /^\/login/);
});

test('idea → suggestion → acceptance: the diff, the new text, a version in the history', async () => {
	const { bob, ana, cleo } = fx;
	const newBody = 'Planter des légumes et des fleurs, ensemble, le samedi.';
	const r = await bob.p.submit(ideaPath(), `${ideaPath()}/suggestions`, { body: newBody, reason: 'Des fleurs pour les abeilles.' });
	assert.equal(r.status, 303, mainText(r.body).slice(0, 300));
	assert.equal(r.location, `${ideaPath()}#suggestions`);
	const sid = await scalar(ctx.s, `SELECT id FROM suggestions WHERE initiative_id = ${fx.idea} AND state = 'open'`);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb = 'Create' AND object_type = 'suggestion' AND object_id = ${sid}`), 1);

	// The author sees the diff: the added words inside <ins>, announced to screen readers.
	const page = await ana.p.get(ideaPath());
	const sec = section(page.body);
	assert.match(sec, /<ins><span class="visually-hidden">[^<]+<\/span> et des fleurs<span class="visually-hidden">\]<\/span><\/ins>/);
	assert.ok(sec.includes('Des fleurs pour les abeilles.'));
	assert.ok(!/<del>/.test(sec), 'nothing was removed');
	findForm(page.body, `/suggestions/${sid}/accept`);
	// Someone who is not an author sees no accept button, and is refused.
	const other = await cleo.p.get(ideaPath());
	assert.ok(!other.body.includes(`/suggestions/${sid}/accept`), 'no accept form for a non-author');
	const refused = await cleo.p.post(`/suggestions/${sid}/accept`, { csrf: csrfOf(other.body) });
	assert.equal(refused.status, 403);
	assert.equal(await scalar(ctx.s, `SELECT state FROM suggestions WHERE id = ${sid}`), 'open');

	const ok = await ana.p.submit(ideaPath(), `/suggestions/${sid}/accept`);
	assert.equal(ok.status, 303);
	assert.equal(await scalar(ctx.s, `SELECT body FROM initiatives WHERE id = ${fx.idea}`), newBody);
	assert.equal(await scalar(ctx.s, `SELECT state FROM suggestions WHERE id = ${sid}`), 'accepted');
	assert.equal(await scalar(ctx.s, `SELECT author_id FROM initiative_versions WHERE initiative_id = ${fx.idea} AND version = 2`), bob.account.id);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb = 'Accept' AND object_type = 'suggestion' AND object_id = ${sid}`), 1);
	// Accepting again changes nothing.
	const again = await ana.p.post(`/suggestions/${sid}/accept`, { csrf: csrfOf(page.body) });
	assert.equal(again.status, 303);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ${fx.idea}`), 2);

	// The history lists both versions, the suggester credited; the diff shows what changed.
	const h = await new Person(ctx.s).get(`${ideaPath()}/history`);
	assert.equal(h.status, 200);
	const text = mainText(h.body);
	assert.match(text, /Bob Suggère/);
	assert.match(text, /Ana Autrice/);
	assert.ok(h.body.includes(`${ideaPath()}/history/diff?from=1&amp;to=2`), 'a link to the changes of version 2');
	const d = await new Person(ctx.s).get(`${ideaPath()}/history/diff?from=1&to=2`);
	assert.equal(d.status, 200);
	assert.match(d.body, /<ins><span class="visually-hidden">[^<]+<\/span> et des fleurs<span class="visually-hidden">\]<\/span><\/ins>/);
	const back = await new Person(ctx.s).get(`${ideaPath()}/history/diff?from=2&to=1`);
	assert.match(back.body, /<del><span class="visually-hidden">[^<]+<\/span> et des fleurs/);
	assert.equal((await new Person(ctx.s).get(`${ideaPath()}/history/diff?from=1&to=9`)).status, 404);
	assert.equal((await new Person(ctx.s).get(`${ideaPath()}/history/diff?from=x&to=2`)).status, 400);
});

test('a suggestion made before an edit is refused (409) and stays open', async () => {
	const { bob, ana } = fx;
	const r = await bob.p.submit(ideaPath(), `${ideaPath()}/suggestions`, { title: 'Un potager partagé', body: 'Un autre texte.' });
	assert.equal(r.status, 303);
	const sid = await scalar(ctx.s, `SELECT id FROM suggestions WHERE initiative_id = ${fx.idea} AND state = 'open'`);
	const e = await ana.p.submit(`${ideaPath()}/edit`, `${ideaPath()}/edit`, { body: 'Le texte réécrit par son autrice.', note: 'plus clair' });
	assert.equal(e.status, 303);
	assert.equal(await scalar(ctx.s, `SELECT note FROM initiative_versions WHERE initiative_id = ${fx.idea} AND version = 3`), 'plus clair');
	const stale = await ana.p.submit(ideaPath(), `/suggestions/${sid}/accept`);
	assert.equal(stale.status, 409);
	assert.ok(stale.body.includes(`${ideaPath()}/edit`), 'the 409 page offers to edit instead');
	assert.equal(await scalar(ctx.s, `SELECT state FROM suggestions WHERE id = ${sid}`), 'open');
	assert.equal(await scalar(ctx.s, `SELECT body FROM initiatives WHERE id = ${fx.idea}`), 'Le texte réécrit par son autrice.');
	// Declining needs a reason; with one, it is declined.
	const empty = await ana.p.submit(ideaPath(), `/suggestions/${sid}/decline`, { answer: '' });
	assert.equal(empty.status, 422);
	assert.match(empty.body, /aria-invalid="true"/);
	const no = await ana.p.submit(ideaPath(), `/suggestions/${sid}/decline`, { answer: 'Le texte a changé depuis.' });
	assert.equal(no.status, 303);
	assert.equal(await scalar(ctx.s, `SELECT state FROM suggestions WHERE id = ${sid}`), 'declined');
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb = 'Reject' AND object_type = 'suggestion' AND object_id = ${sid}`), 1);
});

test('refused forms keep what was typed (422)', async () => {
	const { ana, bob, cleo } = fx;
	const e = await ana.p.submit(`${ideaPath()}/edit`, `${ideaPath()}/edit`, { title: '', body: 'Mon texte gardé <b>tel quel</b>' });
	assert.equal(e.status, 422);
	assert.ok(e.body.includes('Mon texte gardé &lt;b&gt;tel quel&lt;/b&gt;'));
	assert.match(e.body, /id="edit-title"[^>]*aria-invalid="true"/);
	const same = await bob.p.submit(ideaPath(), `${ideaPath()}/suggestions`, { reason: 'rien changé' });
	assert.equal(same.status, 422);
	assert.ok(same.body.includes('rien changé'));
	// A member who is not an author may not edit.
	assert.equal((await cleo.p.get(`${ideaPath()}/edit`)).status, 403);
});

test('a co-author invited by e-mail accepts, then edits and answers suggestions', async () => {
	const { ana, cleo, bob } = fx;
	const bad = await ana.p.submit(ideaPath(), `${ideaPath()}/coauthors`, { person: 'personne@example.org' });
	assert.equal(bad.status, 422);
	assert.ok(bad.body.includes('personne@example.org'));
	// Bob cannot invite: he is no author.
	const page = await bob.p.get(ideaPath());
	assert.equal((await bob.p.post(`${ideaPath()}/coauthors`, { csrf: csrfOf(page.body), person: bob.account.email })).status, 403);
	const r = await ana.p.submit(ideaPath(), `${ideaPath()}/coauthors`, { person: cleo.account.email.toUpperCase() });
	assert.equal(r.status, 303);
	const inv = await scalar(ctx.s, `SELECT id FROM coauthors WHERE initiative_id = ${fx.idea} AND user_id = ${cleo.account.id}`);
	// Bob cannot answer Cléo's invitation.
	assert.equal((await bob.p.post(`/coauthors/${inv}/accept`, { csrf: csrfOf(page.body) })).status, 404);
	const seen = await cleo.p.get(ideaPath());
	findForm(seen.body, `/coauthors/${inv}/accept`);
	const yes = await cleo.p.submit(ideaPath(), `/coauthors/${inv}/accept`);
	assert.equal(yes.status, 303);
	assert.equal((await cleo.p.get(`${ideaPath()}/edit`)).status, 200);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM activities WHERE verb IN ('Invite', 'Join') AND object_type = 'coauthor' AND object_id = ${inv}`), 2);
	const s2 = await bob.p.submit(ideaPath(), `${ideaPath()}/suggestions`, { title: 'Le jardin de la résidence' });
	assert.equal(s2.status, 303);
	const sid = await scalar(ctx.s, `SELECT id FROM suggestions WHERE initiative_id = ${fx.idea} AND state = 'open'`);
	const ok = await cleo.p.submit(ideaPath(), `/suggestions/${sid}/accept`);
	assert.equal(ok.status, 303);
	assert.equal(await scalar(ctx.s, `SELECT title FROM initiatives WHERE id = ${fx.idea}`), 'Le jardin de la résidence');
});
