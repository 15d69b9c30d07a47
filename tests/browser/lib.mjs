// What every browser test needs: Debian's Chromium driven by playwright-core
// with the flags that work here, pages that collect console errors, CSP
// violations and failed same-site requests, axe-core (WCAG 2.1 A/AA and best
// practices) with every violation printed, and accounts made on the command
// line and logged in through the real form.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import {
	createUser, freshEmail, freshPassword, clearRateLimits, execSql, sqlString, scalar,
} from '../e2e/db.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/*
 * Launch the browser for this test file (closed after it) and return the
 * helpers bound to ctx, the server of useAccountsServer(). With
 * freshPages, each new page starts with no collected problem (the errors of
 * pages not checked since are dropped); without, they carry over and fail
 * the next check.
 */
export function useBrowser(ctx, { freshPages = false } = {}) {
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
		if (freshPages) problems = [];
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

	return { newPage, takeProblems, assertAccessible, goto, formTo, clickAndLoad, account, loggedIn, demoId };
}
