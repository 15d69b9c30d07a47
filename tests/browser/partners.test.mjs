// The partner ecosystem in a real browser (Debian's Chromium driven by
// playwright-core), on the Sceaux demo: axe-core (WCAG 2.1 A/AA and best
// practices) finds nothing on the ecosystem page (with and without
// filters), an offer, the request form (as an animator, who may run any
// project), the partner dashboard (as a member of a demo partner, with the
// demo's waiting request), a project page with suggestions and their
// reasons (as an animator) and the support received with the funding bar
// (as a visitor). The demo content is checked on the way: what a newcomer
// must see at once is there. Console errors and CSP violations fail the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer, execSql, sqlString, scalar } from '../e2e/db.mjs';
import { useBrowser } from './lib.mjs';

const ctx = useAccountsServer({ smtp: false });
const { newPage, assertAccessible, goto, formTo, account, loggedIn, demoId } = useBrowser(ctx);


/* The id of the demo's offer called title. */
async function offerId(title) {
	const id = await scalar(ctx.s, `SELECT o.id FROM offers o JOIN territories s ON s.id = o.territory_id WHERE s.slug = 'sceaux' AND o.title = ${sqlString(title)}`);
	assert.ok(id, `the demo has the offer "${title}"`);
	return Number(id);
}

test('the partner ecosystem of the demo is accessible: ecosystem, offer, request form, partner dashboard, suggestions, support received', { timeout: 180000 }, async () => {
	await ctx.ready();
	const project = await demoId('initiatives', 'Un vélobus pour aller à l’école');
	const premises = await offerId('Un coin d’atelier et de stockage');
	const training = await offerId('Formation aux premiers secours pour les bénévoles');

	// A visitor: the ecosystem, unfiltered and filtered, lists the partners' offers and what they supported.
	const visitor = await newPage();
	await goto(visitor, '/ecosystem');
	const eco = await visitor.locator('main').innerText();
	for (const expected of ['L’Escale, tiers-lieu scéen', 'Épargne solidaire Sceaux-Bièvre', 'Tirelire commune',
		'Pépinière Bièvre Innovation sociale', 'Les Ateliers du porteur de projet', 'Service économie sociale et solidaire de la Ville',
		'Un coin d’atelier et de stockage', 'Prêt d’honneur à taux zéro']) {
		assert.ok(eco.includes(expected), `the ecosystem shows "${expected}"`);
	}
	assert.ok(eco.includes('Un vélobus pour aller à l’école'), 'the ecosystem lists the project the savings club supported');
	await assertAccessible(visitor, 'the ecosystem page');
	await goto(visitor, '/ecosystem?kind=premises&stage=project');
	const filtered = await visitor.locator('main').innerText();
	assert.ok(filtered.includes('Un coin d’atelier et de stockage'), 'the premises filter keeps the premises offers');
	assert.ok(!filtered.includes('Prêt d’honneur à taux zéro'), 'the premises filter leaves the funding offers out');
	await assertAccessible(visitor, 'the ecosystem page filtered by kind and stage');
	await goto(visitor, '/ecosystem?kind=training&theme=mobilite');
	const byTheme = await visitor.locator('main').innerText();
	assert.ok(byTheme.includes('Formation aux premiers secours pour les bénévoles'), 'the theme filter keeps the training offer that favours mobility');
	assert.ok(!byTheme.includes('Un coin d’atelier et de stockage'), 'the kind filter leaves the premises out');
	await assertAccessible(visitor, 'the ecosystem page filtered by kind and theme');
	await goto(visitor, `/offers/${premises}`);
	assert.match(await visitor.locator('h1').innerText(), /coin d’atelier/);
	await assertAccessible(visitor, 'an offer of the demo (visitor)');

	// A visitor on the project: support received and the funding bar, no request message.
	await goto(visitor, `/initiatives/${project}`);
	const received = visitor.locator('#received');
	assert.ok(await received.isVisible(), 'the project shows the support it received');
	assert.match(await received.innerText(), /Épargne solidaire Sceaux-Bièvre/, 'the completed funding is listed with its partner');
	const bar = received.locator('progress');
	assert.equal(await bar.count(), 1, 'the funding bar shows');
	assert.equal(await bar.getAttribute('max'), '6000', 'the bar measures against the funding goal');
	assert.equal(await bar.getAttribute('value'), String(2400 + 1950), 'committed = completed funding + raised by the campaign');
	assert.ok(await received.locator('a[href^="https://example.org/"]').count() >= 1, 'the crowdfunding campaign is linked');
	assert.ok(!(await visitor.locator('main').innerText()).includes('trois vélos cargo entre deux tournées'), 'a visitor cannot read a request message');
	await assertAccessible(visitor, 'the demo project with support received and its funding bar (visitor)');
	await visitor.context().close();

	// An animator: suggestions with their reasons on the project, then the request form.
	const anim = await loggedIn(await account('anim', 'Anne Animatrice', 'animator'));
	await goto(anim, `/initiatives/${project}`);
	const main = await anim.locator('main').innerText();
	assert.ok(main.includes('Formation aux premiers secours pour les bénévoles'), 'the training offer is suggested for the open training need');
	assert.ok(main.includes('Une campagne de financement participatif accompagnée'), 'the crowdfunding offer is suggested for the open money need');
	assert.match(main, /trois vélos cargo entre deux tournées/, 'the animator reads the waiting request\'s message');
	const suggestion = anim.locator('main li', { hasText: 'Formation aux premiers secours pour les bénévoles' }).first();
	assert.match(await suggestion.innerText(), /répond à votre besoin de formation.*premiers secours \(PSC1\).*étape projet.*thème Mobilité/s,
		'the suggestion says why it fits: the need it answers, the stage, the theme');
	await assertAccessible(anim, 'the demo project with suggestions (animator)');
	await goto(anim, `/offers/${training}/request?initiative=${project}`);
	assert.equal(await formTo(anim, `/offers/${training}/request`).count(), 1, 'the request form is shown');
	await assertAccessible(anim, 'the request form (animator)');
	await goto(anim, `/offers/${training}`);
	await assertAccessible(anim, 'an offer of the demo (animator)');
	await anim.context().close();

	// A member of L'Escale: the demo's waiting request on the partner dashboard.
	const member = await account('escale', 'Eva Escale');
	await execSql(ctx.s.dbUrl, `INSERT INTO organisation_members (organisation_id, user_id, role, joined_at) SELECT o.id, u.id, 'member', 1 FROM organisations o, users u WHERE o.slug = 'l-escale' AND u.email = ${sqlString(member.email)}`);
	const partner = await loggedIn(member);
	await goto(partner, '/dashboard/partner?org=l-escale');
	const dash = await partner.locator('main').innerText();
	assert.ok(dash.includes('Un vélobus pour aller à l’école'), 'the waiting request is on the partner dashboard');
	assert.ok(dash.includes('trois vélos cargo entre deux tournées'), 'the partner reads the request\'s message');
	assert.ok(await partner.locator('main form[method="post" i]').count() >= 1, 'the partner can answer it');
	await assertAccessible(partner, 'the partner dashboard (member of a demo partner)');
	await partner.context().close();
});
