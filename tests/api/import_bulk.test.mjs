// Bulk import (docs/decisions/0004-bulk-import.md): a large file, relative
// to the customers already stored, is imported in one transaction with the
// secondary indexes rebuilt at the end. The server runs with
// HONGYAN_IMPORT_BULK_ROWS=5 so a small file takes that path. Every rule of
// the row-by-row path must still hold (validation, duplicates against stored
// rows and within the file, tags, custom fields), and afterwards every kind
// of quick search must find the new rows through the rebuilt indexes. On
// SQLite the index definitions must be exactly those of before. While a
// bulk load runs, readers are served and never see part of the file.
// PostgreSQL has no bulk path: the same files are imported row by row there.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { useServer, PG_DIR } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import {
  Uniq,
  signInAll,
  createCustomer,
  getCustomer,
  listCustomers,
  searchIds,
  pollJob,
  uploadCsv,
  fetchBytes,
  toCsv,
  tagsByName,
  branchesByCode,
} from './lib/customers.mjs';

const HEADER = ['姓名', '手机号', '身份证号', '所在区域', '标签', '协议到期日'];
const MAPPING = {
  姓名: 'name',
  手机号: 'phone',
  身份证号: 'id_number',
  所在区域: 'region',
  标签: 'tags',
  协议到期日: 'custom.agreement_end',
};
// Given names that make unique two-character fragments per row.
const SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方'];
const GIVEN = '春夏秋冬梅兰竹菊松柏';

describe('bulk import', () => {
  const srv = useServer({
    label: 'impbulk',
    env: { HONGYAN_IMPORT_BULK_ROWS: '5' },
    users: [
      { login: 'A9661', name: '批量管理员', role: 'admin', branch: 'GD' },
      { login: 'M9661', name: '批量经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(66);
  let admin, mgr;
  let existingPhone, existingId, otherBranchPhone;
  const rows = [];
  let job;
  const sqlite = !PG_DIR;

  function schemaIndexes() {
    const r = spawnSync(
      'sqlite3',
      ['-readonly', srv.dbPath, "SELECT name || ' ' || sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim().split('\n');
  }
  let indexesBefore;

  async function runImport(csvRows, { dry = false } = {}) {
    const up = await uploadCsv(mgr, Buffer.from(toCsv([HEADER, ...csvRows]), 'utf8'));
    assert.equal(up.status, 201, show(up));
    if (dry) {
      const d = await mgr.post(`/imports/${up.body.import.id}/run`, { mapping: MAPPING, dry_run: true, on_duplicate: 'skip' });
      assert.equal(d.status, 202, show(d));
      const planned = await pollJob(mgr, `/imports/${up.body.import.id}`, 'import', { timeoutMs: 60000 });
      assert.equal(planned.mode, sqlite ? 'bulk' : 'rows', `the dry run tells the mode: ${JSON.stringify(planned)}`);
      assert.equal(planned.failed, 3, JSON.stringify(planned));
    }
    const r = await mgr.post(`/imports/${up.body.import.id}/run`, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(r.status, 202, show(r));
    const done = await pollJob(mgr, `/imports/${up.body.import.id}`, 'import', { timeoutMs: 60000 });
    assert.equal(done.status, 'done', JSON.stringify(done));
    return { ...done, id: up.body.import.id };
  }

  test('set-up: sign in, one stored customer, the schema before', async () => {
    ({ A9661: admin, M9661: mgr } = await signInAll(srv, ['A9661', 'M9661']));
    existingPhone = u.phone();
    existingId = u.idNumber();
    await createCustomer(mgr, { name: '已存在', phone: existingPhone, id_number: existingId });
    // a customer of a branch outside the manager's scope (Shenzhen)
    otherBranchPhone = u.phone();
    const sz = (await branchesByCode(admin))['GD-SZ-01'].id;
    await createCustomer(admin, { name: '深圳客户', phone: otherBranchPhone, branch_id: sz });
    if (sqlite) indexesBefore = schemaIndexes();
  });

  test('a large file goes in as one bulk load with the same rules as row by row', async () => {
    for (let i = 0; i < 50; i++) {
      const name = SURNAMES[i % 5] + GIVEN[Math.floor(i / 5)] + GIVEN[(i + 3) % 10];
      rows.push([name, u.phone(), u.idNumber(), '北京市/北京市/朝阳区', i % 2 ? '集邮爱好者' : '', i % 10 === 0 ? '2027-01-15' : '']);
    }
    rows[7][2] = rows[7][2].slice(0, 17) + (rows[7][2][17] === '1' ? '2' : '1'); // bad check character
    rows[12][4] = '不存在的标签';
    rows[20][1] = existingPhone; // a stored customer's phone
    rows[30][1] = rows[5][1]; // the same phone as an earlier row of the file
    rows[40][2] = existingId; // a stored customer's ID number
    rows[45][1] = otherBranchPhone; // another branch's customer: the row fails

    job = await runImport(rows, { dry: true });
    assert.equal(job.mode, sqlite ? 'bulk' : 'rows', JSON.stringify(job));
    assert.equal(job.rows, 50);
    assert.equal(job.skipped, 3, `duplicates of a stored row (phone, ID) and of an earlier row: ${JSON.stringify(job)}`);
    assert.equal(job.failed, 3, JSON.stringify(job));
    assert.equal(job.created, 44, JSON.stringify(job));
    const bad = job.errors.map((e) => e.message).join(' | ');
    assert.match(bad, /已存在相同手机号或身份证号的客户/, bad);
    assert.equal(Number(job.errors.find((e) => /已存在相同/.test(e.message)).row), 47, 'the 46th data row, line 47 of the file');
    assert.match(bad, /身份证号/, bad);
    assert.match(bad, /标签/, bad);
    const rep = await fetchBytes(mgr, `/imports/${job.id}/report`);
    assert.equal(rep.status, 200);
    assert.ok(rep.bytes.toString('utf8').includes('不存在的标签'), 'the bad row is in the report');
  });

  test('afterwards every quick search finds the new rows through the rebuilt indexes', async () => {
    const i = 23; // an imported row: 诸葛 + given names
    const [name, phone] = rows[i];
    const ids = await searchIds(mgr, phone);
    assert.equal(ids.length, 1, `by phone ${phone}`);
    const c = await getCustomer(mgr, ids[0]);
    assert.equal(c.name, name);
    assert.deepEqual(await searchIds(mgr, name.slice(2)), ids, `by the two-character fragment ${name.slice(2)}`);
    assert.ok((await searchIds(mgr, name.slice(1, 3))).includes(ids[0]), 'by a fragment across surname and given name');
    assert.ok((await searchIds(mgr, c.name_initials)).includes(ids[0]), `by initials ${c.name_initials}`);
    assert.ok((await searchIds(mgr, c.name_pinyin)).includes(ids[0]), `by full pinyin ${c.name_pinyin}`);
    assert.ok((await searchIds(mgr, phone.slice(-4))).includes(ids[0]), 'by the last four digits');
    assert.deepEqual(await searchIds(mgr, c.customer_no), ids, 'by customer number');
    assert.deepEqual(await searchIds(mgr, rows[i][2]), ids, 'by ID number');
    assert.equal(c.custom.agreement_end, undefined);
    const withDate = await getCustomer(mgr, (await searchIds(mgr, rows[10][1]))[0]);
    assert.equal(withDate.custom.agreement_end, '2027-01-15', 'custom field column');
    assert.deepEqual(withDate.tags, [], 'no tags on an even row');

    const tag = (await tagsByName(admin))['集邮爱好者'];
    assert.ok(tag, 'seeded tag 集邮爱好者');
    const tagged = await listCustomers(mgr, { filter: { field: 'tags', op: 'has', value: '集邮爱好者' }, limit: 200 });
    const want = rows.filter((r, k) => k % 2 && ![7, 12, 20, 30, 40, 45].includes(k)).length;
    assert.equal(tagged.total, want, 'tag filter after the bulk load');
    const newest = await listCustomers(mgr, { limit: 5, sort: '-updated_at' });
    assert.equal(newest.items.length, 5, show(newest));
  });

  test('SQLite: the same index definitions as before, and a sound database', { skip: !sqlite }, () => {
    assert.deepEqual(schemaIndexes(), indexesBefore);
    const r = spawnSync('sqlite3', ['-readonly', srv.dbPath, 'PRAGMA integrity_check'], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'ok', r.stdout + r.stderr);
  });

  /** Start importing 12,000 new customers named prefix + two given names;
   *  returns the rows, the customer count before and the import's id. */
  async function startBigImport(prefix, step) {
    const many = [];
    for (let i = 0; i < 12000; i++) many.push([`${prefix}${GIVEN[i % 10]}${GIVEN[(i * step) % 10]}`, u.phone(), '', '', '', '']);
    const before = (await listCustomers(admin, { limit: 1 })).total;
    const up = await uploadCsv(mgr, Buffer.from(toCsv([HEADER, ...many]), 'utf8'));
    assert.equal(up.status, 201, show(up));
    const id = up.body.import.id;
    const r = await mgr.post(`/imports/${id}/run`, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(r.status, 202, show(r));
    return { many, before, id };
  }

  test('while a bulk load runs, others keep reading the previous state; it shows whole at the end', async () => {
    const { before, id } = await startBigImport('批量', 7);
    let seenRunning = 0;
    for (let k = 0; k < 600; k++) {
      const g = await mgr.get(`/imports/${id}`);
      assert.equal(g.status, 200, show(g));
      const imp = g.body.import;
      if (imp.status === 'done' || imp.status === 'failed') break;
      if (imp.status === 'running') {
        seenRunning++;
        assert.ok(imp.processed <= imp.total, `progress ${imp.processed}/${imp.total}`);
        // A reader (and its session) is not held up, and sees no half-loaded
        // file: all of it once committed (the job's status follows a moment
        // later), none of it before.
        const now = (await listCustomers(admin, { limit: 1 })).total;
        if (sqlite) assert.ok(now === before || now === before + 12000, `a reader saw ${now - before} of 12000 rows`);
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    const done = await pollJob(mgr, `/imports/${id}`, 'import', { timeoutMs: 120000 });
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.equal(done.mode, sqlite ? 'bulk' : 'rows');
    assert.equal(done.created, 12000, JSON.stringify(done));
    assert.equal((await listCustomers(admin, { limit: 1 })).total, before + 12000);
    // How many polls caught it running (and checked the count); on this
    // machine dozens, but a fast one may finish first.
    process.stdout.write(`# polls that saw the bulk load running: ${seenRunning}\n`);
  });

  test('a bulk load stopped by a server restart leaves nothing half done and runs again', async () => {
    const { many, before, id } = await startBigImport('重启', 3);
    // Restart once rows are being read (or at once on a machine so fast that
    // the job is already done: then the restart finds it done).
    for (let k = 0; k < 500; k++) {
      const imp = (await mgr.get(`/imports/${id}`)).body.import;
      if (imp.status !== 'pending' && imp.status !== 'queued' && (imp.processed > 0 || imp.status !== 'running')) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    await srv.restart();
    const done = await pollJob(mgr, `/imports/${id}`, 'import', { timeoutMs: 120000 });
    assert.equal(done.status, 'done', JSON.stringify(done));
    // Every row once: what a first run wrote was rolled back (bulk) or is
    // skipped as a duplicate by the second run (row by row).
    assert.equal(done.created + done.skipped, 12000, JSON.stringify(done));
    if (sqlite) assert.equal(done.created, 12000, `bulk: the interrupted run left no rows: ${JSON.stringify(done)}`);
    assert.equal((await listCustomers(admin, { limit: 1 })).total, before + 12000);
    for (const k of [0, 5999, 11999]) assert.equal((await searchIds(mgr, many[k][1])).length, 1, `row ${k} once`);
    if (sqlite) {
      assert.deepEqual(schemaIndexes(), indexesBefore);
      const ic = spawnSync('sqlite3', ['-readonly', srv.dbPath, 'PRAGMA integrity_check'], { encoding: 'utf8' });
      assert.equal(ic.stdout.trim(), 'ok', ic.stdout + ic.stderr);
    }
  });

  test('a file small beside the stored customers goes in row by row, and is found the same', async () => {
    const small = [['皇甫春秋', u.phone(), '', '', '', ''], ['皇甫夏冬', u.phone(), '', '', '', '']];
    const j = await runImport(small.concat(small.map((r) => [r[0], r[1], '', '', '', ''])).concat([['令狐梅兰', u.phone(), '', '', '', '']]));
    assert.equal(j.mode, 'rows', JSON.stringify(j));
    assert.equal(j.created, 3, JSON.stringify(j));
    assert.equal(j.skipped, 2, JSON.stringify(j));
    assert.equal((await searchIds(mgr, '甫夏')).length, 1);
    assert.equal((await searchIds(mgr, '皇甫')).length, 2);
  });
});
