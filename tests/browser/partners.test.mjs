// The partner ecosystem in a real browser (Debian's Chromium driven by
// playwright-core), on the Sceaux demo: axe-core (WCAG 2.1 A/AA and best
// practices) finds nothing on the ecosystem page (with and without
// filters), an offer, the request form (as an animator, who may run any
// project), the partner dashboard (as a member of a demo partner, with the
// demo's waiting request), a project page with suggestions and their
// reasons (as an animator) and the support received with the funding bar
// (as a visitor). The demo content is checked on the way: what a newcomer
// must see at once is there. Console errors and CSP violations fail the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import {
	useAccountsServer, createUser, freshEmail, freshPassword, clearRateLimits, execSql, sqlString, scalar,
} from '../e2e/db.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const ctx = useAccountsServer({ smtp: false });
let browser;
let problems = [];

before(async () => {
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	if (browser) await browser.close();
});

/*
 * A new browser profile (own cookies) and a page whose errors are collected:
 * console errors (CSP violations among them), script errors, failed
 * same-site subresources. Chromium logs a document's own 4xx status as a
 * console error; that one is expected (the tests assert the status).
 */
async function newPage() {
	const context = await browser.newContext({ locale: 'fr-FR' });
	const p = await context.newPage();
	let docStatus = 0;
	let docUrl = '';
	p.on('response', (r) => {
		const req = r.request();
		if (req.isNavigationRequest() && req.frame() === p.mainFrame()) {
			docStatus = r.status();
			docUrl = r.url();
			return;
		}
		if (r.url().startsWith(ctx.s.origin) && r.status() >= 400) problems.push(`${r.status()} for ${r.url()} (on ${p.url()})`);
	});
	p.on('console', (m) => {
		if (m.type() !== 'error') return;
		const own = m.text().includes(`status of ${docStatus}`) && (m.location()?.url || docUrl) === docUrl;
		if (!own) problems.push(`console: ${m.text()} (${m.location()?.url || p.url()})`);
	});
	p.on('pageerror', (e) => problems.push(`script error: ${e.message} (${p.url()})`));
	return p;
}

function takeProblems() {
	const out = problems;
	problems = [];
	return out;
}

/* axe-core on the page as it is; every violation printed with its nodes. */
async function assertAccessible(p, what) {
	const hasAxe = await p.evaluate(() => typeof window.axe !== 'undefined');
	if (!hasAxe) await p.evaluate(AXE_SOURCE);
	const result = await p.evaluate((tagList) => window.axe.run(document, { runOnly: { type: 'tag', values: tagList }, resultTypes: ['violations'] }), AXE_TAGS);
	const report = result.violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n`
		+ v.nodes.map((n) => `      at ${n.target.join(' ')}\n        ${n.html.slice(0, 200)}\n        ${(n.failureSummary || '').replace(/\n/g, '\n        ')}`).join('\n'))
		.join('\n');
	assert.equal(result.violations.length, 0, `axe-core found ${result.violations.length} violation(s) on ${what} (${p.url()}):\n${report}`);
	const errs = takeProblems();
	assert.deepEqual(errs, [], `${what}: errors in the browser:\n${errs.join('\n')}`);
	assert.equal(await p.locator('h1').count(), 1, `${what} has exactly one h1`);
}

async function goto(p, path, status = 200) {
	const r = await p.goto(ctx.s.origin + path, { waitUntil: 'load' });
	assert.equal(r.status(), status, `GET ${path}`);
	return r;
}

/* The POST form of the page that posts to action. */
function formTo(p, action) {
	return p.locator(`main form[method="post" i][action^="${action}"]`).first();
}

/* Click the button and wait for the page it leads to (redirects followed). */
async function clickAndLoad(p, button, status = 200) {
	const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), button.click()]);
	assert.equal(r.status(), status, `after the click, on ${p.url()}`);
	return r;
}

/* A confirmed account made on the command line, its terms accepted, optionally with a role in Sceaux. */
async function account(tag, name, role) {
	const acc = { email: freshEmail(tag), name, password: freshPassword(tag) };
	await createUser(ctx.s, role ? { ...acc, role, territory: 'sceaux' } : acc);
	await execSql(ctx.s.dbUrl, `UPDATE users SET terms_version = (SELECT COALESCE(MAX(version), 0) FROM terms), terms_accepted_at = 1 WHERE email = ${sqlString(acc.email)}`);
	return acc;
}

/* A new page logged in as acc through the log-in form. */
async function loggedIn(acc) {
	await clearRateLimits(ctx.s);
	const p = await newPage();
	await goto(p, '/login');
	const f = formTo(p, '/login');
	await f.locator('[name="email"]').fill(acc.email);
	await f.locator('[name="password"]').fill(acc.password);
	await clickAndLoad(p, f.locator('button[type="submit"], button:not([type])').first());
	assert.notEqual(new URL(p.url()).pathname, '/login', `logged in as ${acc.email}`);
	takeProblems();
	return p;
}

/* The id of the demo's row whose title is title (table needs or initiatives). */
async function demoId(table, title) {
	const id = await scalar(ctx.s, `SELECT t.id FROM ${table} t JOIN territories s ON s.id = t.territory_id WHERE s.slug = 'sceaux' AND t.title = ${sqlString(title)}`);
	assert.ok(id, `the demo has "${title}" in ${table}`);
	return Number(id);
}


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
