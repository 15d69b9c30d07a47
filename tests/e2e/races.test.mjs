// Races: the same request sent 50 times at the same instant. Each request
// is written whole but its last byte on its own connection; once all 50
// are waiting, the last bytes go out together (the "last-byte sync" of
// race-condition testing), so the server handles them as concurrently as
// it can.
//
// Each case says what the 50 requests must leave behind. The write that
// exists now, the contact form, is not idempotent: 50 identical messages
// are 50 messages. The cases the issue is about come with their routes,
// and each must have exactly ONE effect however many copies arrive:
//   - support an initiative (POST /initiatives/{id}/support): one support row;
//   - join a team (POST .../join): one membership, one notification;
//   - accept a suggestion: accepted once, one activity, one notification.
// Add them to RACES below as they land (see the template at its end).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { useServer, contactSession } from './harness.mjs';
import { Person, createUser, logInOk, freshEmail, freshPassword, csrfOf } from './db.mjs';

const s = useServer();
const COPIES = 50;

/* Status of each raw response in buf (Content-Length framing). */
function statusOf(buf) {
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.toString('latin1'));
	return m ? Number(m[1]) : 0;
}

/*
 * Send request (a string) on `copies` connections, all but its last byte
 * first, then every last byte at once. Resolves the statuses, in order.
 */
async function sendTogether(request, copies = COPIES) {
	const bytes = Buffer.from(request);
	const socks = await Promise.all(Array.from({ length: copies }, () => new Promise((resolve, reject) => {
		const sock = net.connect(s.port, '127.0.0.1', () => sock.write(bytes.subarray(0, -1), () => resolve(sock)));
		sock.on('error', reject);
	})));
	const answers = socks.map((sock) => new Promise((resolve) => {
		const parts = [];
		sock.on('data', (b) => parts.push(b));
		sock.on('close', () => resolve(statusOf(Buffer.concat(parts))));
		sock.setTimeout(20000, () => sock.destroy());
	}));
	for (const sock of socks) sock.write(bytes.subarray(-1));
	return Promise.all(answers);
}

/* A raw urlencoded POST, closing the connection after the answer. */
function rawPost(path, cookie, fields) {
	const body = new URLSearchParams(fields).toString();
	return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nCookie: ${cookie}\r\n` +
		`Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const count = async (sql) => Number((await s.query(sql))[0].n);

/*
 * Each race: prepare() returns what send() and check() need; send() returns
 * the request text sent COPIES times; check(ctx, statuses) asserts what the
 * database holds.
 */
const RACES = [
	{
		name: `${COPIES} identical contact messages are ${COPIES} messages, each with its activity`,
		async prepare() {
			const sess = await contactSession(s);
			return { sess, marker: `race-${randomBytes(6).toString('hex')}` };
		},
		send: ({ sess, marker }) => rawPost('/contact', sess.cookie, { csrf: sess.csrf, name: 'Race', message: `same message ${marker}` }),
		async check({ marker }, statuses) {
			assert.deepEqual(statuses.filter((x) => x !== 303), [], `answers other than 303: ${statuses.join(' ')}`);
			assert.equal(await count(`SELECT COUNT(*) AS n FROM contact_messages WHERE body = 'same message ${marker}'`), COPIES,
				'the number of messages stored');
			assert.equal(await count(`SELECT COUNT(*) AS n FROM activities a JOIN contact_messages m
				ON a.object_type = 'contact_message' AND a.object_id = m.id AND a.verb = 'Create'
				WHERE m.body = 'same message ${marker}'`), COPIES, 'one Create activity per message');
		},
	},
	{
		name: `${COPIES} identical supports of one initiative are one support, then ${COPIES} withdrawals are one`,
		async prepare() {
			const account = { email: freshEmail('race-support'), name: 'Rachel Course', password: freshPassword('race') };
			const { id: userId } = await createUser(s, account);
			const p = new Person(s);
			await logInOk(p, account);
			const id = Number((await s.query("SELECT MIN(i.id) AS id FROM initiatives i JOIN territories t ON t.id = i.territory_id WHERE t.slug = 'sceaux'"))[0].id);
			const page = await p.get(`/initiatives/${id}`);
			assert.equal(page.status, 200);
			const support = (sql) => count(sql.replaceAll('ID', String(id)).replaceAll('USER', String(userId)));
			return { p, id, userId, csrf: csrfOf(page.body), cookie: p.cookieHeader(), support,
				before: await support('SELECT support_count AS n FROM initiatives WHERE id = ID') };
		},
		send: (ctx) => rawPost(`/initiatives/${ctx.id}/support`, ctx.cookie, { csrf: ctx.csrf }),
		async check(ctx, statuses) {
			assert.deepEqual(statuses.filter((x) => x !== 303), [], `answers other than 303: ${statuses.join(' ')}`);
			assert.equal(await ctx.support('SELECT COUNT(*) AS n FROM supports WHERE initiative_id = ID AND user_id = USER'), 1, 'one support row');
			assert.equal(await ctx.support('SELECT support_count AS n FROM initiatives WHERE id = ID'), ctx.before + 1, 'the counter went up by one');
			assert.equal(await ctx.support("SELECT COUNT(*) AS n FROM activities WHERE verb = 'Like' AND object_type = 'initiative' AND object_id = ID AND actor_id = USER"), 1, 'one Like activity');
			// And back: 50 withdrawals at once remove it once.
			const back = await sendTogether(rawPost(`/initiatives/${ctx.id}/unsupport`, ctx.cookie, { csrf: ctx.csrf }));
			assert.deepEqual(back.filter((x) => x !== 303), [], `answers other than 303: ${back.join(' ')}`);
			assert.equal(await ctx.support('SELECT COUNT(*) AS n FROM supports WHERE initiative_id = ID AND user_id = USER'), 0, 'no support row left');
			assert.equal(await ctx.support('SELECT support_count AS n FROM initiatives WHERE id = ID'), ctx.before, 'the counter is back');
			assert.equal(await ctx.support("SELECT COUNT(*) AS n FROM activities WHERE verb = 'Undo' AND object_type = 'initiative' AND object_id = ID AND actor_id = USER"), 1, 'one Undo activity');
		},
	},
	{
		name: `${COPIES} identical "me too" on one need are one`,
		async prepare() {
			const account = { email: freshEmail('race-metoo'), name: 'Rémi Course', password: freshPassword('race') };
			const { id: userId } = await createUser(s, account);
			const p = new Person(s);
			await logInOk(p, account);
			const id = Number((await s.query("SELECT MIN(n.id) AS id FROM needs n JOIN territories t ON t.id = n.territory_id WHERE t.slug = 'sceaux'"))[0].id);
			const page = await p.get(`/needs/${id}`);
			assert.equal(page.status, 200);
			const q = (sql) => count(sql.replaceAll('ID', String(id)).replaceAll('USER', String(userId)));
			return { id, csrf: csrfOf(page.body), cookie: p.cookieHeader(), q,
				before: await q('SELECT metoo_count AS n FROM needs WHERE id = ID') };
		},
		send: (ctx) => rawPost(`/needs/${ctx.id}/metoo`, ctx.cookie, { csrf: ctx.csrf }),
		async check(ctx, statuses) {
			assert.deepEqual(statuses.filter((x) => x !== 303), [], `answers other than 303: ${statuses.join(' ')}`);
			assert.equal(await ctx.q('SELECT COUNT(*) AS n FROM need_metoos WHERE need_id = ID AND user_id = USER'), 1, 'one row');
			assert.equal(await ctx.q('SELECT metoo_count AS n FROM needs WHERE id = ID'), ctx.before + 1, 'the counter went up by one');
		},
	},
	// Template for the one-effect races (support, join, accept):
	// {
	// 	name: `${COPIES} identical supports of one initiative are one support`,
	// 	async prepare() { /* log in a confirmed member (db.mjs), pick an initiative, read the form's csrf */ },
	// 	send: (ctx) => rawPost(`/initiatives/${ctx.id}/support`, ctx.cookie, { csrf: ctx.csrf }),
	// 	async check(ctx, statuses) {
	// 		/* every answer is 303 (or a refusal), the supports table holds ONE row for (user, initiative),
	// 		   the counter shown on the page is +1, one activity */
	// 	},
	// },
];

for (const race of RACES) {
	test(race.name, { timeout: 60000 }, async () => {
		const ctx = await race.prepare();
		const statuses = await sendTogether(race.send(ctx));
		assert.equal(statuses.length, COPIES);
		await race.check(ctx, statuses);
	});
}

test('the same race from 50 different sessions: 50 messages', { timeout: 60000 }, async () => {
	const marker = `race-many-${randomBytes(6).toString('hex')}`;
	const sessions = await Promise.all(Array.from({ length: COPIES }, () => contactSession(s)));
	const socks = [];
	// Different requests, so the last-byte sync is done here by hand.
	const requests = sessions.map((x, i) => Buffer.from(rawPost('/contact', x.cookie, { csrf: x.csrf, name: `Race ${i}`, message: `many ${marker}` })));
	for (const req of requests) {
		socks.push(await new Promise((resolve, reject) => {
			const sock = net.connect(s.port, '127.0.0.1', () => sock.write(req.subarray(0, -1), () => resolve(sock)));
			sock.on('error', reject);
		}));
	}
	const answers = socks.map((sock) => new Promise((resolve) => {
		const parts = [];
		sock.on('data', (b) => parts.push(b));
		sock.on('close', () => resolve(statusOf(Buffer.concat(parts))));
	}));
	socks.forEach((sock, i) => sock.write(requests[i].subarray(-1)));
	const statuses = await Promise.all(answers);
	assert.deepEqual(statuses.filter((x) => x !== 303), [], `answers other than 303: ${statuses.join(' ')}`);
	assert.equal(await count(`SELECT COUNT(*) AS n FROM contact_messages WHERE body = 'many ${marker}'`), COPIES);
});

s.addStopTest();
