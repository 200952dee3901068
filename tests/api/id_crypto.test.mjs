// ID numbers sealed at rest (issue 13): the database file holds no ID number
// (the `strings` check), yet the whole number and, for roles that see ID
// numbers unmasked, its last four still find the customer; duplicates are
// still caught; exports, history and birthdays give a masking role nothing
// of what the mask hides; numbers stored in clear by an earlier version are
// sealed at start-up; rotate-key moves every number to a new key; a wrong or
// malformed key stops the server with a clear message.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { useServer, PG_DIR } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  makeIdNumber,
  idCheckChar,
  maskId,
  signInAll,
  resignIn,
  createCustomer,
  getCustomer,
  uploadCsv,
  pollJob,
  runExport,
  parseCsv,
  toCsv,
} from './lib/customers.mjs';

const ID_RUN = /[0-9]{17}[0-9Xx]/g;

/** A run that is a valid ID number: a real birth date and its check character. */
function isIdNumber(s) {
  const d = new Date(`${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}T00:00:00Z`);
  const real = !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  return real && Number(s.slice(6, 10)) > 1900 && idCheckChar(s.slice(0, 17)) === s[17].toUpperCase();
}

describe('ID numbers encrypted at rest', () => {
  const srv = useServer({
    label: 'id-crypto',
    users: [
      { login: 'A9141', name: '密钥管理员', role: 'admin', branch: 'GD' },
      { login: 'M9141', name: '密钥经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9141', name: '密钥柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(14);
  let admin, mgr, clerk;
  const made = []; // {id, idn, phone}
  const imported = []; // ID numbers of imported rows

  const ids = (r) => r.body.items.map((x) => x.id).sort((a, b) => a - b);
  const filter = (f) => `/customers?filter=${encodeURIComponent(JSON.stringify(f))}`;
  const signIn = async () => {
    ({ A9141: admin, M9141: mgr, C9141: clerk } = await signInAll(srv, ['A9141', 'M9141', 'C9141']));
  };

  /** The database's bytes (main file and write-ahead log) as latin1 text. */
  function dbBytes() {
    let text = fs.readFileSync(srv.dbPath).toString('latin1');
    if (fs.existsSync(`${srv.dbPath}-wal`)) text += fs.readFileSync(`${srv.dbPath}-wal`).toString('latin1');
    return text;
  }

  /** Write to the stopped server's database. */
  function writeDb(sql) {
    const r = PG_DIR
      ? spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', srv.pgName, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' })
      : spawnSync('sqlite3', [srv.dbPath, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }

  async function stop() {
    const res = await srv.terminate();
    assert.ok(res && !res.timedOut && res.code === 0, `server stop: ${JSON.stringify(res)}`);
  }

  async function start(env = {}) {
    Object.assign(srv.env, env);
    srv.stopping = false;
    srv.exited = null;
    await srv.launch();
    await resignIn(srv, admin, 'A9141');
    await resignIn(srv, mgr, 'M9141');
    await resignIn(srv, clerk, 'C9141');
  }

  test('set-up: customers with ID numbers made through the form and an import', async () => {
    await signIn();
    for (let i = 0; i < 3; i++) {
      const idn = u.idNumber({ gender: i % 2 ? 'female' : 'male' });
      const phone = u.phone();
      const c = await createCustomer(clerk, { name: `密文客户${i}`, phone, id_number: idn });
      made.push({ id: c.id, idn, phone });
    }
    const rows = [['姓名', '手机号', '身份证号']];
    for (let i = 0; i < 2; i++) {
      const idn = u.idNumber();
      imported.push(idn);
      rows.push([`导入密文${i}`, u.phone(), idn]);
    }
    const up = await uploadCsv(mgr, Buffer.from(toCsv(rows)));
    assert.equal(up.status, 201, show(up));
    const run = await mgr.post(`/imports/${up.body.import.id}/run`, {
      mapping: { 姓名: 'name', 手机号: 'phone', 身份证号: 'id_number' },
      on_duplicate: 'skip',
      dry_run: false,
    });
    assert.equal(run.status, 202, show(run));
    const job = await pollJob(mgr, `/imports/${up.body.import.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    const sealed = srv.queryDb(`SELECT count(*) FROM customers WHERE id_sealed IS NOT NULL AND id_number IS NULL AND name LIKE '导入密文%'`);
    assert.equal(sealed[0][0], '2', `both imported rows sealed: ${JSON.stringify(job)}`);
  });

  test('the whole ID number finds the customer for every role, typed with a lower-case x or in the 15-digit form', async () => {
    for (const client of [clerk, mgr, admin]) {
      for (const m of made) {
        const r = await client.get(`/customers?q=${m.idn}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(ids(r), [m.id], `q=${m.idn}`);
      }
      for (const idn of imported) {
        const r = await client.get(`/customers?q=${idn}`);
        assert.equal(r.body.items.length, 1, `imported ${idn}: ${show(r)}`);
      }
    }
    const legacy = '440103850312123'; // 15 digits: 44010319850312123 + check
    const c = await createCustomer(mgr, { name: '旧证密文', phone: u.phone(), id_number: legacy });
    const r = await clerk.get(`/customers?q=${legacy}`);
    assert.deepEqual(ids(r), [c.id], show(r));
  });

  test('the last four of an ID number find the customer for a manager, not for a clerk who sees it masked', async () => {
    const m = made[0];
    const last4 = m.idn.slice(-4);
    assert.notEqual(last4, m.phone.slice(-4));
    const r = await mgr.get(`/customers?q=${last4}`);
    assert.equal(r.status, 200, show(r));
    assert.ok(ids(r).includes(m.id), `manager q=${last4}: ${show(r)}`);
    const c = await clerk.get(`/customers?q=${last4}`);
    assert.equal(c.status, 200, show(c));
    assert.ok(!ids(c).includes(m.id), `a clerk may not test an ID number's digits: ${show(c)}`);
    // An ID number ending in X: three digits and an X are its last four.
    const idx = makeIdNumber({ region: '440106', birthday: '1988-02-03', seq: 7, gender: 'male' });
    let xid = idx;
    for (let seq = 8; !xid.endsWith('X'); seq++) xid = makeIdNumber({ region: '440106', birthday: '1988-02-03', seq, gender: 'male' });
    const cx = await createCustomer(clerk, { name: '末位叉', phone: u.phone(), id_number: xid });
    const rx = await mgr.get(`/customers?q=${xid.slice(-4).toLowerCase()}`);
    assert.deepEqual(ids(rx), [cx.id], show(rx));
    const cxr = await clerk.get(`/customers?q=${xid.slice(-4)}`);
    assert.deepEqual(ids(cxr), [], show(cxr));
  });

  test('filters: id_number eq / in through the index; any other operator is refused with a clear message', async () => {
    const [a, b] = made;
    let r = await clerk.get(filter({ field: 'id_number', op: 'eq', value: a.idn }));
    assert.deepEqual(ids(r), [a.id], show(r));
    r = await admin.get(filter({ field: 'id_number', op: 'in', value: [a.idn, b.idn.toLowerCase()] }));
    assert.deepEqual(ids(r), [a.id, b.id].sort((x, y) => x - y), show(r));
    for (const op of ['starts_with', 'contains', 'gt']) {
      const e = expectError(await admin.get(filter({ field: 'id_number', op, value: a.idn.slice(0, 6) })), 422, 'validation_failed', {
        fields: ['filter'],
      });
      assert.match(e.fields.filter, /身份证号只能按完整号码查询/, op);
    }
    const en = await admin.get(filter({ field: 'id_number', op: 'contains', value: '1234' }), { lang: 'en' });
    const ee = expectError(en, 422, 'validation_failed', { lang: 'en', fields: ['filter'] });
    assert.match(ee.fields.filter, /ID numbers can only be searched by whole numbers/);
  });

  test('a second profile with the same ID number is caught as a duplicate, also through the form\'s live check', async () => {
    const m = made[1];
    const dup = await clerk.post('/customers', { name: '重复密文', phone: u.phone(), id_number: m.idn });
    const e = expectError(dup, 409, 'duplicate');
    assert.ok(e.duplicates.some((d) => d.id === m.id && d.match === 'id_number'), show(dup));
    const live = await clerk.get(`/customers/duplicates?id_number=${m.idn}`);
    assert.equal(live.status, 200, show(live));
    assert.ok(live.body.items.some((d) => d.id === m.id && d.match === 'id_number'), show(live));
  });

  test('a clerk sees the ID as its last four and the birthday without its year; a manager sees the birthday whole', async () => {
    const m = made[0];
    const birthday = `${m.idn.slice(6, 10)}-${m.idn.slice(10, 12)}-${m.idn.slice(12, 14)}`;
    const c = await getCustomer(clerk, m.id);
    assert.equal(c.id_number, maskId(m.idn));
    assert.match(c.id_number, /^\*{14}[0-9X]{4}$/);
    assert.equal(c.birthday, birthday.slice(5));
    assert.ok(!JSON.stringify(c).includes(birthday), 'no full birthday in what the clerk gets');
    assert.equal((await getCustomer(mgr, m.id)).birthday, birthday);
    const list = await clerk.get(`/customers?q=${m.idn}`);
    assert.equal(list.body.items[0].birthday, birthday.slice(5), show(list));
  });

  test('a clerk may not filter birthdays by date, range or age; month-day filters still work', async () => {
    const m = made[0];
    const birthday = `${m.idn.slice(6, 10)}-${m.idn.slice(10, 12)}-${m.idn.slice(12, 14)}`;
    for (const f of [
      { field: 'birthday', op: 'eq', value: birthday },
      { field: 'birthday', op: 'between', value: ['1900-01-01', birthday] },
      { field: 'birthday', op: 'lt', value: birthday },
      { field: 'birthday', op: 'within_days', value: 20000 },
    ]) {
      const e = expectError(await clerk.get(filter(f)), 422, 'validation_failed', { fields: ['filter'] });
      assert.match(e.fields.filter, /出生年份/, `${f.op}: ${e.fields.filter}`);
    }
    let r = await clerk.get(filter({ field: 'birthday_md', op: 'eq', value: birthday.slice(5) }));
    assert.equal(r.status, 200, show(r));
    assert.ok(ids(r).includes(m.id), show(r));
    r = await mgr.get(filter({ field: 'birthday', op: 'eq', value: birthday }));
    assert.ok(ids(r).includes(m.id), show(r));
  });

  test('a clerk\'s edit cannot test a guessed year: a birthday typed beside a kept ID number is ignored', async () => {
    const m = made[2];
    const year = m.idn.slice(6, 10);
    const md = `${m.idn.slice(10, 12)}-${m.idn.slice(12, 14)}`;
    const answers = [];
    for (const guess of [year, String(Number(year) + 1)]) {
      const cur = await getCustomer(clerk, m.id);
      const r = await clerk.patch(`/customers/${m.id}`, { version: cur.version, birthday: `${guess}-${md}` });
      answers.push(r.status);
    }
    assert.deepEqual(answers, [200, 200], 'right and wrong years answer alike');
    assert.equal((await getCustomer(mgr, m.id)).birthday, `${year}-${md}`, 'the birthday stays the ID\'s');
  });

  test('export: the admin gets whole ID numbers and birthdays, a clerk the last four and month-day', async () => {
    const cols = ['name', 'id_number', 'birthday'];
    const m = made[0];
    const birthday = `${m.idn.slice(6, 10)}-${m.idn.slice(10, 12)}-${m.idn.slice(12, 14)}`;
    const full = await runExport(admin, { entity: 'customer', format: 'csv', columns: cols, q: m.idn });
    let rows = parseCsv(full.file.bytes.toString('utf8')).slice(1).filter((r) => r.length > 1);
    assert.deepEqual(rows, [['密文客户0', m.idn, birthday]]);
    const masked = await runExport(clerk, { entity: 'customer', format: 'csv', columns: cols, q: m.idn });
    rows = parseCsv(masked.file.bytes.toString('utf8')).slice(1).filter((r) => r.length > 1);
    assert.deepEqual(rows, [['密文客户0', maskId(m.idn), birthday.slice(5)]]);
  });

  test('history keeps a changed ID number masked and shows a clerk birthdays without their year', async () => {
    const m = made[1];
    const next = u.idNumber({ gender: 'female' });
    const cur = await getCustomer(admin, m.id);
    const r = await admin.patch(`/customers/${m.id}`, { version: cur.version, id_number: next });
    assert.equal(r.status, 200, show(r));
    const h = await admin.get(`/customers/${m.id}/history`);
    assert.equal(h.status, 200, show(h));
    const idRow = h.body.items.find((x) => x.field === 'id_number');
    assert.ok(idRow, show(h));
    assert.equal(idRow.old_value, maskId(m.idn));
    assert.equal(idRow.new_value, maskId(next));
    const stored = JSON.stringify(srv.queryDb(`SELECT old_value, new_value FROM change_log WHERE field = 'id_number' AND object_id = ${m.id}`));
    assert.ok(!stored.includes(m.idn) && !stored.includes(next), `change_log holds a clear number: ${stored}`);
    const ch = await clerk.get(`/customers/${m.id}/history`);
    const bd = ch.body.items.find((x) => x.field === 'birthday');
    assert.ok(bd, show(ch));
    assert.match(bd.old_value, /^\d\d-\d\d$/);
    assert.match(bd.new_value, /^\d\d-\d\d$/);
    m.idn = next;
  });

  test('the database file holds no ID number (strings finds none)', { skip: PG_DIR ? 'a SQLite file check' : false }, async () => {
    await stop();
    const text = dbBytes();
    for (const n of [...made.map((m) => m.idn), ...imported]) assert.ok(!text.includes(n), `${n} in the database file`);
    // Runs of 18 digits occur (a phone beside its last four): none of them
    // is a valid ID number.
    const valid = (text.match(ID_RUN) || []).filter(isIdNumber);
    assert.deepEqual(valid, [], 'no valid ID number anywhere in the file');
    await start();
  });

  test('numbers an earlier version stored in clear are sealed at start-up, history included, and the file rewritten', { skip: PG_DIR ? 'a SQLite file check' : false }, async () => {
    const m = made[2];
    await stop();
    // As the version before 0014 left them: the number in clear, no seal.
    writeDb(`UPDATE customers SET id_number = '${m.idn}', id_sealed = NULL, id_index = NULL, id_last4_index = NULL WHERE id = ${m.id}`);
    writeDb(`INSERT INTO change_log (entity, object_id, at, field, old_value, new_value) VALUES ('customer', ${m.id}, 0, 'id_number', NULL, '"${m.idn}"')`);
    assert.ok(dbBytes().includes(m.idn), 'the test put a clear number in the file');
    await start();
    const r = await clerk.get(`/customers?q=${m.idn}`);
    assert.deepEqual(ids(r), [m.id], show(r));
    const rv = await mgr.post(`/customers/${m.id}/reveal`, {});
    assert.equal(rv.body.id_number, m.idn, show(rv));
    await stop();
    assert.ok(!dbBytes().includes(m.idn), 'the clear number is gone from the file');
    await start();
  });

  test('rotate-key re-seals every number under a new key; everything stays findable; the old key is then refused', async () => {
    const oldKey = path.join(srv.dir, 'hongyan.key');
    assert.ok(fs.existsSync(oldKey), 'a key made beside the database on first start');
    assert.equal(fs.statSync(oldKey).mode & 0o777, 0o600, 'the key file is private');
    const newKey = path.join(srv.dir, 'new.key');
    fs.writeFileSync(newKey, `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const before = srv.queryDb('SELECT id_sealed FROM customers WHERE id_sealed IS NOT NULL ORDER BY id LIMIT 1')[0][0];
    await stop();
    const rot = srv.run(['rotate-key', '--db', srv.dbUrl, '--new-key-file', newKey]);
    assert.equal(rot.status, 0, rot.stderr);
    assert.match(rot.stdout, /re-sealed/);
    // Run again with the same keys: the database is under the new key now.
    const again = srv.run(['rotate-key', '--db', srv.dbUrl, '--new-key-file', newKey]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /not under the old key/);
    const after = srv.queryDb('SELECT id_sealed FROM customers WHERE id_sealed IS NOT NULL ORDER BY id LIMIT 1')[0][0];
    assert.notEqual(after.slice(0, 8), before.slice(0, 8), 'sealed under another key id');

    const refused = srv.run(['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0'], { timeoutMs: 20000 });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /wrong data key/);

    // A rotation that stopped half-way: the server waits for it to finish.
    writeDb(`UPDATE data_key SET rotating_to = 'abcdef01'`);
    const half = srv.run(['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0', '--key-file', newKey], { timeoutMs: 20000 });
    assert.notEqual(half.status, 0);
    assert.match(half.stderr, /rotation .* is unfinished/);
    writeDb(`UPDATE data_key SET rotating_to = NULL`);

    await start({ HONGYAN_DATA_KEY_FILE: newKey });
    for (const m of made) {
      const r = await clerk.get(`/customers?q=${m.idn}`);
      assert.deepEqual(ids(r), [m.id], `after rotation q=${m.idn}: ${show(r)}`);
      const l4 = await mgr.get(`/customers?q=${m.idn.slice(-4)}`);
      assert.ok(ids(l4).includes(m.id), `after rotation last four of ${m.idn}: ${show(l4)}`);
      const rv = await mgr.post(`/customers/${m.id}/reveal`, {});
      assert.equal(rv.body.id_number, m.idn, show(rv));
    }
    const dup = await clerk.post('/customers', { name: '轮换重复', phone: u.phone(), id_number: made[0].idn });
    expectError(dup, 409, 'duplicate');
  });

  test('a malformed key stops the server with a clear message, and never prints the key', async () => {
    await stop();
    const bad = 'not-a-key-0123456789';
    const r = srv.run(['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0'], { timeoutMs: 20000, env: { HONGYAN_DATA_KEY: bad } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /malformed HONGYAN_DATA_KEY/);
    assert.ok(!r.stderr.includes(bad), 'the key text is not echoed');
    const file = path.join(srv.dir, 'short.key');
    fs.writeFileSync(file, 'abcd\n', { mode: 0o600 });
    const f = srv.run(['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0', '--key-file', file], { timeoutMs: 20000 });
    assert.notEqual(f.status, 0);
    assert.match(f.stderr, /malformed key in .*short\.key/);
    await start();
  });
});
