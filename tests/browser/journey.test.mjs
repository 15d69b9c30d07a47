// The journey in a real browser (Debian's Chromium driven by playwright-core):
// a member posts an idea, another suggests a change by typing and clicking,
// the author accepts it with a click, and the version and its diff appear in
// the history. axe-core (WCAG 2.1 A/AA and best practices) finds nothing on
// the need, idea, project (as an animator, move form shown, and as a
// visitor), history, diff, timeline and events pages, those of the demo
// included (threaded comments, team, project needs, an upcoming event).
// The site's own Content-Security-Policy stays on; console errors fail the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer, scalar } from '../e2e/db.mjs';
import { useBrowser } from './lib.mjs';

const ctx = useAccountsServer({ smtp: false });
const { newPage, assertAccessible, goto, formTo, clickAndLoad, account, loggedIn, demoId } = useBrowser(ctx);

const added = 'Les goûters seront préparés par les parents, à tour de rôle.';

test('an idea improved in the browser: posted, a change suggested, accepted; the version and its diff appear', { timeout: 180000 }, async () => {
	await ctx.ready();
	const ana = await account('ana', 'Ana Autrice');
	const bruno = await account('bruno', 'Bruno Suggère');

	// A posts an idea.
	const a = await loggedIn(ana);
	await goto(a, '/initiatives/new');
	await assertAccessible(a, 'the form to post an idea');
	const post = formTo(a, '/initiatives/new');
	await post.locator('[name="title"]').fill('Un goûter partagé au square des Blagis');
	await post.locator('[name="body"]').click();
	await a.keyboard.type('Chaque mercredi, un goûter au square pour que les familles du quartier se rencontrent.');
	await clickAndLoad(a, post.locator('button[type="submit"]:not([name="preview"])'));
	const m = new URL(a.url()).pathname.match(/^\/initiatives\/(\d+)$/);
	assert.ok(m, `publishing leads to the idea's page (got ${a.url()})`);
	const id = Number(m[1]);
	assert.match(await a.locator('h1').innerText(), /goûter partagé/);
	await assertAccessible(a, 'the new idea, seen by its author');

	// B opens it and suggests a change, typing it.
	const b = await loggedIn(bruno);
	await goto(b, `/initiatives/${id}`);
	await b.locator('#suggestions details > summary').click();
	const suggest = formTo(b, `/initiatives/${id}/suggestions`);
	const body = suggest.locator('[name="body"]');
	await body.click();
	await b.keyboard.press('Control+End');
	await b.keyboard.type(`\n\n${added}`);
	await suggest.locator('[name="reason"]').fill('Pour que personne n’ait à tout préparer seul.');
	await assertAccessible(b, 'the idea with the suggestion form open');
	await clickAndLoad(b, suggest.locator('button[type="submit"]'));
	assert.equal(new URL(b.url()).pathname, `/initiatives/${id}`, 'the suggestion leads back to the idea');
	const open = b.locator('#suggestions li.card');
	assert.equal(await open.count(), 1, 'the suggestion is listed on the idea');
	assert.match(await open.first().innerText(), /Bruno Suggère/);
	assert.equal(await b.locator('#suggestions form[action$="/accept"]').count(), 0, 'B, not an author, sees no accept button');
	await assertAccessible(b, 'the idea with an open suggestion, seen by the suggester');
	await b.context().close();

	// A sees the diff and accepts it with a click.
	await goto(a, `/initiatives/${id}`);
	const card = a.locator('#suggestions li.card').first();
	assert.match(await card.locator('ins').first().innerText(), /goûters seront préparés/, 'the author sees the added words marked as added');
	await assertAccessible(a, 'the idea with a suggestion to answer');
	await clickAndLoad(a, card.locator('form[action$="/accept"] button[type="submit"]'));
	assert.equal(new URL(a.url()).pathname, `/initiatives/${id}`, 'accepting leads back to the idea');
	assert.ok(await a.locator('main').getByText(added).first().isVisible(), 'the accepted text is the idea\'s text now');
	assert.equal(await a.locator('#suggestions li.card').count(), 0, 'no open suggestion is left');
	await assertAccessible(a, 'the idea after accepting the suggestion');

	// The history: two versions, the second credited to B; its diff shows the added sentence.
	await clickAndLoad(a, a.locator('#suggestions a[href$="/history"]').first());
	assert.equal(new URL(a.url()).pathname, `/initiatives/${id}/history`);
	const versions = await a.locator('main').innerText();
	assert.match(versions, /Bruno Suggère/, 'the history credits the suggester');
	assert.match(versions, /Ana Autrice/, 'the history shows the first version by its author');
	await assertAccessible(a, 'the history of the idea');
	await clickAndLoad(a, a.locator('main a[href*="/history/diff"]').first());
	assert.equal(new URL(a.url()).pathname, `/initiatives/${id}/history/diff`);
	assert.match(await a.locator('main ins').allInnerTexts().then((t) => t.join(' ')), /goûters/, 'the diff marks the added words');
	await assertAccessible(a, 'the diff between the two versions');
	const rows = await scalar(ctx.s, `SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ${id}`);
	assert.equal(Number(rows), 2, 'two versions are stored');

	await goto(a, `/initiatives/${id}/timeline`);
	await assertAccessible(a, 'the timeline of the new idea');
	await a.context().close();
});

test('the demo\'s journey pages are accessible: need, idea, project (animator and visitor), history, diff, timeline, events', { timeout: 180000 }, async () => {
	await ctx.ready();
	const helene = await account('animatrice', 'Hélène Animatrice', 'animator');
	const need = await demoId('needs', 'Des personnes âgées isolées pendant l’été');
	const idea = await demoId('initiatives', 'Un foyer des jeunes ouvert le vendredi soir');
	const project = await demoId('initiatives', 'Un vélobus pour aller à l’école');

	const visitor = await newPage();
	await goto(visitor, `/needs/${need}`);
	assert.ok(await visitor.locator('main').getByText('Je veux bien appeler trois personnes').first().isVisible(), 'the need shows a reply to a reply');
	await assertAccessible(visitor, 'a demo need with threaded comments (visitor)');
	await goto(visitor, `/initiatives/${idea}`);
	await assertAccessible(visitor, 'a demo idea with threaded comments (visitor)');
	await goto(visitor, `/initiatives/${project}`);
	const text = await visitor.locator('main').innerText();
	for (const expected of ['Olivier J.', 'Bruno C.', 'Sarah L.', 'premiers secours', '20 m²']) {
		assert.ok(text.includes(expected), `the demo project shows "${expected}" (team, needs, skills)`);
	}
	assert.match(text, /2[\s\u202f\u00a0]?400 €/, 'the demo project shows the amount of money it needs');
	assert.equal(await visitor.locator(`main form[action="/initiatives/${project}/move"]`).count(), 0, 'a visitor sees no move form');
	await assertAccessible(visitor, 'the demo project (visitor)');
	await goto(visitor, `/initiatives/${project}/history`);
	assert.ok((await visitor.locator('main').innerText()).includes('Karim B.'), 'the history credits the accepted suggestion to its author');
	await assertAccessible(visitor, 'the demo project\'s history');
	await goto(visitor, `/initiatives/${project}/history/diff?from=1&to=3`);
	assert.ok(await visitor.locator('main ins').count() > 0, 'the diff between versions 1 and 3 marks additions');
	await assertAccessible(visitor, 'a diff of the demo project');
	await goto(visitor, `/initiatives/${project}/timeline`);
	const timeline = await visitor.locator('main').innerText();
	assert.ok(timeline.includes('Hélène G.'), 'the timeline shows the animator who moved the project');
	assert.ok(timeline.includes('Trois lignes tracées'), 'the timeline shows the note of the move');
	await assertAccessible(visitor, 'the demo project\'s timeline');
	await goto(visitor, '/events');
	assert.ok(await visitor.locator('main').getByText('Festival de la réparation').first().isVisible(), 'the demo\'s upcoming event is listed');
	await assertAccessible(visitor, 'the events page');
	await visitor.context().close();

	const anim = await loggedIn(helene);
	await goto(anim, `/initiatives/${project}`);
	assert.equal(await anim.locator(`main form[action="/initiatives/${project}/move"]`).count(), 1, 'an animator sees the move form');
	await assertAccessible(anim, 'the demo project (animator, move form shown)');
	await goto(anim, `/needs/${need}`);
	await assertAccessible(anim, 'a demo need (logged in)');
	await goto(anim, `/initiatives/${idea}`);
	await assertAccessible(anim, 'a demo idea (logged in)');
	await anim.context().close();
});
