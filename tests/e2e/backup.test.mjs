// `tremplin backup`: a copy of the embedded SQLite database taken while the
// server keeps writing (SQLite's online backup from one read snapshot). The
// copy must pass integrity_check, hold every write the server acknowledged
// before the backup began, hold no half-written change, and be a database
// `serve` runs on. On PostgreSQL the command says to use pg_dump instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, startServerOn, runTremplin, formFields, USE_PG } from './harness.mjs';
import { Person, createUser, freshEmail, freshPassword, logInOk, findForm } from './db.mjs';

const dir = mkdtempSync(join(tmpdir(), 'tremplin-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sqlite(file, sql) {
	return execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', file, sql], { encoding: 'utf8' }).trim();
}

test('on PostgreSQL, backup refuses and points to pg_dump', { skip: !USE_PG && 'the PostgreSQL case runs with TREMPLIN_TEST_DB=pg' }, async () => {
	const to = join(dir, 'pg-copy.db');
	const r = await runTremplin(['backup', '--db', process.env.TREMPLIN_TEST_PG, '--to', to]);
	assert.notEqual(r.code, 0, 'backup of a PostgreSQL URL fails');
	assert.match(r.stderr, /pg_dump/, `the message names pg_dump: ${r.stderr}`);
	assert.ok(!existsSync(to) && !existsSync(to + '.tmp'), 'no file is written');
});

test('backup refuses a missing database and the database itself, and needs --to', async () => {
	const missing = await runTremplin(['backup', '--db', `sqlite:${join(dir, 'nope.db')}`, '--to', join(dir, 'x.db')]);
	assert.notEqual(missing.code, 0);
	assert.match(missing.stderr, /no database at/);
	assert.ok(!existsSync(join(dir, 'nope.db')), 'a mistyped path is not created as an empty database');
	const self = join(dir, 'self.db');
	sqlite(self, 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
	const onto = await runTremplin(['backup', '--db', `sqlite:${self}`, '--to', self]);
	assert.notEqual(onto.code, 0);
	assert.match(onto.stderr, /is the database itself/);
	assert.equal(sqlite(self, 'SELECT x FROM t'), '1', 'the database is untouched');
	const noTo = await runTremplin(['backup', '--db', `sqlite:${self}`]);
	assert.equal(noTo.code, 2);
	assert.match(noTo.stderr, /--to/);
});

describeSqlite();

function describeSqlite() {
	const skip = USE_PG && 'tremplin backup copies SQLite databases; PostgreSQL is backed up with pg_dump (docs/deploy.md)';
	let server;
	before(async () => {
		if (skip) return;
		// Enough data for the copy to take many steps (256 pages each): a bench-seeded database.
		server = await startServer({
			demo: false,
			setup: async ({ url }) => {
				const r = await runTremplin(['bench-seed', '--db', url, '--territories', '2', '--initiatives', '20000', '--people', '8000']);
				if (r.code !== 0) throw new Error(`bench-seed: ${r.stderr}`);
			},
		});
	});
	after(async () => { if (server) await server.stop(5000); });

	test('a backup taken while the server writes is complete, consistent, and serves', { skip, timeout: 240000 }, async (t) => {
		const account = { email: freshEmail('backup'), name: 'Bastien Sauvegarde', password: freshPassword('backup') };
		await createUser(server, account);
		const member = new Person(server);
		await logInOk(member, account);
		const page = await member.get('/organisations/new');
		assert.equal(page.status, 200);
		const fields = formFields(findForm(page.body, '/organisations/new').html);

		// Writers: two lanes creating organisations until told to stop; each
		// name is recorded with the time its 303 (the acknowledgement) arrived.
		const acked = [];
		let stop = false, n = 0;
		async function lane(tag) {
			while (!stop) {
				const name = `Sauvegarde ${tag} ${n++} ${process.pid}`;
				const r = await member.post('/organisations/new', { ...fields, name, kind: 'association', summary: 'Écrite pendant la sauvegarde' });
				assert.equal(r.status, 303, `creating ${name}: ${r.status}`);
				acked.push({ name, at: Date.now() });
			}
		}
		const lanes = [lane('a'), lane('b')];
		while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));

		const to = join(dir, 'copy.db');
		writeFileSync(to, 'an older backup, replaced only once the new copy is complete');
		const began = Date.now();
		const r = await runTremplin(['backup', '--db', server.dbUrl, '--to', to]);
		const ended = Date.now();
		const duringBackup = acked.filter((a) => a.at > began && a.at < ended).length;
		stop = true;
		await Promise.all(lanes);
		assert.equal(r.code, 0, `backup exited ${r.code}: ${r.stderr}`);
		assert.match(r.stderr, /integrity_check ok/, `backup reports the check: ${r.stderr}`);
		const steps = Number(/(\d+) steps/.exec(r.stderr)?.[1]);
		t.diagnostic(`backup: ${ended - began} ms, ${steps} steps, ${statSync(to).size} bytes, ${duringBackup} writes acknowledged while it ran`);
		assert.ok(steps > 1, `the copy was made in several steps (${r.stderr})`);
		assert.ok(!existsSync(to + '.tmp'), 'the temporary file is gone');
		assert.ok(!existsSync(to + '-journal') && !existsSync(to + '-wal'), 'the copy is one self-contained file');

		assert.equal(sqlite(to, 'PRAGMA integrity_check'), 'ok');
		const names = new Set(sqlite(to, "SELECT name FROM organisations WHERE name LIKE 'Sauvegarde %'").split('\n'));
		const before = acked.filter((a) => a.at < began);
		const lost = before.filter((a) => !names.has(a.name));
		assert.deepEqual(lost.map((a) => a.name), [], `${lost.length} of the ${before.length} writes acknowledged before the backup began are missing from the copy`);
		// Each write is one transaction with its activity: the copy has both or neither.
		assert.equal(sqlite(to, `SELECT COUNT(*) FROM organisations o WHERE NOT EXISTS
			(SELECT 1 FROM activities a WHERE a.object_type = 'organisation' AND a.object_id = o.id AND a.verb = 'Create')`), '0',
		'every organisation in the copy has the activity written in the same transaction');
		const all = Number(sqlite(to, 'SELECT COUNT(*) FROM organisations'));
		assert.ok(all >= before.length);
		assert.equal(sqlite(to, 'SELECT COUNT(*) FROM users'), sqlite(server.dbUrl.slice('sqlite:'.length), 'SELECT COUNT(*) FROM users'),
			'no account was made during the backup, so both hold the same accounts');

		// Restore: serve runs on the copy and shows what it holds.
		const restored = await startServerOn({ dbUrl: `sqlite:${to}` });
		try {
			const h = await restored.page('/healthz');
			assert.equal(h.status, 200);
			const last = before[before.length - 1].name;
			const slug = sqlite(to, `SELECT slug FROM organisations WHERE name = '${last.replace(/'/g, "''")}'`);
			const shown = await new Person(restored).get(`/organisations/${slug}`);
			assert.equal(shown.status, 200, `GET /organisations/${slug} on the restored copy`);
			assert.ok(shown.body.includes(last), 'the restored site shows the last write acknowledged before the backup');
			const again = new Person(restored);
			await logInOk(again, account); // the account and its password came along
		} finally {
			const s = await restored.stop();
			assert.equal(s.code, 0, `serve on the restored copy exited ${s.code}: ${restored.stderr().slice(-1000)}`);
		}
	});
}
