// Several `serve` processes on one database behave as one site (README,
// "Running on PostgreSQL"): what a load balancer in front of them relies on.
// Two processes, A and B, share the test database (PostgreSQL when
// TREMPLIN_TEST_DB=pg, else one SQLite file in WAL mode, which two processes
// on one machine may share too). Each runs its own mail sender, pointed at
// one real SMTP server, with its own From address so the SMTP server can
// tell which process delivered each mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startServerOn, sleep } from './harness.mjs';
import { startSmtp } from './smtp.mjs';
import {
	Person, createUser, freshEmail, freshPassword, logIn, logInOk, logOut, showsLoggedIn,
	signUp, mainText, scalar, sqlString,
} from './db.mjs';

const FROM = { a: 'a.sender@tremplin.test', b: 'b.sender@tremplin.test' };
let smtp, A, B;

function serveOpts(which) {
	return {
		env: { TREMPLIN_SMTP_URL: smtp.url, TREMPLIN_MAIL_FROM: `Tremplin ${which.toUpperCase()} <${FROM[which]}>` },
		// Both senders look for due mail often, so they really compete for the same rows.
		args: ['--mail-poll-ms', '20'],
	};
}

before(async () => {
	smtp = await startSmtp();
	A = await startServer(serveOpts('a'));
	B = await startServerOn(A, serveOpts('b'));
});

after(async () => {
	if (B) await B.stop(5000); // B first: A's stop releases the database
	if (A) await A.stop(5000);
	if (smtp) await smtp.stop();
});

/* A person on server s who shares the cookie jar of other (the same browser behind a load balancer). */
function sameBrowser(s, other) {
	const p = new Person(s);
	p.jar = other.jar;
	return p;
}

test('a session opened on A is valid on B, and logging out on B ends it on A', async () => {
	const account = { email: freshEmail('mp'), name: 'Maxime Multiprocessus', password: freshPassword('mp') };
	await createUser(A, account);
	const onA = new Person(A);
	await logInOk(onA, account);
	const onB = sameBrowser(B, onA);
	const page = await onB.get('/settings');
	assert.equal(page.status, 200, `B answers ${page.status} to the session A opened`);
	assert.ok(showsLoggedIn(page.body, account.name), 'B shows the person logged in with the cookie A set');

	const token = onA.session;
	const out = await logOut(onB);
	assert.equal(out.status, 303, `logging out on B answers ${out.status}`);
	const old = new Person(A);
	old.session = token; // a copy of the cookie kept from before: it must mean nothing now
	const afterOut = await old.get('/settings');
	assert.notEqual(afterOut.status, 200, 'A no longer serves /settings once B ended the session');
	assert.ok(!showsLoggedIn(afterOut.body, account.name), 'A does not show the person logged in any more');
});

test('a page cached by B shows at once a write made on A', async () => {
	const visitor = new Person(B);
	const name = `Atelier des deux processus ${Date.now()}`;
	for (let i = 0; i < 3; i++) { // rendered by B once, then served from B's page cache
		const r = await visitor.get('/organisations');
		assert.equal(r.status, 200);
		assert.ok(!r.body.includes(name));
		assert.equal(r.setCookies.length, 0, 'a shared page sets no cookie (so it is cacheable)');
	}
	const account = { email: freshEmail('mpcache'), name: 'Camille Deux', password: freshPassword('mpcache') };
	await createUser(A, account);
	const member = new Person(A);
	await logInOk(member, account);
	const r = await member.submit('/organisations/new', '/organisations/new',
		{ name, kind: 'association', summary: 'Écrit sur A, lu sur B' });
	assert.equal(r.status, 303, `creating the organisation on A answers ${r.status}: ${mainText(r.body).slice(0, 300)}`);

	const seen = await visitor.get('/organisations');
	assert.equal(seen.status, 200);
	assert.ok(seen.body.includes(name), 'B served the list it had cached before the write on A');
});

/* The mails received so far whose envelope recipient is one of addresses. */
function mailsTo(addresses) {
	const want = new Set(addresses.map((a) => a.toLowerCase()));
	return smtp.messages().filter((m) => m.envelope.to.some((t) => want.has(t.toLowerCase())));
}

/* Sign up n people, alternating between A and B, a few at a time; their addresses. */
async function signUpMany(n, tag) {
	const addresses = Array.from({ length: n }, (_, i) => freshEmail(`${tag}${i}`));
	let next = 0;
	async function lane() {
		while (next < addresses.length) {
			const i = next++;
			const p = new Person(i % 2 ? B : A);
			const r = await signUp(p, { email: addresses[i], name: `Personne ${tag} ${i}`, password: freshPassword(tag) });
			assert.ok(r.status === 303 || r.status === 200, `signing up ${addresses[i]} on ${i % 2 ? 'B' : 'A'}: ${r.status}\n${mainText(r.body).slice(0, 300)}`);
		}
	}
	await Promise.all([lane(), lane(), lane(), lane()]);
	return addresses;
}

test('mails queued on both processes are each delivered exactly once, both senders running', { timeout: 240000 }, async (t) => {
	const bySender = { [FROM.a]: 0, [FROM.b]: 0 };
	// Which sender wins each row is up to the scheduler: batches are added
	// (each checked on its own) until both senders have delivered some.
	for (let batch = 0; batch < 4 && !(bySender[FROM.a] && bySender[FROM.b]); batch++) {
		const addresses = await signUpMany(30, `mp${batch}b`);
		const deadline = Date.now() + 90000;
		while (mailsTo(addresses).length < addresses.length && Date.now() < deadline) await sleep(100);
		const pending = await scalar(A, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND to_address IN (${addresses.map(sqlString).join(', ')})`);
		assert.equal(pending, 0, 'every queued mail is marked sent in the outbox');
		await sleep(1500); // a mail sent twice would arrive now
		const mails = mailsTo(addresses);
		for (const a of addresses) {
			const n = mails.filter((m) => m.envelope.to.some((t) => t.toLowerCase() === a.toLowerCase())).length;
			assert.equal(n, 1, `${a} received ${n} mails (expected exactly one)`);
		}
		assert.equal(mails.length, addresses.length);
		for (const m of mails) {
			assert.ok(m.envelope.from in bySender, `a mail came from ${m.envelope.from}`);
			bySender[m.envelope.from]++;
		}
	}
	t.diagnostic(`delivered by A: ${bySender[FROM.a]}, by B: ${bySender[FROM.b]}`);
	assert.ok(bySender[FROM.a] > 0 && bySender[FROM.b] > 0,
		`both processes delivered mail (A: ${bySender[FROM.a]}, B: ${bySender[FROM.b]})`);
});

test('rate limits are shared: failed log-ins on A and B add up', async () => {
	const account = { email: freshEmail('mprate'), name: 'Rita Limite', password: freshPassword('mprate') };
	await createUser(A, account);
	// login_account allows 10 failures per account in 15 minutes (src/auth/ratelimit.c):
	// 5 on each process stay under it on each, and use it up together.
	for (let i = 0; i < 10; i++) {
		const r = await logIn(new Person(i % 2 ? B : A), { email: account.email, password: 'not the password at all' });
		assert.notEqual(r.status, 303, 'a wrong password does not log in');
		assert.notEqual(r.status, 429, `attempt ${i + 1} of 10 is refused as too many`);
	}
	for (const [name, s] of [['A', A], ['B', B]]) {
		const r = await logIn(new Person(s), account);
		assert.equal(r.status, 429, `${name} answers ${r.status} to the right password after 10 failures shared between A and B`);
	}
});

test('both processes stop on SIGTERM with exit code 0', async () => {
	for (const [name, s] of [['B', B], ['A', A]]) {
		const r = await s.stop();
		assert.ok(!r.timedOut, `${name} did not exit within 15 s of SIGTERM`);
		assert.equal(r.code, 0, `${name}: exit code ${r.code}; stderr: ${s.stderr().slice(-2000)}`);
	}
});
