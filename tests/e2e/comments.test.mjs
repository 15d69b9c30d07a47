// Threaded comments through the real pages (issue 4, "bonification"): a
// member comments an initiative, another replies, a third replies to the
// reply and the page nests them; the author edits within the window and the
// thread says "modifié"; after the window, or for someone else, the edit is
// refused (403); a visitor is invited to log in; HTML typed in a comment
// never comes back as markup; empty or too long comments come back (422)
// with the text kept; a parent from another object is refused; needs have
// comments and their counter too.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forms, formFields } from './harness.mjs';
import {
	useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword,
	execSql, scalar, territoryId, mainText, findForm,
} from './db.mjs';

const ctx = useAccountsServer({ smtp: false });
const fx = {};

before(async () => {
	const { s } = await ctx.ready();
	fx.tid = await territoryId(s, 'sceaux');
	await execSql(s.dbUrl, `INSERT INTO initiatives (territory_id, title, summary, body, stage, created_at, updated_at)
		VALUES (${fx.tid}, 'Idée à commenter', 'Un résumé.', 'Le texte.', 'improving', 1700000000, 1700000000);
		INSERT INTO initiatives (territory_id, title, summary, body, stage, created_at, updated_at)
		VALUES (${fx.tid}, 'Autre idée', 'Un résumé.', 'Le texte.', 'idea', 1700000000, 1700000000);
		INSERT INTO needs (territory_id, title, body, created_at, updated_at)
		VALUES (${fx.tid}, 'Besoin à commenter', 'Le texte.', 1700000000, 1700000000);`);
	fx.idea = await scalar(s, `SELECT id FROM initiatives WHERE title = 'Idée à commenter'`);
	fx.other = await scalar(s, `SELECT id FROM initiatives WHERE title = 'Autre idée'`);
	fx.need = await scalar(s, `SELECT id FROM needs WHERE title = 'Besoin à commenter'`);
	const mk = async (key, name) => {
		const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key) });
		await clearRateLimits(s);
		const p = new Person(s);
		await logInOk(p, account);
		fx[key] = { account, p };
	};
	await mk('ana', 'Ana Commentatrice');
	await mk('ben', 'Ben Répondeur');
	await mk('cleo', 'Cléo Relance');
});

const ideaPath = () => `/initiatives/${fx.idea}`;

/* The comments section of a page. */
function section(html) {
	const at = html.indexOf('id="comments"');
	assert.ok(at >= 0, 'the page has a comments section');
	return html.slice(at, html.indexOf('</section>', at));
}

/* How deep the article comment-id sits in the nested lists of the section. */
function depthOf(html, id) {
	const sec = section(html);
	const at = sec.indexOf(`id="comment-${id}"`);
	assert.ok(at >= 0, `comment ${id} is shown`);
	const before_ = sec.slice(0, at);
	return (before_.match(/<ol class="comments">/g) || []).length - (before_.match(/<\/ol>/g) || []).length;
}

/* The article of comment id. */
function article(html, id) {
	const at = html.indexOf(`id="comment-${id}"`);
	assert.ok(at >= 0, `comment ${id} is on the page`);
	return html.slice(at, html.indexOf('</article>', at));
}

/* Post through the form of a page; the new comment's id from the redirect. */
async function postVia(person, page, body) {
	const r = await person.submit(page, '/comments', { body });
	assert.equal(r.status, 303, `posting from ${page}: ${r.status} ${mainText(r.body).slice(0, 300)}`);
	const m = /#comment-(\d+)$/.exec(r.location ?? '');
	assert.ok(m, `the answer goes to the comment: ${r.location}`);
	return { id: Number(m[1]), location: r.location };
}

/* The "Répondre" link of comment id on html. */
function replyHref(html, id) {
	const a = article(html, id);
	const m = /<a href="([^"]*parent_id=\d+)"/.exec(a);
	assert.ok(m, `comment ${id} has a reply link`);
	return m[1].replace(/&amp;/g, '&');
}

test('a thread: comment, reply, reply to the reply, nested; counts and activities', async () => {
	const { s } = ctx;
	const { ana, ben, cleo } = fx;
	const c1 = await postVia(ana.p, ideaPath(), 'Une **bonne** idée, à creuser.');
	assert.equal(c1.location.split('#')[0], ideaPath());
	let page = await ben.p.get(ideaPath());
	const href = replyHref(page.body, c1.id);
	assert.match(href, new RegExp(`^/comments/new\\?object_type=initiative&object_id=${fx.idea}&parent_id=${c1.id}$`));
	const replyPage = await ben.p.get(href);
	assert.equal(replyPage.status, 200);
	assert.ok(mainText(replyPage.body).includes('à creuser'), 'the reply page quotes the comment answered');
	const c2 = await postVia(ben.p, href, 'Je peux aider pour la partie **budget**.');
	page = await cleo.p.get(ideaPath());
	const c3 = await postVia(cleo.p, replyHref(page.body, c2.id), 'Et moi pour la communication.');
	page = await ana.p.get(ideaPath());
	assert.equal(depthOf(page.body, c1.id), 1);
	assert.equal(depthOf(page.body, c2.id), 2);
	assert.equal(depthOf(page.body, c3.id), 3);
	assert.ok(article(page.body, c1.id).includes('<strong>bonne</strong>'), 'Markdown is rendered');
	assert.ok(article(page.body, c2.id).includes('Ben Répondeur'));
	const rows = await s.query(`SELECT id, parent_id, author_id FROM comments WHERE object_type = 'initiative' AND object_id = ${fx.idea} ORDER BY id`);
	assert.deepEqual(rows.map((r) => [Number(r.id), r.parent_id == null ? null : Number(r.parent_id), Number(r.author_id)]),
		[[c1.id, null, ana.account.id], [c2.id, c1.id, ben.account.id], [c3.id, c2.id, cleo.account.id]]);
	assert.equal(await scalar(s, `SELECT comment_count FROM initiatives WHERE id = ${fx.idea}`), 3);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM activities WHERE verb = 'Create' AND object_type = 'comment' AND target_type = 'initiative' AND target_id = ${fx.idea}`), 3);
	assert.match(mainText(section(page.body)), /Commentaires\s*3/);
	fx.c1 = c1.id;
	fx.c2 = c2.id;
});

test('the author edits within the window and the thread says "modifié"; others and latecomers get 403', async () => {
	const { s } = ctx;
	const { ana, ben } = fx;
	assert.ok(fx.c1, 'the thread test ran first');
	let page = await ana.p.get(ideaPath());
	assert.ok(article(page.body, fx.c1).includes(`/comments/${fx.c1}/edit`), 'the author sees an edit link');
	assert.ok(!article(page.body, fx.c2).includes('/edit'), 'no edit link on another\'s comment');
	const form = await ana.p.get(`/comments/${fx.c1}/edit`);
	assert.equal(form.status, 200);
	assert.match(mainText(form.body), /15 minutes/, 'the form says how long editing is possible');
	const r = await ana.p.submit(`/comments/${fx.c1}/edit`, `/comments/${fx.c1}/edit`, { body: 'Une **très bonne** idée, à creuser.' });
	assert.equal(r.status, 303, `edit: ${r.status} ${mainText(r.body).slice(0, 200)}`);
	assert.equal(r.location, `${ideaPath()}#comment-${fx.c1}`);
	page = await ben.p.get(ideaPath());
	const a = article(page.body, fx.c1);
	assert.ok(a.includes('très bonne'), 'the new text is shown');
	assert.match(a, /modifié/, 'the thread shows the "modifié" mark');
	assert.ok(!article(page.body, fx.c2).includes('modifié'), 'only the edited comment is marked');
	assert.ok(await scalar(s, `SELECT edited_at FROM comments WHERE id = ${fx.c1}`) > 0);

	// Someone else: 403 on the form and on the post, nothing changed.
	assert.equal((await ben.p.get(`/comments/${fx.c1}/edit`)).status, 403);
	const tok = (await ben.p.csrf(ideaPath()));
	const r2 = await ben.p.post(`/comments/${fx.c1}/edit`, { csrf: tok, body: 'Piraté' });
	assert.equal(r2.status, 403);
	assert.equal(await scalar(s, `SELECT body FROM comments WHERE id = ${fx.c1}`), 'Une **très bonne** idée, à creuser.');

	// After 15 minutes: refused with a clear message, even to the author.
	await execSql(s.dbUrl, `UPDATE comments SET created_at = created_at - 1000 WHERE id = ${fx.c1}`);
	const late = await ana.p.get(`/comments/${fx.c1}/edit`);
	assert.equal(late.status, 403);
	assert.match(mainText(late.body), /ne peut plus être modifié/);
	const tok2 = await ana.p.csrf(ideaPath());
	const r3 = await ana.p.post(`/comments/${fx.c1}/edit`, { csrf: tok2, body: 'Trop tard' });
	assert.equal(r3.status, 403);
	assert.equal(await scalar(s, `SELECT body FROM comments WHERE id = ${fx.c1}`), 'Une **très bonne** idée, à creuser.');
	page = await ana.p.get(ideaPath());
	assert.ok(!article(page.body, fx.c1).includes(`/comments/${fx.c1}/edit`), 'no edit link once the window is over');
});

test('a visitor reads the thread and is invited to log in', async () => {
	const v = new Person(ctx.s);
	const page = await v.get(ideaPath());
	assert.equal(page.status, 200);
	const sec = section(page.body);
	assert.ok(!forms(sec).some((f) => f.attrs.action === '/comments'), 'no comment form for a visitor');
	const login = /<a href="(\/login\?next=[^"]+)">([^<]+)<\/a>/.exec(sec);
	assert.ok(login, 'a log-in link in the comments section');
	assert.match(login[2], /Connectez-vous pour commenter/);
	assert.equal(new URL(login[1].replace(/&amp;/g, '&'), 'http://x.invalid').searchParams.get('next'), ideaPath());
	const reply = await v.get(`/comments/new?object_type=initiative&object_id=${fx.idea}`);
	assert.equal(reply.status, 303);
	assert.match(reply.location, /^\/login\?next=/);
	const tok = await v.csrf('/contact');
	const r = await v.post('/comments', { csrf: tok, object_type: 'initiative', object_id: String(fx.idea), body: 'Anonyme' });
	assert.equal(r.status, 303);
	assert.match(r.location, /^\/login/);
	assert.equal(await scalar(ctx.s, `SELECT COUNT(*) FROM comments WHERE body = 'Anonyme'`), 0);
});

test('HTML in a comment never comes back as markup', async () => {
	const body = 'Voici <script>alert("x")</script> et <img src=x onerror=alert(1)> puis 1 < 2 & "ok"';
	const c = await postVia(fx.ana.p, ideaPath(), body);
	const page = await fx.ben.p.get(ideaPath());
	const a = article(page.body, c.id);
	assert.ok(!/<script/i.test(a), 'no script element');
	assert.ok(!/<img/i.test(a), 'no img element');
	assert.ok(a.includes('1 &lt; 2 &amp; &quot;ok&quot;') || a.includes('1 &lt; 2 &amp; "ok"'), `the text is escaped: ${a}`);
	assert.equal(await scalar(ctx.s, `SELECT body FROM comments WHERE id = ${c.id}`), body, 'stored as typed');
});

test('empty and too long comments come back with the text kept (422); a foreign parent is refused', async () => {
	const { s } = ctx;
	const { ana } = fx;
	const before_ = await scalar(s, `SELECT COUNT(*) FROM comments`);
	const empty = await ana.p.submit(ideaPath(), '/comments', { body: '   ' });
	assert.equal(empty.status, 422);
	assert.match(mainText(empty.body), /Veuillez écrire un commentaire/);
	const long = 'é'.repeat(5000) + ' <b>trop</b>';
	const tooLong = await ana.p.submit(ideaPath(), '/comments', { body: long });
	assert.equal(tooLong.status, 422);
	const f = findForm(tooLong.body, '/comments');
	assert.equal(formFields(f.html).body, long, 'the text typed is kept in the form');
	assert.match(f.html, /aria-invalid="true"/);
	// The refused form can be sent again from that page.
	const again = await ana.p.post('/comments', { ...formFields(f.html), body: 'Version courte.' });
	assert.equal(again.status, 303);
	// A parent of another initiative: refused, nothing written.
	const tok = await ana.p.csrf(ideaPath());
	const bad = await ana.p.post('/comments', { csrf: tok, object_type: 'initiative', object_id: String(fx.other), parent_id: String(fx.c1), body: 'Ailleurs' });
	assert.equal(bad.status, 400);
	const missing = await ana.p.post('/comments', { csrf: tok, object_type: 'initiative', object_id: '999999', body: 'Nulle part' });
	assert.equal(missing.status, 404);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM comments`), before_ + 1);
	assert.equal(await scalar(s, `SELECT comment_count FROM initiatives WHERE id = ${fx.other}`), 0);
});

test('a need has its thread and its counter', async () => {
	const { s } = ctx;
	const needPath = `/needs/${fx.need}`;
	const c = await postVia(fx.ben.p, needPath, 'Moi aussi je le constate.');
	assert.equal(c.location.split('#')[0], needPath);
	const page = await fx.ana.p.get(needPath);
	assert.ok(article(page.body, c.id).includes('je le constate'));
	const r = await fx.ana.p.submit(replyHref(page.body, c.id), '/comments', { body: 'Pareil dans mon quartier.' });
	assert.equal(r.status, 303);
	assert.equal(await scalar(s, `SELECT comment_count FROM needs WHERE id = ${fx.need}`), 2);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM comments WHERE object_type = 'need' AND object_id = ${fx.need} AND parent_id = ${c.id}`), 1);
});

test('the threads page of an object; unknown objects and parameters are refused', async () => {
	const v = new Person(ctx.s);
	const r = await v.get(`/comments?object_type=initiative&object_id=${fx.idea}`);
	assert.equal(r.status, 200);
	assert.ok(r.body.includes(`id="comment-${fx.c1}"`) && r.body.includes(`id="comment-${fx.c2}"`), 'the threads are listed');
	assert.equal((await v.get(`/comments?object_type=user&object_id=${fx.idea}`)).status, 404);
	assert.equal((await v.get(`/comments?object_type=initiative&object_id=999999`)).status, 404);
	assert.equal((await v.get(`/comments?object_type=initiative&object_id=${fx.idea}&sort=x`)).status, 400);
	assert.equal((await v.get(`/comments?object_type=initiative&object_id=${fx.idea}&before=abc`)).status, 400);
	// Threads older than the first one: none.
	const older = await v.get(`/comments?object_type=initiative&object_id=${fx.idea}&before=${fx.c1}`);
	assert.equal(older.status, 200);
	assert.ok(!older.body.includes(`id="comment-${fx.c1}"`));
	assert.match(mainText(older.body), /Pas encore de commentaire/);
});
