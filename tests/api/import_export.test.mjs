// Import and export of customers (issue 3): CSV upload in UTF-8 and GBK,
// suggested column mapping, dry run listing every bad row with its reason,
// the real run, duplicate handling (skip / update), the error report; export
// to CSV and XLSX with chosen columns, masking by role, formula
// neutralisation, scoping, audit.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, REPO_ROOT } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  signInAll,
  branchesByCode,
  me,
  createCustomer,
  getCustomer,
  listCustomers,
  listAllCustomers,
  searchIds,
  findAudit,
  pollJob,
  uploadCsv,
  fetchBytes,
  runExport,
  parseCsv,
  hasUtf8Bom,
  readXlsx,
  toCsv,
  maskPhone,
} from './lib/customers.mjs';

const FIX = path.join(REPO_ROOT, 'tests', 'fixtures');
const HEADER = ['姓名', '手机号', '身份证号', '性别', '生日', '详细地址', '所在区域', '职业', '客户等级', '标签'];
const MAPPING = {
  姓名: 'name',
  手机号: 'phone',
  身份证号: 'id_number',
  性别: 'gender',
  生日: 'birthday',
  详细地址: 'address',
  所在区域: 'region',
  职业: 'occupation',
  客户等级: 'level',
  标签: 'tags',
};
const MASKED_PHONE = /^1\d\d\*{4}\d{4}$/;

describe('import and export', () => {
  const srv = useServer({
    label: 'impexp',
    users: [
      { login: 'A9651', name: '导入管理员', role: 'admin', branch: 'GD' },
      { login: 'M9651', name: '导入经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9651', name: '导出柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(65);
  let admin, mgr, clerk;
  let branches, mgrMe;
  let utf8Import;

  const total = async (client = admin) => (await listCustomers(client, { limit: 1 })).total;

  async function startRun(client, id, body) {
    const r = await client.post(`/imports/${id}/run`, body);
    assert.equal(r.status, 202, `run import ${id}: ${show(r)}`);
    assert.ok(r.body.import, show(r));
    // the import as committed with its job, before any worker took it
    assert.equal(r.body.import.status, 'queued', show(r));
    return pollJob(client, `/imports/${id}`, 'import', { timeoutMs: 60000 });
  }

  /** The error rows must be the given data rows (1-based), numbered as the
   *  file's lines (the header is line 1, so data row n is line n + 1), as
   *  the import report and the wizard show them. Answers that offset. */
  function assertErrorRows(errors, dataRows, label) {
    const rows = [...new Set(errors.map((e) => Number(e.row)))].sort((a, b) => a - b);
    const asLines = [...dataRows].sort((a, b) => a - b).map((r) => r + 1);
    assert.deepEqual(rows, asLines, `${label}: error rows by file line: ${JSON.stringify(errors)}`);
    return 1;
  }

  test('set-up: staff sign in', async () => {
    ({ A9651: admin, M9651: mgr, C9651: clerk } = await signInAll(srv, ['A9651', 'M9651', 'C9651']));
    branches = await branchesByCode(admin);
    mgrMe = await me(mgr);
  });

  // ---- import ------------------------------------------------------------

  test('upload a UTF-8 CSV: 201 with encoding, columns, sample and suggested mapping', async () => {
    const bytes = fs.readFileSync(path.join(FIX, 'customers_utf8.csv'));
    const r = await uploadCsv(mgr, bytes);
    assert.equal(r.status, 201, show(r));
    const imp = r.body.import;
    assert.equal(typeof imp.id, 'number');
    assert.equal(imp.status, 'uploaded');
    assert.equal(imp.encoding, 'utf-8');
    assert.deepEqual(imp.columns, HEADER);
    assert.ok(Array.isArray(imp.sample) && imp.sample.length >= 2, show(r));
    assert.deepEqual(imp.sample[0].slice(0, 2), ['刘德华', '13900010001']);
    assert.equal(imp.sample[0].length, HEADER.length);
    assert.deepEqual(imp.suggested_mapping, MAPPING);
    utf8Import = imp;
  });

  test('a UTF-8 CSV with a BOM is read the same (the header has no stray U+FEFF)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(path.join(FIX, 'customers_utf8.csv'))]);
    const r = await uploadCsv(mgr, bytes);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.import.encoding, 'utf-8');
    assert.equal(r.body.import.columns[0], '姓名');
    assert.equal(r.body.import.suggested_mapping['姓名'], 'name');
  });

  test('upload refuses what is not a CSV; clerks may not import someone else\'s upload', async () => {
    const empty = await uploadCsv(mgr, Buffer.alloc(0));
    expectError(empty, 422, 'validation_failed', { fields: ['file'] });
    // another user's upload does not exist for the clerk
    expectError(await clerk.get(`/imports/${utf8Import.id}`), 404, 'not_found');
    const run = await clerk.post(`/imports/${utf8Import.id}/run`, { mapping: MAPPING, dry_run: true, on_duplicate: 'skip' });
    expectError(run, 404, 'not_found');
  });

  test('an unusable file is refused with the reason in the user\'s language', async () => {
    const blank = await uploadCsv(mgr, Buffer.from('\r\n\r\n'));
    assert.equal(blank.status, 422, show(blank));
    assert.equal(blank.body.error.fields.file, '文件是空的', show(blank));
    const blankEn = await uploadCsv(mgr, Buffer.from('\r\n\r\n'), { lang: 'en' });
    assert.equal(blankEn.body.error.fields.file, 'The file is empty', show(blankEn));
    const utf16 = await uploadCsv(mgr, Buffer.from('\xff\xfe' + '姓名,手机号', 'latin1'));
    assert.equal(utf16.status, 422, show(utf16));
    assert.match(utf16.body.error.fields.file, /UTF-16.*另存为CSV/, show(utf16));
    assert.ok(!/\/tmp|\/upload|cannot/.test(JSON.stringify(utf16.body)), 'no server paths or English detail');
  });

  test('run refuses a bad mapping: unknown target field, no name column', async () => {
    const bad = await mgr.post(`/imports/${utf8Import.id}/run`, { mapping: { ...MAPPING, 职业: 'nope' }, dry_run: true, on_duplicate: 'skip' });
    expectError(bad, 422, 'validation_failed');
    // without a name column: refused up front, on mapping
    const noName = { ...MAPPING, 姓名: '-' };
    const bad2 = await mgr.post(`/imports/${utf8Import.id}/run`, { mapping: noName, dry_run: true, on_duplicate: 'skip' });
    expectError(bad2, 422, 'validation_failed', { fields: ['mapping'] });
    const bad3 = await mgr.post(`/imports/${utf8Import.id}/run`, { mapping: MAPPING, dry_run: true, on_duplicate: 'merge' });
    expectError(bad3, 422, 'validation_failed');
  });

  test('dry run lists every bad row with its reason and creates nothing', async () => {
    const before = await total();
    const job = await startRun(mgr, utf8Import.id, { mapping: MAPPING, dry_run: true, on_duplicate: 'skip' });
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.dry_run, true);
    assert.equal(job.failed, 3, JSON.stringify(job));
    assert.equal(typeof job.processed, 'number', JSON.stringify(job));
    assert.ok(Array.isArray(job.errors));
    const off = assertErrorRows(job.errors, [3, 4, 5], 'dry run');
    const at = (dataRow) => job.errors.filter((e) => Number(e.row) === dataRow + off);
    const msg = (dataRow) => at(dataRow).map((e) => `${e.column} ${e.message}`).join(' / ');
    assert.match(msg(3), /手机/, `row 3 (bad phone): ${msg(3)}`);
    assert.match(msg(3), /11/, `row 3 reason names the rule: ${msg(3)}`);
    assert.match(msg(4), /身份证/, `row 4 (bad ID): ${msg(4)}`);
    assert.match(msg(4), /校验/, `row 4 reason: ${msg(4)}`);
    assert.match(msg(5), /姓名/, `row 5 (no name): ${msg(5)}`);
    assert.match(msg(5), /必填/, `row 5 reason: ${msg(5)}`);
    // Each bad row names the file's column it is in.
    assert.equal(at(3)[0].column, '手机号', msg(3));
    assert.equal(at(4)[0].column, '身份证号', msg(4));
    assert.equal(at(5)[0].column, '姓名', msg(5));
    for (const e of job.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0);
    assert.equal(await total(), before, 'a dry run created customers');
    assert.deepEqual(await searchIds(admin, '13900010001'), []);
    assert.ok(job.report_url, 'a report is offered');
  });

  test('the error report downloads as CSV (UTF-8 with BOM): 行号, the original row, 错误原因', async () => {
    const r = await fetchBytes(mgr, `/imports/${utf8Import.id}/report`);
    assert.equal(r.status, 200, r.bytes.toString('utf8', 0, 300));
    assert.match(r.headers.get('content-type') || '', /text\/csv/);
    assert.ok(hasUtf8Bom(r.bytes), 'report starts with a UTF-8 BOM');
    const rows = parseCsv(r.bytes.toString('utf8'));
    const head = rows[0];
    assert.equal(head[0], '行号');
    assert.equal(head[head.length - 1], '错误原因');
    const body = rows.slice(1).filter((x) => x.some((c) => c !== ''));
    assert.equal(body.length, 3, JSON.stringify(rows));
    const text = r.bytes.toString('utf8');
    for (const s of ['坏手机', '坏证号', '13900010005', '1390001000']) assert.ok(text.includes(s), `report lacks ${s}`);
    for (const row of body) assert.ok(row[row.length - 1].length > 0, 'each bad row has a reason');
    const other = await fetchBytes(clerk, `/imports/${utf8Import.id}/report`);
    assert.equal(other.status, 404, `another user's report: ${other.status}`);
  });

  test('the real run creates the good rows in the importer\'s branch, with tags, level, region and derived fields', async () => {
    const before = await total();
    const job = await startRun(mgr, utf8Import.id, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.dry_run, false);
    assert.equal(job.created, 4, JSON.stringify(job));
    assert.equal(job.failed, 3, JSON.stringify(job));
    assert.equal(await total(), before + 4);

    const [ldh] = await searchIds(mgr, '13900010001');
    assert.ok(ldh, '刘德华 was not imported');
    const c = await getCustomer(mgr, ldh);
    assert.equal(c.name, '刘德华');
    assert.equal(c.gender, 'male');
    assert.equal(c.birthday, '1961-09-27');
    assert.equal(c.region, '广东省/广州市/天河区');
    assert.equal(c.occupation, '演员');
    assert.equal(c.level, '高价值');
    assert.equal(c.branch_id, mgrMe.branch_id);
    assert.deepEqual(c.tags.map((t) => t.name).sort(), ['集邮爱好者', '理财需求'].sort());
    assert.equal(c.name_initials, 'ldh');

    const [hxq] = await searchIds(mgr, '13900010002');
    assert.ok(hxq, '黄小琴 (phone with spaces) was not imported');
    const h = await getCustomer(mgr, hxq);
    assert.equal(h.birthday, '1975-04-18', 'birthday derived from the ID when the cell is empty');
    assert.equal(h.gender, 'female');
    const [zxx] = await searchIds(mgr, '13900010006');
    assert.equal((await getCustomer(mgr, zxx)).address, '广州市越秀区"东风"路8号, 2楼', 'quoted CSV cell');
    assert.deepEqual(await searchIds(mgr, '坏手机'), []);
    assert.deepEqual(await searchIds(mgr, '坏证号'), []);

    const list = await mgr.get('/imports');
    assert.equal(list.status, 200, show(list));
    assert.ok(list.body.items.some((i) => i.id === utf8Import.id), 'GET /imports lists the import');
    const cl = await clerk.get('/imports');
    assert.equal(cl.status, 200, show(cl));
    assert.ok(!cl.body.items.some((i) => i.id === utf8Import.id), 'GET /imports lists another user\'s import');
  });

  test('a GBK CSV with Chinese headers: detected, decoded, imported (surnames read 曾 zeng, 单 shan, 仇 qiu)', async () => {
    const bytes = fs.readFileSync(path.join(FIX, 'customers_gbk.csv'));
    assert.ok(!bytes.toString('utf8').includes('姓名'), 'the fixture really is GBK');
    const r = await uploadCsv(mgr, bytes);
    assert.equal(r.status, 201, show(r));
    const imp = r.body.import;
    assert.equal(imp.encoding, 'gbk');
    assert.deepEqual(imp.columns, HEADER);
    assert.equal(imp.sample[0][0], '曾志伟');
    assert.equal(imp.sample[0][5], '广州市天河区天河北路11号');
    assert.deepEqual(imp.suggested_mapping, MAPPING);
    const job = await startRun(mgr, imp.id, { mapping: imp.suggested_mapping, dry_run: false, on_duplicate: 'skip' });
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.created, 3, JSON.stringify(job));
    assert.equal(job.failed, 1, JSON.stringify(job));
    assertErrorRows(job.errors, [4], 'gbk');
    const [zzw] = await searchIds(mgr, 'zzw');
    const c = await getCustomer(mgr, zzw);
    assert.equal(c.name, '曾志伟');
    assert.equal(c.address, '广州市天河区天河北路11号');
    assert.equal(c.name_pinyin, 'zengzhiwei');
    assert.deepEqual(c.tags.map((t) => t.name), ['国际寄递']);
    const stf = await searchIds(mgr, '13900020002');
    assert.equal(stf.length, 1, '单田芳 imported');
    assert.deepEqual(await searchIds(mgr, 'shantianfang'), stf);
    assert.equal((await searchIds(mgr, 'qxy')).length, 1);
    // the report of a GBK import is UTF-8 like any other
    const rep = await fetchBytes(mgr, `/imports/${imp.id}/report`);
    assert.equal(rep.status, 200);
    assert.ok(hasUtf8Bom(rep.bytes));
    assert.ok(rep.bytes.toString('utf8').includes('错号码'), 'GBK row decoded in the report');
  });

  test('duplicates: on_duplicate skip leaves the existing profile; update changes it', async () => {
    const newPhone = u.phone();
    const csv = toCsv([
      HEADER,
      ['刘德华', '13900010001', '', '', '', '', '', '歌手', '', ''],
      ['新人甲', newPhone, '', '', '', '', '广东省/广州市/天河区', '学生', '', ''],
    ]);
    const up = await uploadCsv(mgr, Buffer.from(csv, 'utf8'));
    assert.equal(up.status, 201, show(up));
    const id = up.body.import.id;

    const skip = await startRun(mgr, id, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(skip.status, 'done', JSON.stringify(skip));
    assert.equal(skip.created, 1, JSON.stringify(skip));
    assert.equal(skip.skipped, 1, JSON.stringify(skip));
    assert.equal(skip.updated, 0, JSON.stringify(skip));
    const [ldh] = await searchIds(mgr, '13900010001');
    const before = await getCustomer(mgr, ldh);
    assert.equal(before.occupation, '演员', 'skip must not change the existing profile');

    const up2 = await uploadCsv(mgr, Buffer.from(csv, 'utf8'));
    const upd = await startRun(mgr, up2.body.import.id, { mapping: MAPPING, dry_run: false, on_duplicate: 'update' });
    assert.equal(upd.status, 'done', JSON.stringify(upd));
    assert.equal(upd.updated, 2, JSON.stringify(upd));
    assert.equal(upd.created, 0, JSON.stringify(upd));
    const after = await getCustomer(mgr, ldh);
    assert.equal(after.occupation, '歌手');
    assert.equal(after.name, '刘德华');
    assert.equal(after.birthday, '1961-09-27', 'empty cells do not blank existing values');
    assert.equal(after.level, '高价值', 'empty cells do not blank existing values');
    assert.ok(after.version > before.version);
    const h = await mgr.get(`/customers/${ldh}/history`);
    assert.ok(h.body.items.some((x) => x.field === 'occupation' && x.new_value === '歌手'), 'import update is in the history');

    // duplicate by ID number with another phone counts as a duplicate too
    const csv3 = toCsv([HEADER, ['刘德华', u.phone(), '440103196109272135', '', '', '', '', '', '', '']]);
    const up3 = await uploadCsv(mgr, Buffer.from(csv3, 'utf8'));
    const j3 = await startRun(mgr, up3.body.import.id, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(j3.skipped, 1, JSON.stringify(j3));
    assert.equal(j3.created, 0, JSON.stringify(j3));
  });

  test('within one file a repeated phone is a duplicate of the row before it (skipped, not failed)', async () => {
    const p = u.phone();
    const csv = toCsv([HEADER, ['重复行甲', p, '', '', '', '', '', '', '', ''], ['重复行乙', p, '', '', '', '', '', '', '', '']]);
    const up = await uploadCsv(mgr, Buffer.from(csv, 'utf8'));
    const job = await startRun(mgr, up.body.import.id, { mapping: MAPPING, dry_run: false, on_duplicate: 'skip' });
    assert.equal(job.created, 1, JSON.stringify(job));
    assert.equal(job.skipped, 1, JSON.stringify(job));
    assert.equal(job.failed, 0, JSON.stringify(job));
    assert.equal((await searchIds(mgr, p)).length, 1);
  });

  // ---- export ------------------------------------------------------------

  let risky;
  test('set-up for export: customers whose cells begin with = + - @', async () => {
    risky = await createCustomer(mgr, {
      name: '=cmd|\' /C calc\'!A0',
      phone: u.phone(),
      id_number: '11010519491231002X',
      occupation: '@SUM(1+1)',
      address: '-2+3 危险路',
      level: '高价值',
    });
  });

  const COLS = ['customer_no', 'name', 'phone', 'id_number', 'occupation', 'address', 'level', 'tags'];

  test('export CSV by a clerk: chosen columns, BOM, masked phone and ID, formulas neutralised, attachment', async () => {
    const { id, job, file } = await runExport(clerk, { entity: 'customer', format: 'csv', columns: COLS });
    assert.equal(job.format, 'csv');
    assert.equal(typeof job.processed, 'number');
    assert.ok(typeof job.file_name === 'string' && /\.csv$/.test(job.file_name), `file_name ${job.file_name}`);
    assert.ok(job.download_url, 'download_url');
    assert.match(file.headers.get('content-type') || '', /text\/csv/);
    assert.match(file.headers.get('content-disposition') || '', /attachment/);
    assert.ok(hasUtf8Bom(file.bytes), 'CSV starts with a UTF-8 BOM (Excel)');
    const rows = parseCsv(file.bytes.toString('utf8'));
    const head = rows[0];
    assert.equal(head.length, COLS.length, `one header per chosen column: ${head}`);
    const data = rows.slice(1).filter((r) => r.length > 1);
    const visible = (await listAllCustomers(clerk, { limit: 200 })).items;
    assert.equal(data.length, visible.length, 'every customer the clerk may see, nothing else');
    assert.equal(job.total ?? data.length, data.length);
    for (const r of data) {
      assert.equal(r.length, COLS.length);
      if (r[2]) assert.match(r[2], MASKED_PHONE, `phone not masked in a clerk's export: ${r[2]}`);
      if (r[3]) assert.match(r[3], /^\*{14}[\dX]{4}$/, `ID not masked in a clerk's export: ${r[3]}`);
    }
    const text = file.bytes.toString('utf8');
    assert.ok(!text.includes('13900010001'), 'clear phone in a clerk\'s export');
    assert.ok(!text.includes('11010519491231002X'));
    const row = data.find((r) => r[0] === risky.customer_no);
    assert.ok(row, 'the risky customer is exported');
    assert.equal(row[1], "'=cmd|' /C calc'!A0");
    assert.equal(row[4], "'@SUM(1+1)");
    assert.equal(row[5], "'-2+3 危险路");
    assert.equal(row[6], '高价值');
    for (const r of data) for (const cell of r) assert.ok(!/^[=+\-@\t\r]/.test(cell), `unneutralised cell ${JSON.stringify(cell)}`);
    const ldh = data.find((r) => r[1] === '刘德华');
    assert.ok(ldh && /集邮爱好者/.test(ldh[7]) && /理财需求/.test(ldh[7]), `tags column: ${ldh}`);

    const audit = await findAudit(admin, (e) => e.action === 'export.create' && e.login === 'C9651', { action: 'export.create' });
    assert.ok(audit.length >= 1, 'export audited as export.create');
    const det = audit[0].detail || {};
    assert.equal(Number(det.count), data.length, `audit detail.count: ${JSON.stringify(audit[0])}`);
    assert.deepEqual(det.columns, COLS, `audit detail.columns: ${JSON.stringify(audit[0])}`);
    assert.equal(audit[0].object_type, 'export', JSON.stringify(audit[0]));
    assert.equal(String(audit[0].object_id), String(id), JSON.stringify(audit[0]));
  });

  test('export CSV by a manager (customers.reveal): clear phone and ID', async () => {
    const { file } = await runExport(mgr, {
      entity: 'customer',
      format: 'csv',
      columns: ['name', 'phone', 'id_number'],
      filter: { field: 'name', op: 'eq', value: '刘德华' },
    });
    const rows = parseCsv(file.bytes.toString('utf8'));
    assert.equal(rows.length, 2, JSON.stringify(rows));
    assert.deepEqual(rows[1], ['刘德华', '13900010001', '440103196109272135']);
  });

  test('export XLSX: a real workbook, chosen columns, masked for a clerk, formulas neutralised, no formula cells', async () => {
    const { job, file } = await runExport(clerk, { entity: 'customer', format: 'xlsx', columns: COLS });
    assert.equal(job.format, 'xlsx');
    assert.match(job.file_name, /\.xlsx$/);
    assert.equal(file.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(file.headers.get('content-disposition') || '', /attachment/);
    const { rows, formulas } = readXlsx(file.bytes);
    assert.equal(formulas, 0, 'no formula cells');
    assert.equal(rows[0].length, COLS.length, `header: ${rows[0]}`);
    const data = rows.slice(1).filter((r) => r.some((c) => c !== ''));
    const visible = (await listAllCustomers(clerk, { limit: 200 })).items;
    assert.equal(data.length, visible.length);
    for (const r of data) if (r[2]) assert.match(r[2], MASKED_PHONE, `XLSX phone ${r[2]}`);
    const row = data.find((r) => r[0] === risky.customer_no);
    assert.ok(row, 'risky customer in XLSX');
    assert.equal(row[1], "'=cmd|' /C calc'!A0");
    assert.equal(row[4], "'@SUM(1+1)");
    assert.equal(row[5], "'-2+3 危险路");
    // a CSV export of the same data has the same cells
    const csv = await runExport(clerk, { entity: 'customer', format: 'csv', columns: COLS });
    const csvRows = parseCsv(csv.file.bytes.toString('utf8')).filter((r) => r.length > 1);
    assert.deepEqual(
      data.map((r) => r.join('\u0001')).sort(),
      csvRows.slice(1).map((r) => r.join('\u0001')).sort(),
      'XLSX and CSV hold the same cells',
    );
    assert.deepEqual(rows[0], csvRows[0], 'same headers');
  });

  test('export the current filter or quick search only', async () => {
    const { file } = await runExport(mgr, {
      entity: 'customer',
      format: 'csv',
      columns: ['name', 'level'],
      filter: { field: 'level', op: 'eq', value: '高价值' },
    });
    const names = parseCsv(file.bytes.toString('utf8')).slice(1).filter((r) => r.length > 1).map((r) => r[0]).sort();
    const want = (await listAllCustomers(mgr, { filter: { field: 'level', op: 'eq', value: '高价值' }, limit: 200 })).items.map((c) => c.name);
    assert.deepEqual(names, want.map((n) => (/^[=+\-@]/.test(n) ? `'${n}` : n)).sort());
    assert.ok(names.includes('刘德华') && names.includes('林青霞'));
    const q = await runExport(mgr, { entity: 'customer', format: 'csv', columns: ['name'], q: 'zzw' });
    const qn = parseCsv(q.file.bytes.toString('utf8')).slice(1).filter((r) => r.length && r[0]).map((r) => r[0]);
    assert.deepEqual(qn, ['曾志伟']);
  });

  test('export errors: unknown column or format 422; clerk gets 404 for a missing export', async () => {
    expectError(await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name', 'password_hash'] }), 422, 'validation_failed');
    expectError(await mgr.post('/exports', { entity: 'customer', format: 'pdf', columns: ['name'] }), 422, 'validation_failed');
    expectError(await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: [] }), 422, 'validation_failed');
    expectError(
      await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], filter: { field: 'nope', op: 'eq', value: 1 } }),
      422,
      'validation_failed',
    );
    expectError(await clerk.get('/exports/987654321'), 404, 'not_found');
    const a = new Client(srv);
    expectError(await a.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'] }), 401, 'unauthorized');
  });

  test('every export is audited with count, columns and filter', async () => {
    const filter = { field: 'level', op: 'eq', value: '普通' };
    const { id, file } = await runExport(mgr, { entity: 'customer', format: 'xlsx', columns: ['name', 'phone'], filter });
    const n = readXlsx(file.bytes).rows.slice(1).filter((r) => r.some((c) => c)).length;
    const audit = await findAudit(admin, (e) => e.action === 'export.create' && e.login === 'M9651', { action: 'export.create' });
    const mine = audit.find((e) => String(e.object_id) === String(id)) || audit[0];
    assert.ok(mine, 'export.create entry');
    assert.equal(Number(mine.detail.count), n);
    assert.deepEqual(mine.detail.columns, ['name', 'phone']);
    assert.deepEqual(mine.detail.filter, filter);
    assert.ok(!JSON.stringify(mine).includes('13900010001'), 'audit entry copies no personal data');
  });

  test('the admin sees the branch of imported customers and the clerk finds them masked', async () => {
    const [ldh] = await searchIds(clerk, '13900010001');
    const c = await getCustomer(clerk, ldh);
    assert.equal(c.phone, maskPhone('13900010001'));
    assert.equal(c.branch_id, branches['GD-GZ-01'].id);
  });
});
