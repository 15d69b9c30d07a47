// Search in a real browser (Debian's Chromium driven by playwright-core), on
// the Sceaux demo: a visitor types words in the header's box on the home
// page and presses Enter (no JavaScript needed: a GET form), gets results
// with the words marked, opens one; axe-core (WCAG 2.1 A/AA and best
// practices) finds nothing on the results, on "no result", on the empty
// search page and on a refused query. Console errors and CSP violations
// fail the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer } from '../e2e/db.mjs';
import { useBrowser } from './lib.mjs';

const ctx = useAccountsServer({ smtp: false });
const { newPage, assertAccessible, goto } = useBrowser(ctx);

test('searching from the header: results, none, help and a refusal are accessible', { timeout: 180000 }, async () => {
	await ctx.ready();
	const p = await newPage();
	await goto(p, '/');
	const box = p.getByRole('search', { name: 'Chercher sur le territoire' });
	await box.getByRole('searchbox').fill('VELO enfants');
	await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), box.getByRole('searchbox').press('Enter')]);
	assert.equal(new URL(p.url()).pathname, '/search');
	const results = p.locator('main ol.search-results > li');
	assert.ok(await results.count() >= 1, 'the demo has a need about children on bikes');
	assert.match(await p.locator('main').innerText(), /résultats?, par pertinence/);
	assert.ok(await p.locator('main ol.search-results mark').count() >= 2, 'the words are marked');
	assert.equal(await p.locator('#site-search-q').inputValue(), 'VELO enfants', 'the header keeps the words');
	await assertAccessible(p, 'the search results');

	const first = results.first().locator('h3 a');
	const title = (await first.innerText()).trim();
	await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), first.click()]);
	assert.match(new URL(p.url()).pathname, /^\/(needs|initiatives)\/\d+$/);
	assert.equal((await p.locator('h1').innerText()).trim(), title, 'the result opens its page');

	await goto(p, '/search?q=zorglub+introuvable');
	assert.match(await p.locator('main').innerText(), /Aucun résultat pour ces mots/);
	assert.equal(await p.locator('main a[href="/needs/new"]').count(), 1, 'no result suggests posting a need');
	await assertAccessible(p, 'the search page without results');

	await goto(p, '/search');
	assert.match(await p.locator('main').innerText(), /Comment chercher/);
	await assertAccessible(p, 'the empty search page');

	await goto(p, '/search?q=un+deux+trois+quatre+cinq+six+sept+huit+neuf', 400);
	assert.match(await p.locator('main').innerText(), /Trop de mots/);
	await assertAccessible(p, 'a refused search');

	await goto(p, '/search?q=atelier&kind=initiatives&lang=en');
	assert.match(await p.locator('main').innerText(), /results?, by relevance/);
	await assertAccessible(p, 'the search results in English, ideas and projects only');
});
