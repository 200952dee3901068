// The form designer's layouts (issue 15, 表单引擎): the default layout
// derived from the descriptor, a save with its version, audit and the
// conflict of a stale base, the refusals of a bad layout in both
// languages, and what a saved layout enforces on the server for every
// entity alike: a field hidden from a role is missing from its records,
// lists, overview, metadata, filters and exports; a field it may not edit
// is refused when changed; a layout-required field is needed on create
// and in an import; the quick search does not match a value the role
// may not see (no existence oracle). Also: an enterprise created with its
// contacts in one step, all or nothing.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, uploadCsv, pollJob, createCustomer, Uniq, makeIdNumber, uscc } from './lib/customers.mjs';

/** The PUT body of a resolved layout (what the designer sends). */
function bodyOf(layout, note) {
  return {
    base_version: layout.version,
    note,
    groups: layout.groups.map((g) => ({
      key: g.key, label: g.label, label_en: g.label_en,
      fields: g.fields.map((f) => ({
        key: f.key, width: f.width, required: f.required, help: f.help, help_en: f.help_en,
        visible_roles: f.visible_roles, editable_roles: f.editable_roles,
      })),
    })),
  };
}

const field = (body, key) => body.groups.flatMap((g) => g.fields).find((f) => f.key === key);
const groupOf = (layout, key) => layout.groups.find((g) => g.fields.some((f) => f.key === key));

describe('form layouts', () => {
  const srv = useServer({
    label: 'form-layouts',
    users: [
      { login: 'A9211', name: '表单管理员', role: 'admin', branch: 'GD' },
      { login: 'M9211', name: '表单经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9211', name: '表单柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(21);
  let admin, mgr, clerk, v0, ent;

  test('set-up', async () => {
    ({ A9211: admin, M9211: mgr, C9211: clerk } = await signInAll(srv, ['A9211', 'M9211', 'C9211']));
  });

  test('until an admin saves one, the layout is derived from the fields: version 0, nothing restricted', async () => {
    const r = await admin.get('/form-layouts/enterprise');
    assert.equal(r.status, 200, show(r));
    v0 = r.body;
    assert.equal(v0.version, 0);
    assert.equal(v0.saved, false);
    assert.deepEqual(v0.groups.map((g) => g.key), ['basic', 'ownership', 'system']);
    const name = field(v0, 'name');
    assert.equal(name.required, true);
    assert.equal(name.visible, true);
    assert.equal(name.editable, true);
    assert.equal(name.label, '企业名称');
    assert.equal(field(v0, 'created_at').auto, true, 'what the program sets is marked');
    const c = await clerk.get('/form-layouts/enterprise');
    assert.equal(c.status, 200, 'whoever reads enterprises reads their form');
    expectError(await clerk.get('/form-layouts/nothing'), 404, 'not_found');
    expectError(await clerk.put('/form-layouts/enterprise', bodyOf(v0)), 403, 'forbidden');
    expectError(await clerk.get('/form-layouts/enterprise/versions'), 403, 'forbidden');
  });

  test('a bad layout is refused field by field, in the user\'s language, and nothing is saved', async () => {
    const b = bodyOf(v0);
    b.groups[0].fields.push({ key: 'nonsense' });
    b.groups[0].fields.push({ key: 'website' }); // website is already in basic
    b.groups[1].key = b.groups[0].key;
    b.groups[2].label = '';
    field(b, 'industry').visible_roles = ['clerk', 'janitor'];
    field(b, 'address').width = 'third';
    b.groups[0].fields = b.groups[0].fields.filter((f) => f.key !== 'name');
    const e = expectError(await admin.put('/form-layouts/enterprise', b), 422, 'validation_failed', {
      fields: ['nonsense', 'website', 'groups[1]', 'groups[2]', 'industry', 'address', 'name'],
    });
    assert.equal(e.fields.website, '该字段在表单中放了两次');
    assert.match(e.fields.name, /必须有的字段/);
    // the name stays editable by every role that creates enterprises
    const b2 = bodyOf(v0);
    field(b2, 'name').editable_roles = ['admin'];
    const en = expectError(await admin.put('/form-layouts/enterprise', b2, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['name'] });
    assert.match(en.fields.name, /Every record needs this field/);
    const still = await admin.get('/form-layouts/enterprise');
    assert.equal(still.body.version, 0);
  });

  test('a save is a new version, audited with old → new; a stale base is a conflict', async () => {
    const b = bodyOf(v0, '线上渠道单独成组');
    // website moves to a new first group; the credit limit is kept from
    // clerks; only admins change the short name; the industry is required
    b.groups[0].fields = b.groups[0].fields.filter((f) => f.key !== 'website');
    b.groups.unshift({ key: 'online', label: '线上', label_en: 'Online', fields: [{ key: 'website', width: 'full', help: '官网地址', help_en: 'Home page' }] });
    field(b, 'credit_limit').visible_roles = ['admin', 'supervisor', 'manager'];
    field(b, 'short_name').editable_roles = ['admin'];
    field(b, 'industry').required = true;
    const r = await admin.put('/form-layouts/enterprise', b);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.version, 1);
    assert.equal(r.body.saved, true);
    assert.equal(r.body.groups[0].key, 'online');
    assert.equal(field(r.body, 'website').help, '官网地址');
    assert.equal(r.body.author_name, '表单管理员');

    const audit = await findAudit(admin, (x) => x.action === 'form_layout.save');
    assert.equal(audit.length, 1);
    const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
    assert.deepEqual([detail.entity, detail.from, detail.to], ['enterprise', 0, 1]);

    const stale = expectError(await admin.put('/form-layouts/enterprise', bodyOf(v0)), 409, 'stale_version');
    assert.match(stale.message, /已被他人修改/);

    const list = await admin.get('/form-layouts/enterprise/versions');
    assert.equal(list.status, 200, show(list));
    assert.deepEqual(list.body.items.map((x) => [x.version, x.note, x.author_name]), [[1, '线上渠道单独成组', '表单管理员']]);
    const one = await admin.get('/form-layouts/enterprise/versions/1');
    assert.equal(one.body.groups[0].key, 'online');
    expectError(await admin.get('/form-layouts/enterprise/versions/7'), 404, 'not_found');

    const mine = await clerk.get('/form-layouts/enterprise');
    assert.equal(field(mine.body, 'credit_limit').visible, false, 'resolved for the clerk');
    assert.equal(field(mine.body, 'short_name').editable, false);
  });

  test('the metadata follows the layout: its order and groups, without what the role may not see', async () => {
    const a = await admin.get('/meta/entities/enterprise');
    assert.equal(a.body.fields[0].key, 'website');
    assert.equal(a.body.fields[0].group, 'online');
    assert.equal(a.body.fields[0].group_label, '线上');
    assert.ok(a.body.fields.some((f) => f.key === 'credit_limit'));
    const c = await clerk.get('/meta/entities/enterprise');
    assert.ok(!c.body.fields.some((f) => f.key === 'credit_limit'), 'the clerk\'s filter builder has no credit limit');
  });

  test('a layout-required field is needed on create; a field hidden from a role is missing from its records, lists and overview', async () => {
    const miss = expectError(await mgr.post('/enterprises', { name: '缺行业公司' }), 422, 'validation_failed', { fields: ['industry'] });
    assert.equal(miss.fields.industry, '必填项');
    expectError(await mgr.post('/enterprises', { name: '版式测试物流有限公司', industry: 'G', short_name: '版式物流' }), 422, 'validation_failed', { fields: ['short_name'] });
    const r = await mgr.post('/enterprises', { name: '版式测试物流有限公司', industry: 'G', credit_limit: '80000' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    assert.equal(ent.credit_limit, '80000.00');

    const c = await clerk.get(`/enterprises/${ent.id}`);
    assert.equal(c.status, 200, show(c));
    assert.ok(!('credit_limit' in c.body.enterprise), 'no credit limit for the clerk');
    assert.equal(c.body.enterprise.industry, 'G');
    const list = await clerk.get('/enterprises?q=' + encodeURIComponent('版式测试'));
    assert.equal(list.body.items.length, 1);
    assert.ok(!('credit_limit' in list.body.items[0]));
    const ov = await clerk.get(`/enterprises/${ent.id}/overview`);
    assert.equal(ov.status, 200, show(ov));
    assert.ok(!('credit_limit' in ov.body.enterprise));
    assert.ok(!('credit_limit' in ov.body.credit), 'nor in the credit terms');
    const m = await mgr.get(`/enterprises/${ent.id}/overview`);
    assert.equal(m.body.credit.credit_limit, '80000.00');
  });

  test('a hidden field cannot be filtered on nor exported by that role', async () => {
    const filter = encodeURIComponent(JSON.stringify({ field: 'credit_limit', op: 'gt', value: 1000 }));
    expectError(await clerk.get(`/enterprises?filter=${filter}`), 422, 'validation_failed', { fields: ['filter'] });
    const ok = await mgr.get(`/enterprises?filter=${filter}`);
    assert.equal(ok.status, 200, show(ok));
    assert.ok(ok.body.items.some((x) => x.id === ent.id));
    expectError(await clerk.post('/exports', { entity: 'enterprise', format: 'csv', columns: ['name', 'credit_limit'] }), 422, 'validation_failed', { fields: ['columns'] });
    const start = await mgr.post('/exports', { entity: 'enterprise', format: 'csv', columns: ['name', 'credit_limit'] });
    assert.equal(start.status, 202, show(start));
  });

  test('a field the role may not edit is refused when changed (on create too), and passes when sent back unchanged', async () => {
    const set = await admin.patch(`/enterprises/${ent.id}`, { version: ent.version, short_name: '版式物流' });
    assert.equal(set.status, 200, show(set));
    const cur = (await mgr.get(`/enterprises/${ent.id}`)).body.enterprise;
    const no = expectError(await mgr.patch(`/enterprises/${ent.id}`, { version: cur.version, short_name: '改掉' }), 422, 'validation_failed', { fields: ['short_name'] });
    assert.equal(no.fields.short_name, '您的角色不能修改该字段');
    const same = await mgr.patch(`/enterprises/${ent.id}`, { version: cur.version, short_name: '版式物流', address: '广州市天河区' });
    assert.equal(same.status, 200, show(same));
    const byAdmin = await admin.patch(`/enterprises/${ent.id}`, { version: same.body.enterprise.version, short_name: '改掉' });
    assert.equal(byAdmin.status, 200, show(byAdmin));
    assert.equal(byAdmin.body.enterprise.short_name, '改掉');
  });

  test('the history of a hidden field tells the clerk that it changed, not its values', async () => {
    const cur = (await mgr.get(`/enterprises/${ent.id}`)).body.enterprise;
    const r = await mgr.patch(`/enterprises/${ent.id}`, { version: cur.version, credit_limit: '90000' });
    assert.equal(r.status, 200, show(r));
    const seen = (await mgr.get(`/enterprises/${ent.id}/history`)).body.items.find((h) => h.field === 'credit_limit');
    assert.equal(seen.new_value, '90000.00', JSON.stringify(seen));
    const hid = (await clerk.get(`/enterprises/${ent.id}/history`)).body.items.find((h) => h.field === 'credit_limit');
    assert.ok(hid, 'the change is listed');
    assert.equal(hid.old_value, null);
    assert.equal(hid.new_value, null);
  });

  test('the import checks layout-required fields row by row', async () => {
    const csv = '企业名称,行业\n导入有行业公司,G\n导入缺行业公司,\n';
    const up = await uploadCsv(admin, Buffer.from(csv), { entity: 'enterprise' });
    assert.equal(up.status, 201, show(up));
    const run = await admin.post(`/imports/${up.body.import.id}/run`, { mapping: { 企业名称: 'name', 行业: 'industry' }, dry_run: false, on_duplicate: 'skip' });
    assert.equal(run.status, 202, show(run));
    const job = await pollJob(admin, `/imports/${up.body.import.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    const res = job.result || job;
    assert.equal(res.created, 1, JSON.stringify(job));
    assert.equal(res.failed, 1, JSON.stringify(job));
    assert.ok(res.errors.some((x) => /必填/.test(x.message)), JSON.stringify(res.errors));
  });

  test('an older version is restored as a new one', async () => {
    const old = (await admin.get('/form-layouts/enterprise/versions/1')).body;
    const cur = (await admin.get('/form-layouts/enterprise')).body;
    const b = { ...bodyOf({ ...old, version: cur.version }, '恢复版本 1') };
    const r = await admin.put('/form-layouts/enterprise', b);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.version, 2);
    assert.equal(groupOf(r.body, 'website').key, 'online');
  });

  test('the same code serves customers: a field hidden from clerks leaves their customer records', async () => {
    const base = (await admin.get('/form-layouts/customer')).body;
    assert.equal(base.version, 0);
    const b = bodyOf(base, '柜员不看邮箱');
    field(b, 'email').visible_roles = ['admin', 'supervisor', 'manager'];
    const r = await admin.put('/form-layouts/customer', b);
    assert.equal(r.status, 200, show(r));
    const c = await createCustomer(mgr, { name: '版式客户', phone: u.phone(), email: 'layout@example.com' });
    const byClerk = await clerk.get(`/customers/${c.id}`);
    assert.equal(byClerk.status, 200, show(byClerk));
    assert.ok(!('email' in byClerk.body.customer), 'no e-mail for the clerk');
    const byMgr = await mgr.get(`/customers/${c.id}`);
    assert.ok('email' in byMgr.body.customer);
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'is_null' }));
    expectError(await clerk.get(`/customers?filter=${filter}`), 422, 'validation_failed', { fields: ['filter'] });
  });

  test('the quick search does not find a customer by a value the layout hides from the caller', async () => {
    const cur = (await admin.get('/form-layouts/customer')).body;
    // the phone is needed on every customer, so it stays on every role's
    // form (layout.entity_required): the ID number is the field to hide
    const refused = bodyOf(cur);
    field(refused, 'phone').visible_roles = ['admin', 'supervisor', 'manager'];
    expectError(await admin.put('/form-layouts/customer', refused), 422, 'validation_failed', { fields: ['phone'] });
    const b = bodyOf(cur, '柜员不看身份证号');
    field(b, 'id_number').visible_roles = ['admin', 'supervisor', 'manager'];
    const r = await admin.put('/form-layouts/customer', b);
    assert.equal(r.status, 200, show(r));
    const id = makeIdNumber({ seq: 921, birthday: '1979-04-02' });
    const c = await createCustomer(mgr, { name: '隐藏证件客户', phone: u.phone(), id_number: id });
    const byClerk = await clerk.get('/customers?q=' + id);
    assert.equal(byClerk.status, 200, show(byClerk));
    assert.equal(byClerk.body.total, 0, 'the clerk cannot test an ID number it may not see');
    const byName = await clerk.get('/customers?q=' + encodeURIComponent('隐藏证件'));
    assert.deepEqual(byName.body.items.map((x) => x.id), [c.id], 'the clerk still finds the customer by name');
    const byAdmin = await admin.get('/customers?q=' + id);
    assert.deepEqual(byAdmin.body.items.map((x) => x.id), [c.id]);
    // nor does the form's duplicate warning tell the clerk who holds it
    const dupClerk = await clerk.get('/customers/duplicates?id_number=' + id);
    assert.equal(dupClerk.status, 200, show(dupClerk));
    assert.deepEqual(dupClerk.body.items, [], 'no warning about an ID number the clerk may not see');
    const dupAdmin = await admin.get('/customers/duplicates?id_number=' + id);
    assert.deepEqual(dupAdmin.body.items.map((x) => x.id), [c.id]);
  });

  test('the quick search does not find an enterprise by a USCC the layout hides from the caller', async () => {
    const code = uscc('91440101MA5D9211X');
    const e = await mgr.post('/enterprises', { name: '隐藏代码物流有限公司', industry: 'G', uscc: code });
    assert.equal(e.status, 201, show(e));
    const before = await clerk.get('/enterprises?q=' + code);
    assert.deepEqual(before.body.items.map((x) => x.id), [e.body.enterprise.id], 'found while the clerk sees the code');
    const cur = (await admin.get('/form-layouts/enterprise')).body;
    const b = bodyOf(cur, '柜员不看信用代码');
    field(b, 'uscc').visible_roles = ['admin', 'supervisor', 'manager'];
    const r = await admin.put('/form-layouts/enterprise', b);
    assert.equal(r.status, 200, show(r));
    const byClerk = await clerk.get('/enterprises?q=' + code);
    assert.equal(byClerk.status, 200, show(byClerk));
    assert.equal(byClerk.body.total, 0, 'the clerk cannot test a USCC it may not see');
    const byAdmin = await admin.get('/enterprises?q=' + code.toLowerCase());
    assert.deepEqual(byAdmin.body.items.map((x) => x.id), [e.body.enterprise.id]);
  });

  test('an enterprise is created with its contacts in one step; a bad contact writes nothing', async () => {
    const bad = expectError(await mgr.post('/enterprises', {
      name: '联系人错误公司', industry: 'G',
      contacts: [{ name: '甲', mobile: '13800001111' }, { name: '乙', mobile: '12345' }, { roles: ['finance'] }],
    }), 422, 'validation_failed', { fields: ['contacts[1].mobile', 'contacts[2].name'] });
    assert.ok(bad);
    const none = await mgr.get('/enterprises?q=' + encodeURIComponent('联系人错误'));
    assert.equal(none.body.total, 0, 'nothing was written');
    expectError(await mgr.post('/enterprises', {
      name: '两位主联系人公司', industry: 'G',
      contacts: [{ name: '甲', is_primary: true }, { name: '乙', is_primary: true }],
    }), 422, 'validation_failed', { fields: ['contacts[1].is_primary'] });

    const r = await mgr.post('/enterprises', {
      name: '三位联系人科技有限公司', industry: 'I',
      contacts: [
        { name: '王决策', roles: ['decision_maker'], title: '总经理', mobile: '13800002222' },
        { name: '李财务', roles: ['finance'], email: 'li@example.com', is_primary: true },
        { name: '赵对接', roles: ['liaison', 'other'], mobile: '13800003333' },
      ],
    });
    assert.equal(r.status, 201, show(r));
    const ov = await mgr.get(`/enterprises/${r.body.enterprise.id}/overview`);
    assert.deepEqual(ov.body.contacts.map((k) => [k.name, k.is_primary]), [['李财务', true], ['王决策', false], ['赵对接', false]]);
    assert.equal(ov.body.contacts.find((k) => k.name === '王决策').mobile, '138****2222');
  });
});
