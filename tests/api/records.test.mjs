// Business records (业务记录, issue 4): a record with a follow-up makes one
// task in the same transaction; bad input answers 422 in zh and en and
// creates nothing; UPU S10 check digits; the customer timeline (newest
// first, by type); the list across customers with its filters and its
// export (CSV / XLSX, masked, neutralised, audited, scoped); the profile
// figures and the filters over them; branch scoping (404, never 403).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError, isEnglish } from './lib/expect.mjs';
import {
  Uniq,
  signInAll,
  branchesByCode,
  me,
  createCustomer,
  getCustomer,
  listCustomers,
  findAudit,
  runExport,
  parseCsv,
  readXlsx,
  maskPhone,
  tagsByName,
} from './lib/customers.mjs';

// The tests run on a fixed calendar: "now" is this moment (a Monday).
const NOW = '2026-11-23T10:00:00+08:00';
const at = (day, time = '10:00:00') => `${day}T${time}+08:00`;

describe('business records', () => {
  const srv = useServer({
    label: 'records',
    users: [
      { login: 'A9641', name: '记录管理员', role: 'admin', branch: 'GD' },
      { login: 'C9641', name: '天河柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9642', name: '天河柜员乙', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9641', name: '天河经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9643', name: '福田柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(64);
  let admin, clerk, clerk2, mgr, szClerk;
  let branches, clerkMe, clerk2Me;
  const C = {}; // customers: a, b, c (GD-GZ-01), quiet (GD-GZ-01, never seen), sz (GD-SZ-01)
  const phone = {};

  const timeline = async (client, id, query = '') => {
    const r = await client.get(`/customers/${id}/interactions${query}`);
    assert.equal(r.status, 200, show(r));
    return r.body;
  };
  const record = async (client, id, body) => {
    const r = await client.post(`/customers/${id}/interactions`, body);
    assert.equal(r.status, 201, `record for ${id}: ${show(r)}`);
    return r.body;
  };
  const listAll = async (client, params = {}) => {
    const sp = new URLSearchParams({ limit: '200', ...params });
    const r = await client.get(`/interactions?${sp}`);
    assert.equal(r.status, 200, show(r));
    return r.body;
  };
  const customerTasks = async (client, id) => {
    const r = await client.get(`/tasks?customer_id=${id}&view=all`);
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  };

  test('set-up: a fixed clock, staff sign in, customers in GD-GZ-01 and GD-SZ-01', async () => {
    const r = await new Client(srv).post('/_test/clock', { now: NOW });
    assert.equal(r.status, 200, show(r));
    ({ A9641: admin, C9641: clerk, C9642: clerk2, M9641: mgr, C9643: szClerk } = await signInAll(srv, [
      'A9641',
      'C9641',
      'C9642',
      'M9641',
      'C9643',
    ]));
    branches = await branchesByCode(admin);
    clerkMe = await me(clerk);
    clerk2Me = await me(clerk2);
    for (const [key, name, code] of [
      ['a', '记录客户甲', 'GD-GZ-01'],
      ['b', '记录客户乙', 'GD-GZ-01'],
      ['c', '记录客户丙', 'GD-GZ-01'],
      ['quiet', '从未到访客户', 'GD-GZ-01'],
      ['sz', '福田记录客户', 'GD-SZ-01'],
    ]) {
      phone[key] = u.phone();
      C[key] = await createCustomer(admin, { name, phone: phone[key], branch_id: branches[code].id });
    }
  });

  test('a record with a follow-up makes exactly one task, linked both ways, for the clerk', async () => {
    const body = await record(clerk, C.a.id, {
      type: 'ems',
      occurred_at: at('2026-11-23', '10:05:00'),
      description: '办理EMS特快专递，目的地上海',
      tracking_no: 'EA123456785CN',
      destination: '上海市',
      amount: '28.00',
      channel: 'counter',
      follow_up: { title: '回电确认物流', due_at: at('2026-11-25', '15:00:00') },
    });
    const rec = body.interaction;
    assert.equal(rec.type, 'ems');
    assert.equal(rec.customer_id, C.a.id);
    assert.equal(rec.tracking_no, 'EA123456785CN');
    assert.equal(rec.amount, '28.00');
    assert.equal(rec.handled_by, clerkMe.id);
    assert.ok(body.task, `a task in ${JSON.stringify(body)}`);
    assert.equal(rec.task_id, body.task.id);
    assert.equal(body.task.title, '回电确认物流');
    assert.equal(body.task.source, 'follow_up');
    assert.equal(body.task.status, 'open');
    assert.equal(body.task.customer_id, C.a.id);
    assert.equal(body.task.assignee_id, clerkMe.id);
    assert.equal(Date.parse(body.task.due_at), Date.parse(at('2026-11-25', '15:00:00')));
    const tasks = await customerTasks(clerk, C.a.id);
    assert.equal(tasks.length, 1, JSON.stringify(tasks));
    assert.equal(tasks[0].id, body.task.id);
    assert.equal(tasks[0].interaction_id, rec.id);

    // A follow-up given as a date alone is due that morning.
    const d = await record(clerk, C.c.id, { type: 'parcel', follow_up: { title: '提醒取件', due_at: '2026-11-24' } });
    assert.equal(Date.parse(d.task.due_at), Date.parse(at('2026-11-24', '09:00:00')));
    // Without a follow-up there is no task.
    const plain = await record(clerk, C.b.id, { type: 'philately', occurred_at: at('2026-11-20') });
    assert.equal(plain.task, null);
    assert.equal(plain.interaction.task_id, null);
    assert.equal((await customerTasks(clerk, C.b.id)).length, 0);
  });

  test('bad input: 422 with field messages in zh and en, and neither record nor task is created', async () => {
    const before = (await timeline(clerk, C.b.id)).total;
    const tasksBefore = (await customerTasks(clerk, C.b.id)).length;
    const bad = {
      type: 'teleport',
      occurred_at: 'yesterday',
      amount: '12.345',
      channel: 'pigeon',
      follow_up: { title: '', due_at: 'soon' },
    };
    const zh = await clerk.post(`/customers/${C.b.id}/interactions`, bad);
    expectError(zh, 422, 'validation_failed', {
      fields: ['type', 'occurred_at', 'amount', 'channel', 'follow_up.title', 'follow_up.due_at'],
    });
    const en = await clerk.post(`/customers/${C.b.id}/interactions`, bad, { lang: 'en' });
    expectError(en, 422, 'validation_failed', {
      lang: 'en',
      fields: ['type', 'occurred_at', 'amount', 'channel', 'follow_up.title', 'follow_up.due_at'],
    });
    // A good record with only the follow-up wrong: still nothing at all.
    const half = await clerk.post(`/customers/${C.b.id}/interactions`, {
      type: 'parcel',
      description: '半成品',
      follow_up: { title: '回访', due_at: '2026-13-45' },
    });
    expectError(half, 422, 'validation_failed', { fields: ['follow_up.due_at'] });
    // A follow-up that is not an object.
    expectError(
      await clerk.post(`/customers/${C.b.id}/interactions`, { type: 'parcel', follow_up: '明天回电' }),
      422,
      'validation_failed',
      { fields: ['follow_up.title'] },
    );
    // Type is required.
    expectError(await clerk.post(`/customers/${C.b.id}/interactions`, { description: '无类型' }), 422, 'validation_failed', {
      fields: ['type'],
    });
    assert.equal((await timeline(clerk, C.b.id)).total, before, 'no record was created');
    assert.equal((await customerTasks(clerk, C.b.id)).length, tasksBefore, 'no task was created');
  });

  test('tracking numbers: S10 with a wrong check digit is refused with a clear message; good ones are normalised', async () => {
    const wrong = await clerk.post(`/customers/${C.b.id}/interactions`, { type: 'ems', tracking_no: 'EA123456784CN' });
    const e = expectError(wrong, 422, 'validation_failed', { fields: ['tracking_no'] });
    assert.match(e.fields.tracking_no, /校验位/, show(wrong));
    const wrongEn = await clerk.post(`/customers/${C.b.id}/interactions`, { type: 'ems', tracking_no: 'EA123456784CN' }, { lang: 'en' });
    const ee = expectError(wrongEn, 422, 'validation_failed', { lang: 'en', fields: ['tracking_no'] });
    assert.match(ee.fields.tracking_no, /check digit/i, show(wrongEn));
    // A malformed number gets the format message, not the check-digit one.
    const shape = await clerk.post(`/customers/${C.b.id}/interactions`, { type: 'ems', tracking_no: 'E123' });
    const es = expectError(shape, 422, 'validation_failed', { fields: ['tracking_no'] });
    assert.doesNotMatch(es.fields.tracking_no, /校验位/);
    // Lower case with spaces as printed on labels; 13-digit domestic numbers.
    const ok = await record(clerk, C.b.id, { type: 'ems', tracking_no: 'ea 876 543 216 cn', occurred_at: at('2026-11-21') });
    assert.equal(ok.interaction.tracking_no, 'EA876543216CN');
    const dom = await record(clerk, C.b.id, { type: 'parcel', tracking_no: '9876543210123', occurred_at: at('2026-11-22') });
    assert.equal(dom.interaction.tracking_no, '9876543210123');
  });

  test('the timeline is newest first, filters by type and pages with a cursor', async () => {
    // Entered out of order on purpose.
    for (const [day, type, desc] of [
      ['2026-10-02', 'remittance', '汇款给女儿'],
      ['2026-11-10', 'newspaper', '续订报刊'],
      ['2026-06-15', 'remittance', '汇款缴费'],
      ['2026-11-18', 'wealth', '咨询理财'],
    ]) {
      await record(clerk, C.c.id, { type, occurred_at: at(day), description: desc });
    }
    const all = await timeline(clerk, C.c.id);
    const times = all.items.map((i) => Date.parse(i.occurred_at));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');
    assert.equal(all.total, all.items.length);
    assert.ok(all.items.every((i) => i.customer_id === C.c.id));
    const rem = await timeline(clerk, C.c.id, '?type=remittance');
    assert.deepEqual(
      rem.items.map((i) => i.description),
      ['汇款给女儿', '汇款缴费'],
    );
    assert.equal(rem.total, 2);
    // Paging: two at a time, no gaps or repeats.
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const page = await timeline(clerk, C.c.id, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items.map((x) => x.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    assert.deepEqual(seen, all.items.map((i) => i.id));
    expectError(await clerk.get(`/customers/${C.c.id}/interactions?type=teleport`), 422, 'validation_failed', { fields: ['type'] });
  });

  test('the list across customers filters by type, date range, staff and branch', async () => {
    // The second clerk records too, and the Futian clerk in GD-SZ-01.
    await record(clerk2, C.a.id, { type: 'insurance', occurred_at: at('2026-11-19'), description: '咨询保险' });
    await record(szClerk, C.sz.id, { type: 'ems', occurred_at: at('2026-11-19'), description: '福田EMS' });

    const ems = await listAll(admin, { type: 'ems' });
    assert.ok(ems.items.length >= 3, show({ method: 'GET', path: 'ems', status: 200, text: JSON.stringify(ems) }));
    assert.ok(ems.items.every((i) => i.type === 'ems'));
    assert.equal(ems.total, ems.items.length);

    const range = await listAll(admin, { from: '2026-11-18', to: '2026-11-20' });
    assert.ok(range.items.length >= 4);
    for (const i of range.items) {
      const t = Date.parse(i.occurred_at);
      assert.ok(t >= Date.parse(at('2026-11-18', '00:00:00')) && t < Date.parse(at('2026-11-21', '00:00:00')), i.occurred_at);
    }
    // "to" includes its whole day.
    assert.ok(range.items.some((i) => i.description === '汇款给女儿') === false);
    assert.ok(range.items.some((i) => i.type === 'philately'), 'the record of 11-20 10:00 is inside to=11-20');

    const byStaff = await listAll(admin, { handled_by: String(clerk2Me.id) });
    assert.deepEqual(
      byStaff.items.map((i) => i.description),
      ['咨询保险'],
    );
    assert.equal(byStaff.items[0].handled_by_name, '天河柜员乙');

    const sz = await listAll(admin, { branch_id: String(branches['GD-SZ-01'].id) });
    assert.deepEqual(
      sz.items.map((i) => i.customer_id),
      [C.sz.id],
    );
    const gz = await listAll(admin, { branch_id: String(branches['GD-GZ'].id) });
    assert.ok(gz.items.length > 0 && gz.items.every((i) => i.customer_id !== C.sz.id), 'a city finds its branches');

    const combined = await listAll(admin, { type: 'ems', branch_id: String(branches['GD-GZ-01'].id), from: '2026-11-23' });
    assert.deepEqual(
      combined.items.map((i) => i.customer_id),
      [C.a.id],
    );

    expectError(await admin.get('/interactions?from=2026-02-30'), 422, 'validation_failed', { fields: ['from'] });
    expectError(await admin.get('/interactions?to=next-week', { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['to'] });
    expectError(await admin.get('/interactions?handled_by=abc'), 422, 'validation_failed', { fields: ['handled_by'] });
  });

  test('scoping: a GD-GZ-01 clerk gets 404 for a GD-SZ-01 customer and never sees its records', async () => {
    const missing = await clerk.get('/customers/987654321/interactions');
    expectError(missing, 404, 'not_found');
    const other = await clerk.get(`/customers/${C.sz.id}/interactions`);
    expectError(other, 404, 'not_found');
    assert.equal(other.body.error.message, missing.body.error.message);
    expectError(await clerk.post(`/customers/${C.sz.id}/interactions`, { type: 'ems' }), 404, 'not_found');
    const mine = await listAll(clerk);
    assert.ok(mine.items.length > 0);
    assert.ok(mine.items.every((i) => i.customer_id !== C.sz.id), 'no GD-SZ-01 record in the list');
    assert.equal((await listAll(clerk, { branch_id: String(branches['GD-SZ-01'].id) })).total, 0);
    assert.ok(!(await listAll(clerk, { type: 'ems' })).items.some((i) => i.description === '福田EMS'));
    // The Futian clerk sees only the Futian record.
    const sz = await listAll(szClerk);
    assert.deepEqual(
      sz.items.map((i) => i.customer_id),
      [C.sz.id],
    );
    // Tasks of another branch's customer: 404 too.
    expectError(await clerk.get(`/tasks?customer_id=${C.sz.id}`), 404, 'not_found');
  });

  test('export of the list: CSV with the current filters, masked phones, neutralised formulas, audited', async () => {
    await record(clerk, C.b.id, {
      type: 'other',
      occurred_at: at('2026-11-23', '09:00:00'),
      description: '=HYPERLINK("http://evil.example","点我")',
      destination: '+86广州',
      amount: '5.00',
    });
    const filters = { type: 'other' };
    const list = await listAll(clerk, filters);
    const { file, job, id } = await runExport(clerk, { entity: 'interactions', format: 'csv', ...filters });
    assert.equal(job.entity, 'interactions');
    assert.equal(job.masked, true);
    const rows = parseCsv(file.bytes.toString('utf8'));
    const [header, ...data] = rows;
    for (const col of ['办理时间', '客户姓名', '手机号', '业务类型', '业务描述', '金额（元）', '经办人']) {
      assert.ok(header.includes(col), `column ${col} in ${header}`);
    }
    assert.equal(data.length, list.total, 'as many rows as the list finds');
    assert.equal(Number(job.rows), list.total);
    const h = (name) => header.indexOf(name);
    const row = data.find((r) => r[h('客户姓名')] === '记录客户乙');
    assert.ok(row, JSON.stringify(data));
    assert.equal(row[h('业务类型')], '其他');
    assert.equal(row[h('手机号')], maskPhone(phone.b));
    assert.equal(row[h('业务描述')], `'=HYPERLINK("http://evil.example","点我")`);
    assert.equal(row[h('目的地')], "'+86广州");
    assert.equal(row[h('经办人')], '天河柜员甲');
    assert.match(row[h('办理时间')], /^2026-11-23 09:00/);
    assert.ok(!file.bytes.toString('utf8').includes(phone.b), 'the clear phone is nowhere in the file');

    const audit = await findAudit(admin, (e) => e.action === 'export.create' && String(e.object_id) === String(id), {
      action: 'export.create',
    });
    assert.equal(audit.length, 1, 'the export is audited');
    assert.equal(audit[0].detail.entity, 'interactions');
    assert.equal(Number(audit[0].detail.count), list.total);
    assert.deepEqual(audit[0].detail.filters, filters);
    assert.ok(!JSON.stringify(audit[0]).includes(phone.b));
  });

  test('export: newest first, date range and staff filters, English headers, XLSX, chosen columns', async () => {
    const filters = { from: '2026-11-18', to: '2026-11-23', handled_by: clerkMe.id };
    const list = await listAll(clerk, { from: filters.from, to: filters.to, handled_by: String(clerkMe.id) });
    const en = new Client(srv, { lang: 'en' });
    en.cookies = clerk.cookies;
    en.csrf = clerk.csrf;
    const { file } = await runExport(en, { entity: 'interactions', format: 'csv', ...filters, columns: ['occurred_at', 'type', 'description'] });
    const [header, ...data] = parseCsv(file.bytes.toString('utf8'));
    assert.deepEqual(header, ['Date and time', 'Business type', 'Description']);
    assert.equal(data.length, list.total);
    assert.deepEqual(
      data.map((r) => r[2]),
      list.items.map((i) => (/^[=+\-@]/.test(i.description) ? `'${i.description}` : i.description)),
      'same records, same order as the list',
    );
    assert.ok(data.every((r) => isEnglish(r[1])), `English type labels: ${data.map((r) => r[1])}`);

    const x = await runExport(clerk, { entity: 'interactions', format: 'xlsx', type: 'other' });
    const sheet = readXlsx(x.file.bytes);
    assert.equal(sheet.formulas, 0, 'no formula in the workbook');
    const xh = sheet.rows[0];
    const xrow = sheet.rows.slice(1).find((r) => r[xh.indexOf('客户姓名')] === '记录客户乙');
    assert.ok(xrow, JSON.stringify(sheet.rows));
    assert.equal(xrow[xh.indexOf('业务描述')], `'=HYPERLINK("http://evil.example","点我")`);
    assert.equal(xrow[xh.indexOf('手机号')], maskPhone(phone.b));

    // Bad requests answer 422 at once.
    expectError(await clerk.post('/exports', { entity: 'interactions', format: 'csv', from: '2026-02-30' }), 422, 'validation_failed', {
      fields: ['from'],
    });
    expectError(await clerk.post('/exports', { entity: 'interactions', format: 'csv', columns: ['salary'] }), 422, 'validation_failed', {
      fields: ['columns'],
    });
    expectError(await clerk.post('/exports', { entity: 'interactions', format: 'pdf' }), 422, 'validation_failed', { fields: ['format'] });
    expectError(await clerk.post('/exports', { entity: 'parcel_lockers', format: 'csv' }), 422, 'validation_failed', { fields: ['entity'] });
  });

  test('export: a manager (customers.reveal) gets clear phones; another branch\'s records never appear', async () => {
    const m = await runExport(mgr, { entity: 'interactions', format: 'csv', type: 'other' });
    assert.equal(m.job.masked, false);
    const [mh, ...md] = parseCsv(m.file.bytes.toString('utf8'));
    assert.ok(md.some((r) => r[mh.indexOf('手机号')] === phone.b), 'clear phone for a manager');

    const all = await runExport(clerk, { entity: 'interactions', format: 'csv' });
    const [h, ...rows] = parseCsv(all.file.bytes.toString('utf8'));
    assert.equal(rows.length, (await listAll(clerk)).total);
    assert.ok(!rows.some((r) => r[h.indexOf('客户姓名')] === '福田记录客户'), 'no GD-SZ-01 record');
    const sz = await runExport(clerk, { entity: 'interactions', format: 'csv', branch_id: branches['GD-SZ-01'].id });
    assert.equal(parseCsv(sz.file.bytes.toString('utf8')).length, 1, 'only the header');
    const one = await runExport(clerk, { entity: 'interactions', format: 'csv', customer_id: C.sz.id });
    assert.equal(parseCsv(one.file.bytes.toString('utf8')).length, 1, 'only the header');
  });

  test('figures on the profile: last visit, visits in 90 days, spend in 12 months, most used types', async () => {
    const c = await getCustomer(clerk, C.c.id);
    // C.c: parcel today (no time given), 11-18 wealth, 11-10 newspaper, 10-02 and 06-15 remittance.
    // The clock runs on from NOW: the parcel without a time was "now" then.
    const newest = (await timeline(clerk, C.c.id, '?limit=1')).items[0];
    assert.equal(newest.type, 'parcel');
    assert.ok(Math.abs(Date.parse(newest.occurred_at) - Date.parse(NOW)) < 60000, newest.occurred_at);
    assert.equal(Date.parse(c.last_visit_at), Date.parse(newest.occurred_at), `last visit: ${c.last_visit_at}`);
    assert.equal(c.visits_90d, 4, 'the 06-15 record is older than 90 days');
    assert.equal(c.top_types[0], 'remittance');
    const a = await getCustomer(clerk, C.a.id);
    assert.equal(a.spend_12m, '28.00');
    assert.equal(a.visits_90d, 2);
    // A record a year and a half ago counts in neither window.
    await record(clerk, C.a.id, { type: 'wealth', occurred_at: at('2025-05-01'), amount: '1000.00' });
    await record(clerk, C.a.id, { type: 'wealth', occurred_at: at('2026-03-01'), amount: '100.50' });
    const a2 = await getCustomer(clerk, C.a.id);
    assert.equal(a2.spend_12m, '128.50');
    assert.equal(a2.visits_90d, 2);
    assert.equal(Date.parse(a2.last_visit_at), Date.parse(at('2026-11-23', '10:05:00')), 'an old record does not move the last visit back');
    const q = await getCustomer(clerk, C.quiet.id);
    assert.equal(q.last_visit_at, null);
    assert.equal(q.visits_90d, 0);
    assert.equal(q.spend_12m, '0.00');
  });

  test('filters over the figures: "no visit in 180 days" (never seen included), visits, spend', async () => {
    const ids = async (filter) => (await listCustomers(clerk, { filter, limit: 200 })).items.map((x) => x.id).sort((x, y) => x - y);
    // An old customer: last seen in May.
    const old = await createCustomer(clerk, { name: '久未到访客户', phone: u.phone() });
    await record(clerk, old.id, { type: 'parcel', occurred_at: at('2026-05-01') });
    const noVisit = await ids({ field: 'last_visit_at', op: 'older_than_days', value: 180 });
    assert.ok(noVisit.includes(C.quiet.id), 'never seen counts as no visit');
    assert.ok(noVisit.includes(old.id), 'last seen in May');
    for (const k of ['a', 'b', 'c']) assert.ok(!noVisit.includes(C[k].id), `${k} visited lately`);
    const recent = await ids({ field: 'last_visit_at', op: 'within_days', value: 7 });
    assert.ok(recent.includes(C.a.id) && recent.includes(C.c.id));
    assert.ok(!recent.includes(old.id) && !recent.includes(C.quiet.id));
    const busy = await ids({ field: 'visits_90d', op: 'gte', value: 3 });
    assert.ok(busy.includes(C.c.id) && busy.includes(C.b.id));
    assert.ok(!busy.includes(C.a.id));
    const spenders = await ids({ field: 'spend_12m', op: 'gt', value: 100 });
    assert.deepEqual(spenders, [C.a.id]);
    const remitters = await ids({ field: 'top_types', op: 'has', value: 'remittance' });
    assert.deepEqual(remitters, [C.c.id]);
    // Sorting by last visit puts the most recent first.
    const sorted = (await listCustomers(clerk, { sort: '-last_visit_at', limit: 3 })).items.map((x) => x.id);
    assert.equal(sorted[0], C.a.id);
  });

  test('merge moves everything: business records, tasks and tags go to the survivor, its figures follow, audited', async () => {
    const keep = await createCustomer(admin, { name: '合并留存客户', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    const dup = await createCustomer(admin, { name: '合并重复客户', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    await record(clerk, keep.id, { type: 'parcel', occurred_at: at('2026-11-20'), amount: '10.00' });
    const withTask = await record(clerk, dup.id, {
      type: 'ems',
      occurred_at: at('2026-11-21'),
      amount: '25.50',
      follow_up: { title: '回访重复客户', due_at: '2026-11-30' },
    });
    await record(clerk, dup.id, { type: 'remittance', occurred_at: at('2026-11-22') });
    const manual = await clerk.post('/tasks', { title: '给重复客户回电', due_at: '2026-11-28', customer_id: dup.id });
    assert.equal(manual.status, 201, show(manual));
    const tag = (await tagsByName(admin))['集邮爱好者'];
    assert.ok(tag, 'the seeded tag');
    const t = await admin.post(`/customers/${dup.id}/tags`, { tag_ids: [tag.id] });
    assert.equal(t.status, 200, show(t));

    const r = await admin.post(`/customers/${keep.id}/merge`, { duplicate_id: dup.id });
    assert.equal(r.status, 200, show(r));

    const kept = await timeline(clerk, keep.id, '?limit=200');
    assert.equal(kept.total, 3, JSON.stringify(kept.items));
    assert.deepEqual(kept.items.map((x) => x.type), ['remittance', 'ems', 'parcel']);
    assert.ok(kept.items.every((x) => x.customer_id === keep.id && x.customer_name === '合并留存客户'));
    assert.equal((await timeline(admin, dup.id)).total, 0, 'nothing stays on the merged-away profile');

    const tasks = await customerTasks(clerk, keep.id);
    assert.deepEqual(tasks.map((t) => t.id).sort((a, b) => a - b), [withTask.task.id, manual.body.task.id].sort((a, b) => a - b));
    assert.equal((await customerTasks(admin, dup.id)).length, 0);

    const k = await getCustomer(clerk, keep.id);
    assert.equal(k.visits_90d, 3);
    assert.equal(k.spend_12m, '35.50');
    assert.equal(Date.parse(k.last_visit_at), Date.parse(at('2026-11-22')));
    assert.ok(k.tags.some((x) => x.id === tag.id), JSON.stringify(k.tags));
    const d = await getCustomer(admin, dup.id);
    assert.equal(d.deleted, true);
    assert.equal(d.merged_into, keep.id);
    assert.equal(d.visits_90d, 0);
    assert.equal(d.spend_12m, '0.00');

    const audit = await findAudit(admin, (e) => e.action === 'customer.merge' && String(e.object_id) === String(keep.id), {
      action: 'customer.merge',
    });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.duplicate_id, dup.id);
  });

  test('the figures move with the calendar: 100 days later the 90-day count has dropped', async () => {
    let r = await new Client(srv).post('/_test/clock', { advance_seconds: 100 * 86400 });
    assert.equal(r.status, 200, show(r));
    // The daily pass refreshes the windows (admins may run it at once).
    const fresh = new Client(srv);
    await fresh.signIn('A9641', srv.users.A9641.password);
    r = await fresh.post('/reminder-rules/run', {});
    assert.equal(r.status, 200, show(r));
    const c = await getCustomer(fresh, C.c.id);
    assert.equal(c.visits_90d, 0, JSON.stringify(c));
    assert.ok(Math.abs(Date.parse(c.last_visit_at) - Date.parse(NOW)) < 60000, c.last_visit_at);
    const a = await getCustomer(fresh, C.a.id);
    assert.equal(a.spend_12m, '28.00', 'the March record is still inside 12 months');
  });
});
