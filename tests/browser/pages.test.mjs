// A visitor in a real browser (Debian's Chromium driven by playwright-core):
// real clicks from the home page, the contact form sent empty then filled,
// axe-core on every page (WCAG 2.1 A/AA and best practices), the site's own
// Content-Security-Policy left on, and a phone-width viewport.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { useServer } from '../e2e/harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const s = useServer();
let browser;
let context;
let page;
let problems = [];
let docStatus = 0;

before(async () => {
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
	context = await browser.newContext({ locale: 'fr-FR' });
	page = await newWatchedPage(context);
});

after(async () => {
	if (browser) await browser.close();
});

/*
 * A page whose console errors (CSP violations among them), script errors and
 * failed same-site subresources are collected in `problems`.
 */
async function newWatchedPage(ctx) {
	const p = await ctx.newPage();
	p.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location()?.url || p.url()})`); });
	p.on('pageerror', (e) => problems.push(`script error: ${e.message} (${p.url()})`));
	p.on('response', (r) => {
		const req = r.request();
		if (req.isNavigationRequest() && req.frame() === p.mainFrame()) {
			docStatus = r.status(); // statuses of documents are asserted by the tests
			return;
		}
		if (r.url().startsWith(s.origin) && r.status() >= 400) problems.push(`${r.status()} for ${r.url()} (on ${p.url()})`);
	});
	p.on('requestfailed', (req) => {
		// Chromium fetches the favicon on its own schedule and aborts it when the test moves on: not a failure of ours
		// (a missing favicon would still show as a 404 answer).
		const aborted = req.failure()?.errorText === 'net::ERR_ABORTED' && /\/static\/favicon\./.test(req.url());
		if (req.url().startsWith(s.origin) && !aborted) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
	});
	return p;
}

function takeProblems() {
	// Chromium logs the document's own 4xx status as a console error; that one is expected.
	const out = problems.filter((x) => !(docStatus >= 400 && x.includes(`Failed to load resource: the server responded with a status of ${docStatus}`)));
	problems = [];
	return out;
}

/* Run axe on the current page and fail with a readable list of violations. */
async function assertAccessible(p, what) {
	const hasAxe = await p.evaluate(() => typeof window.axe !== 'undefined');
	if (!hasAxe) await p.evaluate(AXE_SOURCE);
	const result = await p.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
	const report = result.violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n`
		+ v.nodes.map((n) => `      at ${n.target.join(' ')}\n        ${n.html.slice(0, 200)}\n        ${(n.failureSummary || '').replace(/\n/g, '\n        ')}`).join('\n'))
		.join('\n');
	assert.equal(result.violations.length, 0, `axe-core found ${result.violations.length} violation(s) on ${what} (${p.url()}):\n${report}`);
	const csp = takeProblems();
	assert.deepEqual(csp, [], `${what}: errors in the browser:\n${csp.join('\n')}`);
}

async function goto(p, path, status = 200) {
	const r = await p.goto(s.origin + path, { waitUntil: 'load' });
	assert.equal(r.status(), status, `GET ${path}`);
	return r;
}

/* Click a link and wait for the page it leads to. */
async function follow(p, locator, status = 200) {
	const [r] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
	assert.equal(r.status(), status, `following a link to ${p.url()}`);
	return r;
}

test('home page: the territory, the navigation, accessible', async () => {
	await goto(page, '/');
	assert.equal(await page.getAttribute('html', 'lang'), 'fr');
	assert.match(await page.title(), /UP Sceaux/);
	for (const label of ['Besoins', 'Idées et projets', 'Partenaires', 'Événements', 'Carte']) {
		await assert.doesNotReject(page.getByRole('navigation').getByRole('link', { name: label, exact: true }).first().waitFor({ state: 'visible', timeout: 2000 }),
			`the navigation shows a "${label}" link`);
	}
	await assertAccessible(page, 'the home page');
});

test('from the home page, a click leads to an initiative', async () => {
	await goto(page, '/');
	const link = page.locator('main a[href^="/initiatives/"]').first();
	const name = (await link.innerText()).trim();
	await follow(page, link);
	assert.match(new URL(page.url()).pathname, /^\/initiatives\/\d+$/);
	const h1 = (await page.locator('h1').first().innerText()).trim();
	assert.ok(name.includes(h1) || h1.includes(name), `the initiative page's heading "${h1}" matches the link "${name}"`);
	await assertAccessible(page, 'an initiative page');
});

test('the initiatives list and a filter by stage are accessible', async () => {
	await goto(page, '/initiatives');
	await assertAccessible(page, 'the initiatives list');
	await goto(page, '/initiatives?stage=project');
	await assertAccessible(page, 'the projects list');
});

test('the needs list, and a click to a need', async () => {
	await page.goto(s.origin + '/');
	await follow(page, page.getByRole('navigation').getByRole('link', { name: 'Besoins', exact: true }).first());
	assert.equal(new URL(page.url()).pathname, '/needs');
	await assertAccessible(page, 'the needs list');
	const link = page.locator('main a[href^="/needs/"]').first();
	await follow(page, link);
	assert.match(new URL(page.url()).pathname, /^\/needs\/\d+$/);
	assert.ok((await page.locator('h1').first().innerText()).trim().length > 0);
	await assertAccessible(page, 'a need page');
});

test('the partners page, and a click to an organisation', async () => {
	await page.goto(s.origin + '/');
	await follow(page, page.getByRole('navigation').getByRole('link', { name: 'Partenaires', exact: true }).first());
	assert.equal(new URL(page.url()).pathname, '/partners');
	await assertAccessible(page, 'the partners page');
	await follow(page, page.locator('main a[href^="/organisations/"]').first());
	assert.match(new URL(page.url()).pathname, /^\/organisations\/[^/]+$/);
	await assertAccessible(page, 'an organisation page');
});

test('the contact form: sent empty it shows the errors, filled it thanks', async () => {
	await goto(page, '/contact');
	await assertAccessible(page, 'the contact page');
	const form = page.locator('form[method="post" i]').first();
	await form.locator('[name="name"]').fill('Zoé Test');
	await form.locator('[name="email"]').fill('zoe@example.org');
	const message = form.locator('[name="message"]');
	await message.fill('');
	if (await message.evaluate((el) => el.required)) {
		// The browser itself stops an empty required field; the server must still refuse one from a client that does not.
		assert.equal(await message.evaluate((el) => el.validity.valueMissing), true);
		await form.evaluate((f) => { f.noValidate = true; });
	}
	await follow(page, form.locator('button[type="submit"], input[type="submit"], button:not([type])').first(), 422);
	assert.equal(await page.locator('form[method="post" i] [name="name"]').first().inputValue(), 'Zoé Test', 'the name typed is kept');
	assert.equal(await page.locator('form[method="post" i] [name="email"]').first().inputValue(), 'zoe@example.org', 'the email typed is kept');
	await assertAccessible(page, 'the contact form with errors');

	const form2 = page.locator('form[method="post" i]').first();
	await form2.locator('[name="message"]').fill('Un message envoyé depuis le navigateur.');
	await follow(page, form2.locator('button[type="submit"], input[type="submit"], button:not([type])').first());
	const u = new URL(page.url());
	assert.equal(u.pathname + u.search, '/contact?sent=1');
	await assertAccessible(page, 'the contact page after sending');
	const n = Number((await s.query(`SELECT COUNT(*) AS n FROM contact_messages WHERE body = 'Un message envoyé depuis le navigateur.'`))[0].n);
	assert.equal(n, 1, 'the message sent from the browser is in the database');
});

test('the 404 page is accessible', async () => {
	await goto(page, '/initiatives/999999999', 404);
	assert.ok(await page.getByRole('navigation').first().isVisible(), 'the 404 page has the navigation');
	await assertAccessible(page, 'the 404 page');
});

test('events and map pages are accessible', async () => {
	await goto(page, '/events');
	await assertAccessible(page, 'the events page');
	await goto(page, '/map');
	await assertAccessible(page, 'the map page');
});

test('the English home page is accessible and in English', async () => {
	await goto(page, '/?lang=en');
	assert.equal(await page.getAttribute('html', 'lang'), 'en');
	await page.getByRole('navigation').getByRole('link', { name: 'Ideas and projects', exact: true }).first().waitFor({ state: 'visible', timeout: 2000 });
	await assertAccessible(page, 'the English home page');
	// The cookie keeps English on the next page.
	await goto(page, '/needs');
	assert.equal(await page.getAttribute('html', 'lang'), 'en');
	await assertAccessible(page, 'the English needs list');
});

test('a 390 px wide screen needs no horizontal scrolling', async () => {
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	try {
		const p = await newWatchedPage(phone);
		await goto(p, '/');
		const width = () => p.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(await width() <= 390, `the home page is ${await width()} px wide at 390 px`);
		const href = await p.locator('main a[href^="/initiatives/"]').first().getAttribute('href');
		for (const path of [href, '/contact', '/needs']) {
			await goto(p, path);
			assert.ok(await width() <= 390, `${path} is ${await width()} px wide at 390 px`);
		}
		const errs = takeProblems();
		assert.deepEqual(errs, [], `errors in the browser:\n${errs.join('\n')}`);
	} finally {
		await phone.close();
	}
});

s.addStopTest();
