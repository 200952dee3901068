// Custom fields (issue 3, form engine): admins define fields of every type;
// customer values are validated by the server with errors keyed
// custom.<key>; required fields; select options; retiring keeps the data;
// custom fields work in filters, exports and imports.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  signInAll,
  createCustomer,
  getCustomer,
  listAllCustomers,
  runExport,
  parseCsv,
  uploadCsv,
  pollJob,
  toCsv,
} from './lib/customers.mjs';

const OPTS_CHANNEL = [
  { value: 'counter', label: '柜台', label_en: 'Counter' },
  { value: 'app', label: '手机App', label_en: 'Mobile app' },
  { value: 'wx', label: '微信', label_en: 'WeChat' },
];
const OPTS_HOBBIES = [
  { value: 'stamps', label: '集邮', label_en: 'Stamps' },
  { value: 'coins', label: '钱币', label_en: 'Coins' },
  { value: 'books', label: '读书', label_en: 'Books' },
];

const DEFS = [
  { key: 'hy_wechat', label: '微信号', label_en: 'WeChat ID', type: 'text', help: '客户的微信号' },
  { key: 'hy_notes', label: '备注', label_en: 'Notes', type: 'textarea' },
  { key: 'hy_children', label: '子女数', label_en: 'Children', type: 'number' },
  { key: 'hy_deposit', label: '存款', label_en: 'Deposit', type: 'money' },
  { key: 'hy_anniversary', label: '纪念日', label_en: 'Anniversary', type: 'date' },
  { key: 'hy_channel', label: '渠道', label_en: 'Channel', type: 'select', options: OPTS_CHANNEL },
  { key: 'hy_hobbies', label: '爱好', label_en: 'Hobbies', type: 'multiselect', options: OPTS_HOBBIES },
  { key: 'hy_backup_phone', label: '备用手机', label_en: 'Backup phone', type: 'phone' },
  { key: 'hy_email', label: '电子邮箱', label_en: 'E-mail', type: 'email' },
  { key: 'hy_vip', label: '贵宾', label_en: 'VIP', type: 'boolean' },
];

describe('custom fields', () => {
  const srv = useServer({
    label: 'fields',
    users: [
      { login: 'A9631', name: '字段管理员', role: 'admin', branch: 'GD' },
      { login: 'M9631', name: '字段经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9631', name: '字段柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(64);
  let admin, mgr, clerk, clerkEn;
  const F = {}; // key -> field definition
  const cust = {}; // label -> customer

  const good = () => ({
    hy_wechat: 'zs_1949',
    hy_notes: '喜欢纪念封。\n每年春节前来买生肖邮票。',
    hy_children: 2,
    hy_deposit: '12.5',
    hy_anniversary: '2000-05-20',
    hy_channel: 'app',
    hy_hobbies: ['stamps', 'books'],
    hy_backup_phone: u.phone(),
    hy_email: 'zhang.san@example.com',
    hy_vip: true,
  });

  test('set-up: staff sign in', async () => {
    ({ A9631: admin, M9631: mgr, C9631: clerk } = await signInAll(srv, ['A9631', 'M9631', 'C9631']));
    clerkEn = new Client(srv, { lang: 'en' });
    await clerkEn.signIn('C9631', srv.users.C9631.password);
  });

  test('only an admin defines fields (403 for manager and clerk)', async () => {
    const body = { entity: 'customer', ...DEFS[0] };
    expectError(await clerk.post('/fields', body), 403, 'forbidden');
    expectError(await mgr.post('/fields', body), 403, 'forbidden');
    const l = await admin.get('/fields?entity=customer&include_retired=1');
    assert.equal(l.status, 200, show(l));
    assert.deepEqual(l.body.items.filter((f) => f.key.startsWith('hy_')), [], 'no field was created');
  });

  test('an admin creates a field of every type: text, textarea, number, money, date, select, multiselect, phone, email, boolean', async () => {
    for (const d of DEFS) {
      const r = await admin.post('/fields', { entity: 'customer', required: false, ...d });
      assert.equal(r.status, 201, show(r));
      const f = r.body.field;
      assert.ok(f && typeof f.id === 'number', `no field in ${show(r)}`);
      assert.equal(f.key, d.key);
      assert.equal(f.type, d.type);
      assert.equal(f.entity, 'customer');
      assert.equal(f.label, d.label);
      assert.equal(f.label_en, d.label_en);
      assert.equal(f.required, false);
      assert.equal(f.retired, false);
      assert.equal(typeof f.version, 'number');
      if (d.options) assert.deepEqual(f.options.map((o) => o.value), d.options.map((o) => o.value));
      if (d.help) assert.equal(f.help, d.help);
      F[d.key] = f;
    }
    // everyone can read the definitions (the forms need them)
    const l = await clerk.get('/fields?entity=customer');
    assert.equal(l.status, 200, show(l));
    assert.deepEqual(
      l.body.items.map((f) => f.key).filter((k) => k.startsWith('hy_')),
      DEFS.map((d) => d.key),
      'listed in creation order',
    );
    const ch = l.body.items.find((f) => f.key === 'hy_channel');
    assert.deepEqual(ch.options, OPTS_CHANNEL);
  });

  test('field definitions are validated: key pattern, type, duplicate key 409', async () => {
    for (const key of ['Bad-Key', '1abc', 'a'.repeat(33), '', 'has space', '微信', 'x;drop']) {
      const r = await admin.post('/fields', { entity: 'customer', key, label: '坏键', type: 'text' });
      expectError(r, 422, 'validation_failed', { fields: ['key'] });
    }
    const ok32 = await admin.post('/fields', { entity: 'customer', key: `k${'a'.repeat(31)}`, label: '长键', type: 'text' });
    assert.equal(ok32.status, 201, `a 32-character key is allowed: ${show(ok32)}`);
    const rt = await admin.post('/fields', { entity: 'customer', key: 'colour', label: '颜色', type: 'color' });
    expectError(rt, 422, 'validation_failed', { fields: ['type'] });
    const rl = await admin.post('/fields', { entity: 'customer', key: 'nolabel', label: '', type: 'text' });
    expectError(rl, 422, 'validation_failed', { fields: ['label'] });
    const dup = await admin.post('/fields', { entity: 'customer', key: 'hy_wechat', label: '又一个微信', type: 'text' });
    expectError(dup, 409, 'conflict');
    // built-in names are not custom keys... but they live under custom.<key>, so "name" is allowed or refused:
    // either way the built-in name must stay intact (checked in the customer tests below).
    const rm = await admin.post(`/fields/${ok32.body.field.id}/retire`, {});
    assert.equal(rm.status, 200, show(rm));
  });

  test('valid values of every type are stored and shown (money normalised to two decimals)', async () => {
    const vals = good();
    const c = await createCustomer(clerk, { name: '字段全有', phone: u.phone(), custom: vals });
    const d = await getCustomer(clerk, c.id);
    assert.equal(d.custom.hy_wechat, vals.hy_wechat);
    assert.equal(d.custom.hy_notes, vals.hy_notes);
    assert.equal(d.custom.hy_children, 2);
    assert.equal(d.custom.hy_deposit, '12.50');
    assert.equal(d.custom.hy_anniversary, '2000-05-20');
    assert.equal(d.custom.hy_channel, 'app');
    assert.deepEqual(d.custom.hy_hobbies, ['stamps', 'books']);
    assert.equal(d.custom.hy_vip, true);
    assert.equal(d.custom.hy_email, vals.hy_email);
    // a phone custom field is a phone: masked like the built-in one
    assert.equal(d.custom.hy_backup_phone, `${vals.hy_backup_phone.slice(0, 3)}****${vals.hy_backup_phone.slice(-4)}`);
    const listed = await listAllCustomers(clerk, { q: '字段全有', limit: 200 });
    assert.equal(listed.items.find((x) => x.id === c.id).custom.hy_backup_phone, d.custom.hy_backup_phone, 'masked in the list too');
    cust.full = d;

    const m2 = await createCustomer(clerk, { name: '整数存款', phone: u.phone(), custom: { hy_deposit: 100, hy_children: 0, hy_vip: false, hy_channel: 'counter', hy_hobbies: ['coins'] } });
    const d2 = await getCustomer(clerk, m2.id);
    assert.equal(d2.custom.hy_deposit, '100.00');
    assert.equal(d2.custom.hy_children, 0);
    assert.equal(d2.custom.hy_vip, false);
    cust.plain = d2;
    const m3 = await createCustomer(clerk, { name: '无自定义', phone: u.phone() });
    cust.none = m3;
  });

  const BAD = {
    hy_wechat: 'x'.repeat(201),
    hy_notes: '字'.repeat(2001),
    hy_children: 'abc',
    hy_deposit: '12.345',
    hy_anniversary: '2024-02-30',
    hy_channel: 'nope',
    hy_hobbies: ['stamps', 'nope'],
    hy_backup_phone: '12345',
    hy_email: 'not-an-email',
    hy_vip: 'yes',
  };

  test('invalid values: 422 with one message per field keyed custom.<key>, Chinese and English; nothing created', async () => {
    const before = (await listAllCustomers(admin, { limit: 200 })).items.length;
    const r = await clerk.post('/customers', { name: '字段全错', phone: u.phone(), custom: BAD });
    const keys = Object.keys(BAD).map((k) => `custom.${k}`);
    expectError(r, 422, 'validation_failed', { fields: keys });
    const rEn = await clerkEn.post('/customers', { name: '字段全错', phone: u.phone(), custom: BAD });
    expectError(rEn, 422, 'validation_failed', { lang: 'en', fields: keys });
    // one at a time, too
    for (const [k, v] of Object.entries(BAD)) {
      const one = await clerk.post('/customers', { name: '单个错', phone: u.phone(), custom: { [k]: v } });
      const e = expectError(one, 422, 'validation_failed', { fields: [`custom.${k}`] });
      assert.deepEqual(Object.keys(e.fields), [`custom.${k}`], `only custom.${k} is wrong: ${show(one)}`);
    }
    for (const [k, v] of [
      ['hy_children', '3'],
      ['hy_deposit', 'abc'],
      ['hy_deposit', '1.2.3'],
      ['hy_anniversary', '2024/01/02'],
      ['hy_hobbies', 'stamps'],
      ['hy_channel', ['app']],
      ['hy_vip', 1],
      ['hy_wechat', 42],
    ]) {
      const one = await clerk.post('/customers', { name: '类型错', phone: u.phone(), custom: { [k]: v } });
      expectError(one, 422, 'validation_failed', { fields: [`custom.${k}`] });
    }
    assert.equal((await listAllCustomers(admin, { limit: 200 })).items.length, before, 'an invalid customer was created');
  });

  test('custom values are validated by the same code as built-in fields: the same message for a bad phone', async () => {
    const bad = '1381234123';
    const r = await clerk.post('/customers', { name: '同一规则', phone: bad, custom: { hy_backup_phone: bad } });
    const e = expectError(r, 422, 'validation_failed', { fields: ['phone', 'custom.hy_backup_phone'] });
    assert.equal(e.fields['custom.hy_backup_phone'], e.fields.phone);
    const rEn = await clerkEn.post('/customers', { name: '同一规则', phone: bad, custom: { hy_backup_phone: bad } });
    const eEn = expectError(rEn, 422, 'validation_failed', { lang: 'en', fields: ['phone', 'custom.hy_backup_phone'] });
    assert.equal(eEn.fields['custom.hy_backup_phone'], eEn.fields.phone);
    // a normalisable phone is normalised like the built-in one
    const p = u.phone();
    const c = await createCustomer(clerk, { name: '备用号规范', phone: u.phone(), custom: { hy_backup_phone: `+86 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}` } });
    const d = await getCustomer(clerk, c.id);
    // custom phone values are stored as the 11 digits, shown masked, and
    // given whole by a reveal (which a manager may do)
    assert.equal(d.custom.hy_backup_phone, `${p.slice(0, 3)}****${p.slice(7)}`);
    const rv = await mgr.post(`/customers/${c.id}/reveal`, {});
    assert.equal(rv.status, 200, show(rv));
    assert.equal(rv.body.custom.hy_backup_phone, p, 'backup_phone not normalised');
    const found = await listAllCustomers(clerk, { filter: { field: 'custom.hy_backup_phone', op: 'eq', value: p }, limit: 200 });
    assert.deepEqual(found.items.map((x) => x.id), [c.id], 'stored as the 11 digits');
  });

  test('an unknown custom key is refused with 422 on custom.<key>', async () => {
    const r = await clerk.post('/customers', { name: '未知键', phone: u.phone(), custom: { nokey: 'x' } });
    expectError(r, 422, 'validation_failed', { fields: ['custom.nokey'] });
  });

  test('PATCH validates custom values too and keeps the others', async () => {
    const c = cust.full;
    const bad = await clerk.patch(`/customers/${c.id}`, { version: c.version, custom: { hy_children: 'many' } });
    expectError(bad, 422, 'validation_failed', { fields: ['custom.hy_children'] });
    const ok = await clerk.patch(`/customers/${c.id}`, { version: c.version, custom: { hy_children: 3, hy_channel: 'wx' } });
    assert.equal(ok.status, 200, show(ok));
    const d = ok.body.customer;
    assert.equal(d.custom.hy_children, 3);
    assert.equal(d.custom.hy_channel, 'wx');
    assert.equal(d.custom.hy_wechat, 'zs_1949', 'a PATCH of some custom values keeps the others');
    assert.deepEqual(d.custom.hy_hobbies, ['stamps', 'books']);
    cust.full = d;
    const h = await clerk.get(`/customers/${c.id}/history`);
    assert.equal(h.status, 200, show(h));
    const e = h.body.items.find((x) => x.field === 'custom.hy_children');
    assert.ok(e, `custom field change not in history: ${show(h)}`);
    assert.equal(String(e.old_value), '2');
    assert.equal(String(e.new_value), '3');
  });

  test('a required field: 422 custom.<key> 必填 on create when missing; fine once retired', async () => {
    const r = await admin.post('/fields', { entity: 'customer', key: 'hy_member_card', label: '会员卡号', label_en: 'Member card', type: 'text', required: true });
    assert.equal(r.status, 201, show(r));
    const f = r.body.field;
    assert.equal(f.required, true);
    const miss = await clerk.post('/customers', { name: '缺会员卡', phone: u.phone() });
    const e = expectError(miss, 422, 'validation_failed', { fields: ['custom.hy_member_card'] });
    assert.match(e.fields['custom.hy_member_card'], /必填/);
    const missEn = await clerkEn.post('/customers', { name: '缺会员卡', phone: u.phone() });
    const eEn = expectError(missEn, 422, 'validation_failed', { lang: 'en', fields: ['custom.hy_member_card'] });
    assert.match(eEn.fields['custom.hy_member_card'], /required/i);
    const blank = await clerk.post('/customers', { name: '空会员卡', phone: u.phone(), custom: { hy_member_card: '' } });
    expectError(blank, 422, 'validation_failed', { fields: ['custom.hy_member_card'] });
    const ok = await createCustomer(clerk, { name: '有会员卡', phone: u.phone(), custom: { hy_member_card: 'VIP-0001' } });
    assert.equal(ok.custom.hy_member_card, 'VIP-0001');
    // making it optional via PATCH
    const p = await admin.patch(`/fields/${f.id}`, { required: false, version: f.version });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.body.field.required, false);
    await createCustomer(clerk, { name: '可选会员卡', phone: u.phone() });
    const back = await admin.patch(`/fields/${f.id}`, { required: true, version: p.body.field.version });
    assert.equal(back.status, 200, show(back));
    const rt = await admin.post(`/fields/${f.id}/retire`, {});
    assert.equal(rt.status, 200, show(rt));
    await createCustomer(clerk, { name: '退役后新建', phone: u.phone() });
  });

  test('editing a definition uses optimistic locking; only admins edit', async () => {
    const f = F.hy_wechat;
    expectError(await clerk.patch(`/fields/${f.id}`, { label: '微信', version: f.version }), 403, 'forbidden');
    const p = await admin.patch(`/fields/${f.id}`, { label: '微信号码', help: '填写微信号', version: f.version });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.body.field.label, '微信号码');
    assert.ok(p.body.field.version > f.version);
    expectError(await admin.patch(`/fields/${f.id}`, { label: '旧版本', version: f.version }), 409, 'stale_version');
    // changing the options of a select: a removed option is no longer accepted for new values
    const ch = F.hy_channel;
    const opts = [...OPTS_CHANNEL, { value: 'post', label: '邮递员', label_en: 'Postman' }];
    const p2 = await admin.patch(`/fields/${ch.id}`, { options: opts, version: ch.version });
    assert.equal(p2.status, 200, show(p2));
    await createCustomer(clerk, { name: '新选项', phone: u.phone(), custom: { hy_channel: 'post' } });
    F.hy_wechat = p.body.field;
    F.hy_channel = p2.body.field;
  });

  test('reorder changes the order of GET /fields', async () => {
    const l = await admin.get('/fields?entity=customer');
    const ids = l.body.items.map((f) => f.id).reverse();
    const r = await admin.post('/fields/reorder', { entity: 'customer', ids });
    assert.equal(r.status, 200, show(r));
    const l2 = await admin.get('/fields?entity=customer');
    assert.deepEqual(l2.body.items.map((f) => f.id), ids);
    expectError(await clerk.post('/fields/reorder', { entity: 'customer', ids }), 403, 'forbidden');
  });

  test('filters on custom fields of each type', async () => {
    const ids = async (filter) => (await listAllCustomers(clerk, { filter, limit: 200 })).items.map((c) => c.id).sort();
    const full = cust.full.id;
    const plain = cust.plain.id;
    assert.deepEqual(await ids({ field: 'custom.hy_children', op: 'gte', value: 1 }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_children', op: 'eq', value: 0 }), [plain]);
    assert.deepEqual(await ids({ field: 'custom.hy_vip', op: 'eq', value: true }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_vip', op: 'eq', value: false }), [plain]);
    assert.deepEqual(await ids({ field: 'custom.hy_channel', op: 'eq', value: 'wx' }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_channel', op: 'in', value: ['wx', 'counter'] }), [full, plain].sort());
    assert.deepEqual(await ids({ field: 'custom.hy_hobbies', op: 'has', value: 'coins' }), [plain]);
    assert.deepEqual(await ids({ field: 'custom.hy_hobbies', op: 'has_any', value: ['coins', 'books'] }), [full, plain].sort());
    assert.deepEqual(await ids({ field: 'custom.hy_hobbies', op: 'has_all', value: ['stamps', 'books'] }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_deposit', op: 'gt', value: '50' }), [plain], 'money compares as a number');
    assert.deepEqual(await ids({ field: 'custom.hy_anniversary', op: 'between', value: ['2000-01-01', '2000-12-31'] }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_wechat', op: 'starts_with', value: 'zs_' }), [full]);
    assert.deepEqual(await ids({ field: 'custom.hy_email', op: 'contains', value: '@example.com' }), [full]);
    const r = await clerk.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: 'custom.hy_anniversary', op: 'gt', value: 'soon' }))}`);
    expectError(r, 422, 'validation_failed', { fields: ['filter'] });
    const r2 = await clerk.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: 'custom.hy_channel', op: 'eq', value: 'nope' }))}`);
    // a value that is not (or no longer) one of a select's options finds
    // nothing, as a tag name that does not exist does: a saved segment
    // keeps working after an option is removed
    assert.equal(r2.status, 200, show(r2));
    assert.deepEqual(r2.body.items, []);
  });

  test('custom columns appear in the export', async () => {
    const { file } = await runExport(mgr, {
      entity: 'customer',
      format: 'csv',
      columns: ['name', 'custom.hy_wechat', 'custom.hy_deposit', 'custom.hy_children', 'custom.hy_channel', 'custom.hy_hobbies', 'custom.hy_vip', 'custom.hy_anniversary'],
      filter: { field: 'name', op: 'eq', value: '字段全有' },
    });
    const rows = parseCsv(file.bytes.toString('utf8'));
    assert.equal(rows.length, 2, `header and one row: ${JSON.stringify(rows)}`);
    const [head, row] = rows;
    assert.deepEqual(head, ['姓名', '微信号码', '存款', '子女数', '渠道', '爱好', '贵宾', '纪念日'], 'custom columns are headed by their labels');
    assert.equal(row[0], '字段全有');
    assert.equal(row[1], 'zs_1949');
    assert.equal(row[2], '12.50');
    assert.equal(row[3], '3');
    assert.equal(row[4], 'wx', 'a select is exported as its stored value');
    assert.equal(row[5], 'stamps|books', 'a multi-select is exported as its values joined by |');
    assert.equal(row[6], '是', 'a boolean is exported as 是 / 否');
    assert.equal(row[7], '2000-05-20');
    const bad = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name', 'custom.nokey'] });
    expectError(bad, 422, 'validation_failed');
  });

  test('custom fields can be mapped in an import and are validated there', async () => {
    const p1 = u.phone();
    const p2 = u.phone();
    const csv = toCsv([
      ['姓名', '手机号', '微信号码', '子女数', '渠道'],
      ['导入甲', p1, 'wx_import', '1', 'counter'],
      ['导入乙', p2, 'wx_bad', 'many', 'counter'],
    ]);
    const up = await uploadCsv(mgr, Buffer.from(csv, 'utf8'));
    assert.equal(up.status, 201, show(up));
    const imp = up.body.import;
    const run = await mgr.post(`/imports/${imp.id}/run`, {
      mapping: { 姓名: 'name', 手机号: 'phone', 微信号码: 'custom.hy_wechat', 子女数: 'custom.hy_children', 渠道: 'custom.hy_channel' },
      dry_run: false,
      on_duplicate: 'skip',
    });
    assert.equal(run.status, 202, show(run));
    const job = await pollJob(mgr, `/imports/${imp.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.created, 1);
    assert.equal(job.failed, 1);
    // named by the file's column and the field's label, not its internal key
    assert.deepEqual(job.errors.map((e) => [e.column, e.message]), [['子女数', '子女数：应为数字']], JSON.stringify(job.errors));
    const found = (await listAllCustomers(mgr, { q: p1 })).items;
    assert.equal(found.length, 1);
    assert.equal(found[0].custom.hy_wechat, 'wx_import');
    assert.equal(found[0].custom.hy_children, 1);
    assert.equal(found[0].custom.hy_channel, 'counter');
  });

  test('the suggested import mapping recognises custom field labels', async () => {
    const csv = toCsv([['姓名', '手机号', '微信号码', '子女数'], ['建议甲', u.phone(), 'wx1', '2']]);
    const up = await uploadCsv(mgr, Buffer.from(csv, 'utf8'));
    assert.equal(up.status, 201, show(up));
    const sm = up.body.import.suggested_mapping;
    assert.equal(sm['姓名'], 'name');
    assert.equal(sm['微信号码'], 'custom.hy_wechat', `label → custom key suggested: ${JSON.stringify(sm)}`);
    assert.equal(sm['子女数'], 'custom.hy_children', JSON.stringify(sm));
  });

  test('retiring a field keeps the data; it is hidden from the list and no longer accepted; restore brings it back', async () => {
    const f = F.hy_wechat;
    const r = await admin.post(`/fields/${f.id}/retire`, {});
    assert.equal(r.status, 200, show(r));
    const l = await clerk.get('/fields?entity=customer');
    assert.ok(!l.body.items.some((x) => x.key === 'hy_wechat'), 'retired field still listed');
    const lr = await admin.get('/fields?entity=customer&include_retired=1');
    const rf = lr.body.items.find((x) => x.key === 'hy_wechat');
    assert.ok(rf, 'include_retired=1 lists it');
    assert.equal(rf.retired, true);

    const n = await clerk.post('/customers', { name: '退役字段', phone: u.phone(), custom: { hy_wechat: 'after' } });
    expectError(n, 422, 'validation_failed', { fields: ['custom.hy_wechat'] });

    // the key is still taken
    expectError(await admin.post('/fields', { entity: 'customer', key: 'hy_wechat', label: '重用', type: 'text' }), 409, 'conflict');

    const back = await admin.post(`/fields/${f.id}/restore`, {});
    assert.equal(back.status, 200, show(back));
    const d = await getCustomer(clerk, cust.full.id);
    assert.equal(d.custom.hy_wechat, 'zs_1949', 'the value survived retire + restore');
    const l2 = await clerk.get('/fields?entity=customer');
    assert.ok(l2.body.items.some((x) => x.key === 'hy_wechat' && x.retired === false));
  });

  test('custom and family phones stay masked in exports without reveal and in the change history', async () => {
    const p1 = u.phone(), p2 = u.phone(), fam1 = u.phone(), fam2 = u.phone();
    const c = await createCustomer(clerk, {
      name: '掩码历史', phone: u.phone(), custom: { hy_backup_phone: p1 },
      family_members: [{ name: '家人', relation: '配偶', phone: fam1 }],
    });
    const r = await clerk.patch(`/customers/${c.id}`, {
      version: c.version, custom: { hy_backup_phone: p2 }, family_members: [{ name: '家人', relation: '配偶', phone: fam2 }],
    });
    assert.equal(r.status, 200, show(r));
    const h = await clerk.get(`/customers/${c.id}/history?limit=200`);
    assert.equal(h.status, 200, show(h));
    for (const digits of [p1, p2, fam1, fam2]) assert.ok(!h.text.includes(digits), `history shows ${digits}: ${h.text}`);
    assert.ok(h.text.includes(`${p2.slice(0, 3)}****${p2.slice(7)}`), 'the new value, masked');

    const cols = ['name', 'custom.hy_backup_phone'];
    const filter = { field: 'name', op: 'eq', value: '掩码历史' };
    const byClerk = parseCsv((await runExport(clerk, { entity: 'customer', format: 'csv', columns: cols, filter })).file.bytes.toString('utf8'));
    assert.equal(byClerk[1][1], `${p2.slice(0, 3)}****${p2.slice(7)}`);
    const byMgr = parseCsv((await runExport(mgr, { entity: 'customer', format: 'csv', columns: cols, filter })).file.bytes.toString('utf8'));
    assert.equal(byMgr[1][1], p2, 'a role that may reveal exports the number, audited');
  });
});
