// The journey of one initiative, from a need to a realised event, through
// the real routes of every area (needs and ideas: web/post.c; comments:
// web/comments.c; suggestions: web/suggestions.c; the journey, team, needs
// and events: web/journey.c, web/events.c): a member posts a need, another
// an idea for it, a third comments and suggests a change, the author accepts
// it, moves it to improving and asks for a project, an animator makes it a
// project, two people join the team, the project lists its needs, the
// animator marks it realised as an event, and the .ics downloads and
// parses. The timeline shows every move with its author and note; members
// who may not move, accept or manage are refused (403), a stale move is 409,
// refused forms come back (422) with what was typed.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useAccountsServer, Person, createUser, logInOk, clearRateLimits, freshEmail, freshPassword, scalar, mainText } from './db.mjs';

const ctx = useAccountsServer();

async function person(key, name, opts = {}) {
	const s = ctx.s;
	const account = await createUser(s, { email: freshEmail(key), name, password: freshPassword(key), ...opts });
	const p = new Person(s);
	await clearRateLimits(s);
	await logInOk(p, account);
	p.account = account;
	p.token = await p.csrf('/contact');
	return p;
}

const send = (p, path, fields = {}) => p.post(path, { csrf: p.token, ...fields });

function idFrom(r, prefix) {
	assert.equal(r.status, 303, `expected a redirect, got ${r.status}: ${mainText(r.body).slice(0, 300)}`);
	const m = new RegExp(`^${prefix}(\\d+)`).exec(r.location ?? '');
	assert.ok(m, `redirect to ${prefix}ID, got ${r.location}`);
	return Number(m[1]);
}

/*
 * A small RFC 5545 reader: every line ends in CRLF and holds at most 75
 * octets; unfolded, BEGIN/END nest properly; returns the components as
 * {name, props: {NAME: value (TEXT unescaped)}, children}.
 */
function parseIcs(text) {
	assert.ok(text.endsWith('\r\n'), 'the calendar ends with CRLF');
	assert.ok(!/[^\r]\n|\r[^\n]/.test(text), 'no bare LF or CR');
	for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line longer than 75 octets: ${line}`);
	const unfolded = text.replace(/\r\n[ \t]/g, '');
	const root = { name: 'ROOT', props: {}, children: [] };
	const stack = [root];
	for (const line of unfolded.split('\r\n').filter((l) => l.length)) {
		const colon = line.indexOf(':');
		assert.ok(colon > 0, `a content line has a name and a value: ${line}`);
		const name = line.slice(0, colon).split(';')[0].toUpperCase();
		const value = line.slice(colon + 1);
		if (name === 'BEGIN') {
			const c = { name: value, props: {}, children: [] };
			stack.at(-1).children.push(c);
			stack.push(c);
		} else if (name === 'END') {
			assert.equal(stack.at(-1).name, value, `END:${value} closes ${stack.at(-1).name}`);
			stack.pop();
		} else {
			stack.at(-1).props[name] = value.replace(/\\([\\;,nN])/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));
		}
	}
	assert.equal(stack.length, 1, 'every BEGIN has its END');
	assert.equal(root.children.length, 1);
	const cal = root.children[0];
	assert.equal(cal.name, 'VCALENDAR');
	for (const p of ['VERSION', 'PRODID']) assert.ok(cal.props[p], `VCALENDAR has ${p}`);
	assert.equal(cal.props.VERSION, '2.0');
	for (const ev of cal.children.filter((c) => c.name === 'VEVENT'))
		for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'SUMMARY']) assert.ok(ev.props[p], `VEVENT has ${p}`);
	return cal;
}

const P = {};
before(async () => {
	await ctx.ready();
	P.needer = await person('needer', 'Nadia Besoin');
	P.author = await person('author', 'Aurélien Idée');
	P.critic = await person('critic', 'Camille Remarque');
	P.animator = await person('animator', 'Anne Animatrice', { role: 'animator', territory: 'sceaux' });
	P.joinA = await person('joina', 'Jules Menuisier');
	P.joinB = await person('joinb', 'Inès Comptable');
});

test('from a need to a realised event, with its timeline and its calendar', { timeout: 120000 }, async () => {
	const s = ctx.s;
	const visitor = new Person(s);

	// A member posts a need; another an idea answering it.
	const needId = idFrom(await send(P.needer, '/needs/new', { title: 'Pas de fête de quartier aux Blagis', body: 'Les voisins ne se connaissent pas.' }), '/needs/');
	const id = idFrom(await send(P.author, '/initiatives/new', { title: 'Une fête des voisins', summary: 'Un repas partagé', body: 'Un repas dans le jardin, chacun apporte un plat.', needs: String(needId) }), '/initiatives/');
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM initiative_needs WHERE initiative_id = ${id} AND need_id = ${needId}`), 1);

	// A third comments and suggests a change; the author accepts it: a version and a diff appear.
	const c = await send(P.critic, '/comments', { object_type: 'initiative', object_id: String(id), body: 'Et une scène pour les musiciens ?' });
	assert.equal(c.status, 303, `comment: ${c.status}`);
	const sg = await send(P.critic, `/initiatives/${id}/suggestions`, { title: 'Une fête des voisins en musique', body: 'Un repas dans le jardin, chacun apporte un plat, et une scène ouverte.', reason: 'Pour les musiciens du quartier.' });
	assert.equal(sg.status, 303, `suggestion: ${sg.status} ${mainText(sg.body).slice(0, 200)}`);
	const sid = await scalar(s, `SELECT id FROM suggestions WHERE initiative_id = ${id}`);
	const acc = await send(P.author, `/suggestions/${sid}/accept`, {});
	assert.equal(acc.status, 303, `accepting the suggestion: ${acc.status}`);
	assert.equal(await scalar(s, `SELECT title FROM initiatives WHERE id = ${id}`), 'Une fête des voisins en musique');
	assert.ok(await scalar(s, `SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ${id}`) >= 1);
	assert.equal((await visitor.get(`/initiatives/${id}/history`)).status, 200);

	// Moves: a visitor is sent to log in, a member who is not an author is refused.
	assert.equal((await visitor.post(`/initiatives/${id}/move`, { from: 'idea', to: 'improving' })).status, 403, 'no csrf, no session: refused');
	const critMove = await send(P.critic, `/initiatives/${id}/move`, { from: 'idea', to: 'improving', note: '' });
	assert.equal(critMove.status, 403);
	// The author sees the move form and moves it to improving; no project move for them.
	let page = await P.author.get(`/initiatives/${id}`);
	assert.match(page.body, new RegExp(`action="/initiatives/${id}/move"`));
	assert.ok(!/<option value="project"/.test(page.body), 'an author is not offered the project move');
	assert.ok(!(await P.critic.get(`/initiatives/${id}`)).body.includes(`/initiatives/${id}/move`), 'a member sees no move form');
	assert.equal((await send(P.author, `/initiatives/${id}/move`, { from: 'idea', to: 'project', note: 'Vite' })).status, 403);
	assert.equal((await send(P.author, `/initiatives/${id}/move`, { from: 'idea', to: 'improving', note: 'On l’améliore ensemble' })).status, 303);
	assert.equal((await send(P.author, `/initiatives/${id}/request-project`)).status, 303);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM activities WHERE object_type = 'initiative' AND object_id = ${id} AND verb = 'Offer'`), 1);
	assert.equal((await send(P.critic, `/initiatives/${id}/request-project`)).status, 403);

	// The animator makes it a project: a note is required (422, typed values kept), then it moves; a replay is stale.
	const noNote = await send(P.animator, `/initiatives/${id}/move`, { from: 'improving', to: 'project', note: '', carrier: 'person' });
	assert.equal(noNote.status, 422);
	assert.match(noNote.body, /aria-describedby="move-note-hint move-note-error" aria-invalid="true"/);
	const proj = await send(P.animator, `/initiatives/${id}/move`, { from: 'improving', to: 'project', note: 'Un porteur et une équipe', carrier: 'person' });
	assert.equal(proj.status, 303);
	assert.equal(await scalar(s, `SELECT carrier_user_id FROM initiatives WHERE id = ${id}`), P.author.account.id);
	assert.equal((await send(P.animator, `/initiatives/${id}/move`, { from: 'improving', to: 'project', note: 'Encore' })).status, 409);

	// Two people join the team; a member cannot accept; the carrier accepts both.
	assert.equal((await send(P.joinA, `/initiatives/${id}/team/join`, { skills: 'menuiserie', message: 'Je construis la scène.' })).status, 303);
	assert.equal((await send(P.joinB, `/initiatives/${id}/team/join`, { skills: 'comptabilité', message: '' })).status, 303);
	assert.equal((await send(P.joinB, `/initiatives/${id}/team/join`, { skills: 'comptabilité', message: 'encore' })).status, 303);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM team_members WHERE initiative_id = ${id}`), 2);
	const offers = await s.query(`SELECT id FROM team_members WHERE initiative_id = ${id} ORDER BY id`);
	assert.equal((await send(P.critic, `/team/${offers[0].id}/accept`)).status, 403);
	for (const o of offers) assert.equal((await send(P.author, `/team/${o.id}/accept`)).status, 303);
	assert.equal(await scalar(s, `SELECT COUNT(*) FROM team_members WHERE initiative_id = ${id} AND state = 'accepted'`), 2);

	// The project lists the skills it seeks and its needs; a bad amount comes back with what was typed.
	assert.equal((await send(P.author, `/initiatives/${id}/skills`, { skills: 'Sonorisation, cuisine' })).status, 303);
	assert.equal((await send(P.critic, `/initiatives/${id}/project-needs`, { kind: 'money', description: 'x', amount: '5' })).status, 403);
	const badMoney = await send(P.author, `/initiatives/${id}/project-needs`, { kind: 'money', description: 'Location de la sono', amount: 'beaucoup' });
	assert.equal(badMoney.status, 422);
	assert.match(badMoney.body, /value="beaucoup"/);
	assert.match(badMoney.body, /id="need-amount-error"/);
	for (const n of [{ kind: 'money', description: 'Location de la sono', amount: '800' },
		{ kind: 'premises', description: 'Un local pour stocker les tables', surface: '20', duration: '2' },
		{ kind: 'volunteers', description: 'Dix bénévoles pour le service' }])
		assert.equal((await send(P.author, `/initiatives/${id}/project-needs`, n)).status, 303);
	page = await visitor.get(`/initiatives/${id}`);
	const text = mainText(page.body);
	for (const t of ['Location de la sono', '800 €', '20 m²', 'Dix bénévoles pour le service', 'Jules Menuisier', 'Inès Comptable', 'sonorisation'])
		assert.ok(text.includes(t), `the project page shows "${t}"`);
	assert.ok(!page.body.includes(`/team/${offers[0].id}/accept`), 'a visitor sees no accept button');

	// The animator marks it realised as an event: the place is missing first (422, kept), then it is done.
	const ev = { from: 'project', to: 'realised', note: 'La fête a eu lieu', outcome_kind: 'event', starts_at: '2031-06-21T18:00', ends_at: '2031-06-21T23:30', place: '', impact: 'Cent voisins, une scène, des amitiés; et un orchestre, bien sûr.' };
	const noPlace = await send(P.animator, `/initiatives/${id}/move`, ev);
	assert.equal(noPlace.status, 422);
	assert.match(noPlace.body, /id="outcome-place-error"/);
	assert.match(noPlace.body, /value="2031-06-21T18:00"/);
	assert.equal((await send(P.animator, `/initiatives/${id}/move`, { ...ev, place: 'Jardin de la Ménagerie, Sceaux' })).status, 303);
	assert.equal(await scalar(s, `SELECT outcome_kind FROM initiatives WHERE id = ${id}`), 'event');

	// The event is listed, and its .ics downloads and parses.
	const events = await visitor.get('/events');
	assert.equal(events.status, 200);
	assert.ok(mainText(events.body).includes('Une fête des voisins en musique'));
	const ics = await visitor.get(`/initiatives/${id}/event.ics`);
	assert.equal(ics.status, 200);
	assert.match(ics.headers['content-type'], /^text\/calendar; charset=utf-8/);
	const cal = parseIcs(ics.body);
	const vevent = cal.children.find((x) => x.name === 'VEVENT');
	assert.equal(vevent.props.DTSTART, '20310621T160000Z'); // 18:00 in Paris, summer time
	assert.equal(vevent.props.DTEND, '20310621T213000Z');
	assert.equal(vevent.props.LOCATION, 'Jardin de la Ménagerie, Sceaux');
	assert.equal(vevent.props.SUMMARY, 'Une fête des voisins en musique');
	assert.equal(vevent.props.DESCRIPTION, ev.impact);
	const all = parseIcs((await visitor.get('/events.ics')).body);
	assert.ok(all.children.some((x) => x.name === 'VEVENT' && x.props.UID === vevent.props.UID));

	// The timeline shows every move with its author and note.
	const tl = await visitor.get(`/initiatives/${id}/timeline`);
	assert.equal(tl.status, 200);
	const items = [...tl.body.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => mainText(`<main>${m[1]}</main>`));
	const moves = items.filter((x) => x.includes('→'));
	assert.equal(moves.length, 3, `three moves in ${JSON.stringify(items)}`);
	assert.ok(moves[0].includes('Aurélien Idée') && moves[0].includes('On l’améliore ensemble'), moves[0]);
	assert.ok(moves[1].includes('Anne Animatrice') && moves[1].includes('Un porteur et une équipe'), moves[1]);
	assert.ok(moves[2].includes('Anne Animatrice') && moves[2].includes('La fête a eu lieu'), moves[2]);
});

test('archived and merged initiatives say why and where to go', { timeout: 60000 }, async () => {
	const s = ctx.s;
	const target = idFrom(await send(P.author, '/initiatives/new', { title: 'Le grand pique-nique', body: 'Au parc.' }), '/initiatives/');
	const twin = idFrom(await send(P.needer, '/initiatives/new', { title: 'Un pique-nique', body: 'Au parc aussi.' }), '/initiatives/');
	const withdrawn = idFrom(await send(P.needer, '/initiatives/new', { title: 'Une idée retirée', body: 'Finalement non.' }), '/initiatives/');
	// Only animators merge; the target must exist.
	assert.equal((await send(P.needer, `/initiatives/${twin}/move`, { from: 'idea', to: 'merged', note: 'Doublon', merged_into: String(target) })).status, 403);
	const bad = await send(P.animator, `/initiatives/${twin}/move`, { from: 'idea', to: 'merged', note: 'Doublon', merged_into: '99999999' });
	assert.equal(bad.status, 422);
	assert.equal((await send(P.animator, `/initiatives/${twin}/move`, { from: 'idea', to: 'merged', note: 'Même idée, mêmes voisins', merged_into: String(target) })).status, 303);
	const merged = await new Person(s).get(`/initiatives/${twin}`);
	assert.match(merged.body, new RegExp(`<a href="/initiatives/${target}">Le grand pique-nique</a>`));
	assert.ok(mainText(merged.body).includes('Même idée, mêmes voisins'));
	// An author withdraws their idea, saying why.
	assert.equal((await send(P.needer, `/initiatives/${withdrawn}/move`, { from: 'idea', to: 'archived', note: 'Le projet de la mairie suffit' })).status, 303);
	const archived = await new Person(s).get(`/initiatives/${withdrawn}`);
	assert.ok(mainText(archived.body).includes('Le projet de la mairie suffit'));
});
