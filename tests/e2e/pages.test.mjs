// What a visitor reads: the home page, the navigation in both languages,
// every page reachable through links, the lists with their filters and
// pagination, the detail pages, and the 404 page. Expected content comes
// from the database the server reads, so the tests follow the demo data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	useServer, tags, element, text, links, sitePath, setCookies, assertSecurityHeaders, forms,
} from './harness.mjs';

const s = useServer();

const NAV_FR = { '/needs': 'Besoins', '/initiatives': 'Idées et projets', '/partners': 'Partenaires', '/events': 'Événements', '/map': 'Carte' };
const NAV_EN = { '/needs': 'Needs', '/initiatives': 'Ideas and projects', '/partners': 'Partners', '/events': 'Events', '/map': 'Map' };
const STAGES = ['idea', 'improving', 'project', 'supported', 'realised', 'archived'];

let territoryId;
async function territory() {
	if (territoryId === undefined) {
		const rows = await s.query(`SELECT id FROM territories WHERE name = 'UP Sceaux'`);
		assert.equal(rows.length, 1, 'the demo has one territory named "UP Sceaux"');
		territoryId = Number(rows[0].id);
	}
	return territoryId;
}

/* The links of all <nav> elements of a page: [{path, text}]. */
function navLinks(body) {
	const out = [];
	for (const t of tags(body, 'nav')) {
		const close = body.toLowerCase().indexOf('</nav>', t.end);
		for (const l of links(body.slice(t.end, close))) {
			const p = sitePath(l.href);
			if (p) out.push({ path: new URL(p, 'http://x').pathname, text: l.text });
		}
	}
	return out;
}

function assertNav(body, labels, what) {
	const nav = navLinks(body);
	for (const [path, label] of Object.entries(labels)) {
		assert.ok(nav.some((l) => l.path === path && l.text === label),
			`${what}: the navigation has no link "${label}" to ${path}; it has ${JSON.stringify(nav)}`);
	}
}

function htmlLang(body) {
	return tags(body, 'html')[0]?.attrs.lang;
}

/* Ids of /kind/{id} links inside <main>, in page order, without repeats. */
function mainIds(body, kind) {
	const main = element(body, 'main');
	assert.ok(main !== null, 'the page has a <main> element');
	const ids = [];
	for (const l of links(main)) {
		const p = sitePath(l.href);
		const m = p && new RegExp(`^/${kind}/(\\d+)(?:[?#]|$)`).exec(p);
		if (m && !ids.includes(Number(m[1]))) ids.push(Number(m[1]));
	}
	return ids;
}

/*
 * Walk a list through its "before=" links: every id listed, in order,
 * failing on an id seen twice or a page that does not honour before=.
 */
async function walkList(start, kind) {
	const all = [];
	const seenPages = new Set();
	let path = start;
	for (let n = 0; path && n < 100; n++) {
		assert.ok(!seenPages.has(path), `the pagination of ${start} loops back to ${path}`);
		seenPages.add(path);
		const r = await s.page(path);
		assert.equal(r.status, 200, `GET ${path}`);
		const ids = mainIds(r.body, kind);
		const before = new URL(path, 'http://x').searchParams.get('before');
		for (const id of ids) {
			assert.ok(!all.includes(id), `${kind} ${id} is listed twice while paging ${start} (again on ${path})`);
			if (before !== null) assert.ok(id < Number(before), `${path} lists ${kind} ${id}, not before ${before}`);
			all.push(id);
		}
		const listPath = new URL(start, 'http://x').pathname;
		const next = links(element(r.body, 'main') ?? '')
			.map((l) => sitePath(l.href))
			.find((p) => p && new URL(p, 'http://x').pathname === listPath && new URL(p, 'http://x').searchParams.has('before')
				&& !seenPages.has(p));
		path = next ?? null;
	}
	return all;
}

const sorted = (a) => [...a].map(Number).sort((x, y) => x - y);
/* Text as text() gives it: whitespace (no-break spaces included) collapsed. */
const norm = (t) => String(t).replace(/\s+/g, ' ').trim();

test('the home page shows the territory, the navigation and the latest needs and initiatives', async () => {
	const tid = await territory();
	const r = await s.page('/');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type') || '', /^text\/html;\s*charset=utf-8$/i);
	assert.match(r.body, /^<!doctype html>/i);
	assert.equal(htmlLang(r.body), 'fr');
	assert.match(text(element(r.body, 'title')), /UP Sceaux/);
	assert.match(text(r.body), /UP Sceaux/);
	assertNav(r.body, NAV_FR, 'GET /');
	assert.deepEqual(setCookies(r.res), [], 'GET / sets no cookie');

	const needIds = mainIds(r.body, 'needs');
	const initIds = mainIds(r.body, 'initiatives');
	assert.ok(needIds.length > 0, 'the home page links to needs');
	assert.ok(initIds.length > 0, 'the home page links to initiatives');
	const newestNeed = await s.query(`SELECT id, title FROM needs WHERE territory_id = ${tid} ORDER BY id DESC LIMIT 1`);
	assert.ok(needIds.includes(Number(newestNeed[0].id)), `the newest need (${newestNeed[0].title}) is on the home page`);
	const newestInit = await s.query(`SELECT id, title FROM initiatives WHERE territory_id = ${tid} AND stage NOT IN ('archived', 'merged') ORDER BY id DESC LIMIT 1`);
	assert.ok(initIds.includes(Number(newestInit[0].id)), `the newest initiative (${newestInit[0].title}) is on the home page`);

	// Each link reads as the title of what it leads to.
	const main = element(r.body, 'main');
	for (const [kind, table] of [['needs', 'needs'], ['initiatives', 'initiatives']]) {
		const titles = await s.query(`SELECT id, title FROM ${table} WHERE territory_id = ${tid}`);
		const byId = new Map(titles.map((x) => [Number(x.id), norm(x.title)]));
		for (const l of links(main)) {
			const m = new RegExp(`^/${kind}/(\\d+)$`).exec(sitePath(l.href) ?? '');
			if (!m || !l.text) continue;
			assert.ok(byId.has(Number(m[1])), `/${kind}/${m[1]} is not in the territory`);
		}
		for (const id of kind === 'needs' ? needIds : initIds) {
			const texts = links(main).filter((l) => sitePath(l.href) === `/${kind}/${id}`).map((l) => l.text).join(' | ');
			assert.ok(texts.includes(byId.get(id)), `the home's link(s) to /${kind}/${id} read "${texts}", not its title "${byId.get(id)}"`);
		}
	}
});

test('the counts on the home page match the lists they link to', async () => {
	const r = await s.page('/');
	const main = element(r.body, 'main');
	const counted = [];
	for (const m of main.matchAll(/<li\b[^>]*>([\s\S]*?)<\/li>/gi)) {
		const n = /^(\d+)\s/.exec(text(m[1]));
		const ls = links(m[1]).map((l) => sitePath(l.href)).filter((p) => p && /^\/(needs|initiatives)(\?|$)/.test(p));
		if (n && ls.length === 1) counted.push({ n: Number(n[1]), path: ls[0] });
	}
	for (const m of main.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p>/gi)) {
		const n = /(\d+)/.exec(text(m[1]));
		const ls = links(m[1]).map((l) => sitePath(l.href)).filter((p) => p && /^\/needs\?/.test(p));
		if (n && ls.length === 1) counted.push({ n: Number(n[1]), path: ls[0] });
	}
	assert.ok(counted.length >= 3, `the home page shows counts linked to lists: ${JSON.stringify(counted)}`);
	for (const { n, path } of counted) {
		const kind = path.startsWith('/needs') ? 'needs' : 'initiatives';
		const listed = await walkList(path, kind);
		assert.equal(listed.length, n, `the home page says ${n} for ${path}, which lists ${listed.length}`);
	}
});

test('?lang=en gives English, sets a lang cookie that keeps it, and the switch link leads back to French', async () => {
	const en = await s.page('/?lang=en');
	assert.equal(en.status, 200);
	assert.equal(htmlLang(en.body), 'en');
	assertNav(en.body, NAV_EN, 'GET /?lang=en');
	const cookies = setCookies(en.res);
	const lang = cookies.find((c) => c.name === 'lang');
	assert.ok(lang, `GET /?lang=en sets a lang cookie (got ${JSON.stringify(cookies)})`);
	assert.equal(lang.value, 'en');
	assert.ok(!cookies.some((c) => c.name === 'tremplin_session'), 'a language choice creates no session');
	if (lang.attrs.path !== undefined) assert.equal(lang.attrs.path, '/', 'the lang cookie applies to the whole site');

	const kept = await s.page('/needs', { headers: { cookie: 'lang=en' } });
	assert.equal(kept.status, 200);
	assert.equal(htmlLang(kept.body), 'en', 'the lang cookie keeps English on the next page');
	assertNav(kept.body, NAV_EN, 'GET /needs with lang=en cookie');

	const fr = await s.page('/');
	const toEn = links(fr.body).filter((l) => new URL(l.href, 'http://x').searchParams.get('lang') === 'en');
	assert.ok(toEn.length > 0 && toEn.every((l) => l.text), 'the French layout has a visible link to English');
	const toEnPage = await s.page(sitePath(toEn[0].href));
	assert.equal(htmlLang(toEnPage.body), 'en', `following ${toEn[0].href} gives English`);

	// Back to French from English, with the cookie a browser would now send.
	const switches = links(kept.body).filter((l) => new URL(l.href, 'http://x').searchParams.has('lang') && l.text);
	assert.ok(switches.length > 0, 'the English layout has a visible language-switch link');
	const back = await s.page(sitePath(switches[0].href), { headers: { cookie: 'lang=en' } });
	assert.equal(back.status, 200);
	assert.equal(htmlLang(back.body), 'fr', `following the switch ${switches[0].href} with the lang=en cookie gives French`);
	assertNav(back.body, NAV_FR, `GET ${switches[0].href}`);
});

/* Breadth-first over same-site links; returns {visited: Map(path -> status), problems: []}. */
async function crawl(start, { max, headers = {}, skip = () => false, check = () => {} }) {
	const queue = [[start, '(start)']];
	const visited = new Map();
	const problems = [];
	while (queue.length && visited.size < max) {
		const [path, from] = queue.shift();
		if (visited.has(path)) continue;
		const r = await s.page(path, { headers });
		visited.set(path, r.status);
		if (r.status !== 200) {
			problems.push(`${path} (linked from ${from}) answered ${r.status}`);
			continue;
		}
		try {
			assertSecurityHeaders(r.res, `GET ${path}`);
		} catch (e) {
			problems.push(e.message);
		}
		if (!/^text\/html/i.test(r.headers.get('content-type') || '')) continue;
		try {
			check(path, r);
		} catch (e) {
			problems.push(`${path}: ${e.message}`);
		}
		const refs = [
			...links(r.body).map((l) => l.href),
			...tags(r.body, 'link').map((t) => t.attrs.href),
			...tags(r.body, 'script').map((t) => t.attrs.src),
			...tags(r.body, 'img').map((t) => t.attrs.src),
		].filter(Boolean);
		for (const ref of refs) {
			const p = sitePath(ref.split('#')[0] || path, `http://127.0.0.1${path}`);
			if (p && !visited.has(p) && !skip(p)) queue.push([p, path]);
		}
	}
	return { visited, problems };
}

function checkLayout(lang) {
	return (path, r) => {
		assert.match(r.body, /^<!doctype html>/i, 'not an HTML5 document');
		assert.equal(htmlLang(r.body), lang, `<html lang> is not ${lang}`);
		assert.ok(text(element(r.body, 'title')).length > 0, 'empty <title>');
		assert.ok(element(r.body, 'main') !== null, 'no <main>');
		const cookies = setCookies(r.res);
		const hasPostForm = forms(r.body).some((f) => (f.attrs.method || '').toLowerCase() === 'post');
		const langParam = new URL(path, 'http://x').searchParams.has('lang');
		for (const c of cookies) {
			if (c.name === 'lang' && langParam) continue;
			if (c.name === 'tremplin_session' && hasPostForm) continue;
			throw new Error(`sets cookie ${c.name} on a page that does not need it`);
		}
	};
}

test('every page reachable through links from / answers 200 (French)', { timeout: 120000 }, async () => {
	const { visited, problems } = await crawl('/', { max: 250, check: checkLayout('fr'), skip: (p) => new URL(p, 'http://x').searchParams.has('lang') });
	assert.deepEqual(problems, [], `problems while crawling:\n${problems.join('\n')}`);
	const paths = [...visited.keys()];
	for (const re of [/^\/needs$/, /^\/initiatives$/, /^\/partners$/, /^\/events$/, /^\/map$/, /^\/contact$/, /^\/needs\/\d+$/, /^\/initiatives\/\d+$/, /^\/organisations\/[^/]+$/, /^\/static\/style\.[0-9a-f]{8,}\.css$/]) {
		assert.ok(paths.some((p) => re.test(p)), `the crawl reached no page like ${re} (visited ${paths.length}: ${paths.slice(0, 40).join(' ')})`);
	}
});

test('every page reachable through links stays English with the lang cookie', { timeout: 120000 }, async () => {
	const { visited, problems } = await crawl('/', {
		max: 80,
		headers: { cookie: 'lang=en' },
		check: checkLayout('en'),
		skip: (p) => new URL(p, 'http://x').searchParams.has('lang'),
	});
	assert.deepEqual(problems, [], `problems while crawling in English:\n${problems.join('\n')}`);
	assert.ok(visited.size >= 10, `the English crawl reached only ${visited.size} pages`);
});

test('each need and initiative page shows its title', async () => {
	const tid = await territory();
	for (const table of ['needs', 'initiatives']) {
		const rows = await s.query(`SELECT id, title FROM ${table} WHERE territory_id = ${tid} ORDER BY id`);
		assert.ok(rows.length > 0, `the demo has ${table}`);
		for (const row of rows) {
			const r = await s.page(`/${table}/${row.id}`);
			assert.equal(r.status, 200, `GET /${table}/${row.id}`);
			assert.ok(text(element(r.body, 'h1')).includes(norm(row.title)), `the <h1> of /${table}/${row.id} is "${text(element(r.body, 'h1'))}", not its title "${row.title}"`);
			assert.ok(text(element(r.body, 'title')).includes(norm(row.title)), `the <title> of /${table}/${row.id} names it`);
			assert.deepEqual(setCookies(r.res), [], `GET /${table}/${row.id} sets no cookie`);
		}
	}
});

test('the partners page lists partner organisations, each with its page', async () => {
	const tid = await territory();
	const r = await s.page('/partners');
	assert.equal(r.status, 200);
	const slugs = [...new Set(links(element(r.body, 'main') ?? '')
		.map((l) => /^\/organisations\/([^/?#]+)$/.exec(sitePath(l.href) ?? '')?.[1])
		.filter(Boolean))];
	assert.ok(slugs.length > 0, '/partners links to organisations');
	const orgs = await s.query(`SELECT slug, name, is_partner FROM organisations WHERE territory_id = ${tid}`);
	const bySlug = new Map(orgs.map((o) => [o.slug, o]));
	for (const slug of slugs) {
		assert.ok(bySlug.has(decodeURIComponent(slug)), `/partners links to an unknown organisation ${slug}`);
		assert.equal(Number(bySlug.get(decodeURIComponent(slug)).is_partner), 1, `/partners lists ${slug}, which is not a partner`);
	}
	for (const o of orgs) {
		const p = await s.page(`/organisations/${encodeURIComponent(o.slug)}`);
		assert.equal(p.status, 200, `GET /organisations/${o.slug}`);
		assert.ok(text(element(p.body, 'h1')).includes(norm(o.name)), `the <h1> of /organisations/${o.slug} is "${text(element(p.body, 'h1'))}", not its name "${o.name}"`);
	}
});

test('the needs list, paged, shows every need of the territory once', async () => {
	const tid = await territory();
	const listed = await walkList('/needs', 'needs');
	const db = await s.query(`SELECT id FROM needs WHERE territory_id = ${tid}`);
	assert.deepEqual(sorted(listed), sorted(db.map((x) => x.id)));
});

test('the initiatives list, paged, reaches every active initiative once, newest first', async () => {
	const tid = await territory();
	const listed = await walkList('/initiatives', 'initiatives');
	const all = new Set((await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid}`)).map((x) => Number(x.id)));
	const active = await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} AND stage NOT IN ('archived', 'merged')`);
	for (const id of listed) assert.ok(all.has(id), `/initiatives lists ${id}, not an initiative of the territory`);
	for (const { id } of active) assert.ok(listed.includes(Number(id)), `initiative ${id} cannot be reached through /initiatives`);
	assert.deepEqual(listed, [...listed].sort((a, b) => b - a), 'initiatives are listed newest first');
});

test('?stage= lists exactly the initiatives at that stage, on every page', async () => {
	const tid = await territory();
	let nonEmpty = 0;
	for (const stage of STAGES) {
		const listed = await walkList(`/initiatives?stage=${stage}`, 'initiatives');
		const db = await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} AND stage = '${stage}'`);
		assert.deepEqual(sorted(listed), sorted(db.map((x) => x.id)), `/initiatives?stage=${stage}`);
		if (db.length) nonEmpty++;
	}
	assert.ok(nonEmpty >= 3, 'the demo has initiatives at three stages at least, so the filter is exercised');
});

test('?theme= lists only the initiatives of that theme', async () => {
	const tid = await territory();
	const themes = await s.query(`SELECT t.slug, t.id FROM themes t WHERE t.territory_id = ${tid} AND EXISTS (SELECT 1 FROM initiatives i WHERE i.theme_id = t.id)`);
	assert.ok(themes.length >= 2, 'the demo has initiatives in two themes at least');
	for (const th of themes) {
		const listed = await walkList(`/initiatives?theme=${encodeURIComponent(th.slug)}`, 'initiatives');
		const inTheme = new Set((await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} AND theme_id = ${th.id}`)).map((x) => Number(x.id)));
		const active = await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} AND theme_id = ${th.id} AND stage NOT IN ('archived', 'merged')`);
		for (const id of listed) assert.ok(inTheme.has(id), `/initiatives?theme=${th.slug} lists ${id}, of another theme`);
		for (const { id } of active) assert.ok(listed.includes(Number(id)), `/initiatives?theme=${th.slug} misses ${id}`);
	}
});

test('?before=ID starts the list after ID', async () => {
	const tid = await territory();
	const ids = (await s.query(`SELECT id FROM initiatives WHERE territory_id = ${tid} AND stage NOT IN ('archived', 'merged') ORDER BY id DESC`)).map((x) => Number(x.id));
	assert.ok(ids.length >= 3, 'the demo has three active initiatives at least');
	const pivot = ids[Math.floor(ids.length / 2)];
	const r = await s.page(`/initiatives?before=${pivot}`);
	assert.equal(r.status, 200);
	const listed = mainIds(r.body, 'initiatives');
	assert.ok(listed.length > 0, `/initiatives?before=${pivot} lists something`);
	for (const id of listed) assert.ok(id < pivot, `/initiatives?before=${pivot} lists ${id}`);
	assert.equal(listed[0], ids.find((id) => id < pivot), 'the first listed is the newest before the pivot');
});

test('unknown ids and paths give a 404 page in the site layout', async () => {
	for (const path of ['/needs/999999999', '/initiatives/999999999', '/organisations/no-such-organisation', '/nope',
		'/needs/abc', '/initiatives/0', '/needs/-1', '/needs/99999999999999999999999999']) {
		const r = await s.page(path);
		assert.equal(r.status, 404, `GET ${path}`);
		assert.match(r.headers.get('content-type') || '', /^text\/html/i, `GET ${path}`);
		assertNav(r.body, NAV_FR, `GET ${path}`);
		assert.ok(text(element(r.body, 'main')).length > 0, `GET ${path}: the 404 page says something`);
		assert.deepEqual(setCookies(r.res), [], `GET ${path} sets no cookie`);
	}
	const en = await s.page('/needs/999999999', { headers: { cookie: 'lang=en' } });
	assert.equal(en.status, 404);
	assertNav(en.body, NAV_EN, 'the English 404 page');
});

test('/events and /map answer in the layout', async () => {
	for (const path of ['/events', '/map']) {
		const r = await s.page(path);
		assert.equal(r.status, 200, `GET ${path}`);
		assertNav(r.body, NAV_FR, `GET ${path}`);
		assert.ok(text(element(r.body, 'h1')).length > 0, `GET ${path} has a heading`);
	}
});

s.addStopTest();
