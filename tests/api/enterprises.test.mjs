// VIP enterprises (issue 15, the backend): the record with its USCC check
// and override, version conflicts, the contact matrix with one primary
// contact and masked numbers, the department tree and its refusals, who
// sees and edits what, the quick search (masked roles: whole mobile or
// last four only), segments, export, history, the manager's bell and the
// 360 overview in one call.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, tagsByName, runExport, parseCsv, maskPhone, findAudit, uploadCsv, pollJob, uscc } from './lib/customers.mjs';

const wrongCheck = (code) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0');

describe('VIP enterprises', () => {
  const srv = useServer({
    label: 'enterprises',
    users: [
      { login: 'A9151', name: '大客户管理员', role: 'admin', branch: 'GD' },
      { login: 'M9151', name: '天河经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9152', name: '天河经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9151', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'S9151', name: '广州主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C9152', name: '福田柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(15);
  let admin, m1, m2, clerk, sup, szClerk, branches, users;
  let ent; // 广州 enterprise managed by m1
  const code1 = uscc('91440101MA5D0001X');

  test('set-up', async () => {
    ({ A9151: admin, M9151: m1, M9152: m2, C9151: clerk, S9151: sup, C9152: szClerk } = await signInAll(srv, ['A9151', 'M9151', 'M9152', 'C9151', 'S9151', 'C9152']));
    branches = await branchesByCode(admin);
    const r = await admin.get('/users?limit=200');
    assert.equal(r.status, 200, show(r));
    users = Object.fromEntries(r.body.items.map((x) => [x.login, x.id]));
  });

  test('a manager creates an enterprise: numbered per branch, theirs, money and dictionaries checked', async () => {
    const r = await m1.post('/enterprises', {
      name: '广州云仓电子商务有限公司', short_name: '云仓电商', uscc: code1.toLowerCase(), industry: 'F', size: 'medium',
      tier: 'key', status: 'active', acquired_on: '2026-03-01', credit_days: 30, credit_limit: '50000.5', billing_day: 25,
      settlement: 'monthly', order_channels: ['api', 'pc'], value_added: ['insured', 'pickup'], price_sensitivity: 'high',
    });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    assert.match(ent.customer_no, /^E-GD-GZ-01-\d{6}$/);
    assert.equal(ent.uscc, code1, 'the code is stored upper-case');
    assert.equal(ent.owner_id, users.M9151, 'a manager\'s new enterprise is theirs');
    assert.equal(ent.credit_limit, '50000.50');
    assert.deepEqual(ent.order_channels, ['api', 'pc']);
    assert.equal(ent.version, 1);
    assert.equal(ent.branch_id, branches['GD-GZ-01'].id);

    const bad = expectError(
      await m1.post('/enterprises', { name: '坏数据', industry: 'Z', billing_day: 29, credit_limit: '1e308', status: 'gone', value_added: ['teleport'] }),
      422, 'validation_failed', { fields: ['industry', 'billing_day', 'credit_limit', 'status', 'value_added'] });
    assert.ok(bad);
    const en = expectError(await m1.post('/enterprises', { short_name: 'x' }, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['name'] });
    assert.equal(en.fields.name, 'Required');
    const list = await admin.get('/enterprises?q=' + encodeURIComponent('坏数据'));
    assert.equal(list.body.total, 0, 'a refused enterprise is not stored');
  });

  test('a wrong USCC check character is a warning the user overrides with a reason, which is kept', async () => {
    const wrong = wrongCheck(uscc('91440101MA5D0002X'));
    const e = expectError(await m1.post('/enterprises', { name: '校验位错误公司', uscc: wrong }), 422, 'validation_failed', { fields: ['uscc', 'uscc_override_reason'] });
    assert.match(e.fields.uscc, /校验位/);
    assert.equal(e.fields.uscc_override_reason, '必填项', 'the reason box is asked for');
    expectError(await m1.post('/enterprises', { name: '格式错误公司', uscc: '123' }), 422, 'validation_failed', { fields: ['uscc'] });
    const r = await m1.post('/enterprises', { name: '校验位错误公司', uscc: wrong, uscc_override_reason: '营业执照原件如此' });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.enterprise.uscc, wrong);
    assert.equal(r.body.enterprise.uscc_override_reason, '营业执照原件如此');
    // corrected later: the reason has no more use and goes
    const fixed = await m1.patch(`/enterprises/${r.body.enterprise.id}`, { version: 1, uscc: uscc('91440101MA5D0002X') });
    assert.equal(fixed.status, 200, show(fixed));
    assert.equal(fixed.body.enterprise.uscc_override_reason, null);
  });

  test('an edit needs the current version: a stale one is 409 and changes nothing', async () => {
    let r = await m1.patch(`/enterprises/${ent.id}`, { version: 1, tier: 'strategic' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.enterprise.version, 2);
    expectError(await m1.patch(`/enterprises/${ent.id}`, { version: 1, tier: 'regular' }), 409, 'stale_version');
    r = await m1.get(`/enterprises/${ent.id}`);
    assert.equal(r.body.enterprise.tier, 'strategic');
    const h = await m1.get(`/enterprises/${ent.id}/history`);
    assert.equal(h.status, 200, show(h));
    assert.ok(h.body.items.some((x) => x.field === 'tier' && x.new_value === 'strategic'), show(h));
  });

  test('contacts: the first is primary, a new primary takes the flag, the primary cannot be dropped or deleted while others remain', async () => {
    const base = `/enterprises/${ent.id}/contacts`;
    const p1 = u.phone(), p2 = u.phone(), p3 = u.phone();
    let r = await m1.post(base, { name: '王总', roles: ['decision_maker'], title: '总经理', mobile: p1, email: 'wang@example.com' });
    assert.equal(r.status, 201, show(r));
    const c1 = r.body.contact;
    assert.equal(c1.is_primary, true);
    assert.equal(c1.mobile, maskPhone(p1), 'mobiles are masked like customers\' phones');
    r = await m1.post(base, { name: '李会计', roles: ['finance', 'liaison', 'finance'], mobile: p2, receives_statements: true });
    assert.equal(r.status, 201, show(r));
    const c2 = r.body.contact;
    assert.equal(c2.is_primary, false);
    assert.deepEqual(c2.roles, ['finance', 'liaison']);
    r = await m1.post(base, { name: '赵接口', roles: ['liaison'], mobile: p3, is_primary: true });
    assert.equal(r.status, 201, show(r));
    const c3 = r.body.contact;
    r = await m1.get(base);
    assert.deepEqual(r.body.items.filter((c) => c.is_primary).map((c) => c.id), [c3.id], 'exactly one primary');

    expectError(await m1.post(base, { name: '坏角色', roles: ['boss'], mobile: '123' }), 422, 'validation_failed', { fields: ['roles', 'mobile'] });
    const e = expectError(await m1.patch(`${base}/${c3.id}`, { is_primary: false }), 422, 'validation_failed', { fields: ['is_primary'] });
    assert.match(e.fields.is_primary, /主联系人/);
    expectError(await m1.delete(`${base}/${c3.id}`), 422, 'validation_failed', { fields: ['is_primary'] });
    r = await m1.delete(`${base}/${c2.id}`);
    assert.equal(r.status, 200, show(r));

    // reveal: audited, the manager may, the clerk may not
    r = await m1.post(`${base}/${c1.id}/reveal`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.mobile, p1);
    assert.ok(await findAudit(admin, (a) => a.action === 'enterprise.contact_reveal' && a.object_id === ent.id));
    expectError(await clerk.post(`${base}/${c1.id}/reveal`, {}), 403, 'forbidden');
    ent.p1 = p1;
    ent.c1 = c1.id;
  });

  test('departments: a tree with its cost centres; no cycles, no duplicate code, no deleting a department that has sub-departments or contacts', async () => {
    const base = `/enterprises/${ent.id}/departments`;
    let r = await m1.post(base, { name: '华南事业部', cost_centre: 'CC-100', own_billing: true, finance_contact_id: ent.c1 });
    assert.equal(r.status, 201, show(r));
    const top = r.body.department;
    assert.equal(top.own_billing, true);
    assert.equal(top.finance_contact_name, '王总');
    r = await m1.post(base, { name: '广州仓', parent_id: top.id, cost_centre: 'CC-110' });
    assert.equal(r.status, 201, show(r));
    const child = r.body.department;
    r = await m1.post(base, { name: '番禺仓', parent_id: child.id });
    assert.equal(r.status, 201, show(r));
    const grandchild = r.body.department;

    let e = expectError(await m1.patch(`${base}/${top.id}`, { parent_id: grandchild.id }), 422, 'validation_failed', { fields: ['parent_id'] });
    assert.match(e.fields.parent_id, /下级部门/);
    expectError(await m1.patch(`${base}/${top.id}`, { parent_id: top.id }), 422, 'validation_failed', { fields: ['parent_id'] });
    expectError(await m1.post(base, { name: '重复', cost_centre: 'CC-100' }), 422, 'validation_failed', { fields: ['cost_centre'] });
    e = expectError(await m1.delete(`${base}/${child.id}`), 422, 'validation_failed', { fields: ['id'] });
    assert.match(e.fields.id, /下级部门/);
    // a contact in the grandchild keeps it
    r = await m1.patch(`/enterprises/${ent.id}/contacts/${ent.c1}`, { department_id: grandchild.id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.contact.department_name, '番禺仓');
    e = expectError(await m1.delete(`${base}/${grandchild.id}`, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['id'] });
    assert.match(e.fields.id, /contacts/);
    r = await m1.get(base);
    assert.equal(r.body.items.length, 3);
    ent.top = top.id;
  });

  test('scoping: managers see their own, supervisors their tree, clerks their branch, others nothing (404, not 403)', async () => {
    const other = (await m2.post('/enterprises', { name: '天河乙经理的企业' })).body.enterprise;
    assert.ok(other.id);
    const sz = (await admin.post('/enterprises', { name: '深圳福田贸易公司', branch_id: branches['GD-SZ-01'].id })).body.enterprise;
    assert.ok(sz.id);
    const ids = async (c) => (await c.get('/enterprises?limit=200')).body.items.map((x) => x.id).sort();
    assert.ok(!(await ids(m1)).includes(other.id), 'another manager\'s enterprise is not listed');
    assert.ok((await ids(m1)).includes(ent.id));
    assert.ok((await ids(sup)).includes(other.id) && (await ids(sup)).includes(ent.id));
    assert.ok(!(await ids(sup)).includes(sz.id));
    assert.ok((await ids(clerk)).includes(ent.id));
    assert.ok(!(await ids(szClerk)).includes(ent.id));
    expectError(await m1.get(`/enterprises/${other.id}`), 404, 'not_found');
    expectError(await m1.patch(`/enterprises/${other.id}`, { version: 1, name: '改名' }), 404, 'not_found');
    expectError(await m1.get(`/enterprises/${other.id}/contacts`), 404, 'not_found');
    expectError(await m1.post(`/enterprises/${other.id}/contacts`, { name: '偷偷加的' }), 404, 'not_found');
    expectError(await szClerk.get(`/enterprises/${ent.id}/overview`), 404, 'not_found');
    // clerks read, they do not write
    expectError(await clerk.post('/enterprises', { name: '柜员建的' }), 403, 'forbidden');
    expectError(await clerk.patch(`/enterprises/${ent.id}`, { version: 2, name: '柜员改的' }), 403, 'forbidden');
    const seen = await clerk.get(`/enterprises/${ent.id}/contacts`);
    assert.equal(seen.status, 200, show(seen));
    assert.ok(seen.body.items.every((c) => !c.mobile || c.mobile.includes('****')), 'the clerk sees masked numbers');
    // a supervisor edits the tree's enterprises
    const r = await sup.patch(`/enterprises/${other.id}`, { version: 1, status: 'dormant' });
    assert.equal(r.status, 200, show(r));
  });

  test('quick search: name fragment, pinyin initials, USCC, customer number, a contact\'s mobile (masked roles: whole or last four only)', async () => {
    const q = async (c, text) => (await c.get('/enterprises?q=' + encodeURIComponent(text))).body.items.map((x) => x.id);
    assert.deepEqual(await q(m1, '云仓'), [ent.id]);
    assert.deepEqual(await q(m1, '云'), [ent.id]);
    assert.deepEqual(await q(m1, '云仓电子'), [ent.id]);
    assert.deepEqual(await q(m1, 'gzyc'), [ent.id]);
    assert.deepEqual(await q(m1, code1.toLowerCase()), [ent.id]);
    assert.deepEqual(await q(m1, ent.customer_no), [ent.id]);
    assert.deepEqual(await q(clerk, ent.p1), [ent.id], 'the whole mobile');
    assert.deepEqual(await q(clerk, ent.p1.slice(-4)), [ent.id], 'its last four');
    assert.deepEqual(await q(clerk, ent.p1.slice(0, 7)), [], 'a masked role cannot test a prefix');
    assert.deepEqual(await q(szClerk, ent.p1), [], 'nor find another branch\'s enterprise');
  });

  test('pages by name follow the cursor in pinyin order, by customer number too', async () => {
    for (const sort of ['name', '-customer_no']) {
      const seen = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const r = await admin.get(`/enterprises?sort=${sort}&limit=1${cursor ? '&cursor=' + cursor : ''}`);
        assert.equal(r.status, 200, show(r));
        seen.push(...r.body.items.map((x) => (sort === 'name' ? x.name_pinyin : x.customer_no)));
        if (!r.body.next_cursor) break;
        cursor = r.body.next_cursor;
      }
      assert.equal(seen.length, (await admin.get('/enterprises')).body.total, sort);
      const sorted = [...seen].sort();
      assert.deepEqual(seen, sort === 'name' ? sorted : sorted.reverse(), sort);
    }
  });

  test('tags, segments and export work through the record layer', async () => {
    const tags = await tagsByName(admin);
    const tag = Object.values(tags)[0];
    let r = await m1.post(`/enterprises/${ent.id}/tags`, { tag_ids: [tag.id] });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.enterprise.tags.map((t) => t.id), [tag.id]);
    r = await m1.get(`/enterprises?filter=${encodeURIComponent(JSON.stringify({ and: [{ field: 'tags', op: 'has_any', value: [tag.id] }] }))}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.items.map((x) => x.id), [ent.id]);
    r = await m1.post('/segments', { name: '重点电商', entity: 'enterprise', filter: { and: [{ field: 'industry', op: 'eq', value: 'F' }] } });
    assert.equal(r.status, 201, show(r));
    const seg = (r.body.segment || r.body).id;
    r = await m1.get(`/enterprises?segment_id=${seg}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.items.map((x) => x.id), [ent.id]);
    r = await m1.delete(`/enterprises/${ent.id}/tags/${tag.id}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.enterprise.tags, []);

    const { file } = await runExport(clerk, { entity: 'enterprise', format: 'csv', q: '云仓' });
    const rows = parseCsv(file.bytes.toString('utf8').replace(/^\ufeff/, ''));
    assert.equal(rows.length, 2, JSON.stringify(rows));
    assert.equal(rows[1][rows[0].indexOf('企业名称')], '广州云仓电子商务有限公司');
    assert.equal(rows[1][rows[0].indexOf('统一社会信用代码')], code1);
  });

  test('reassigning the account manager is audited and rings both managers', async () => {
    const cur = (await admin.get(`/enterprises/${ent.id}`)).body.enterprise;
    const before = (await m2.get('/notifications')).body.items.length;
    const r = await admin.patch(`/enterprises/${ent.id}`, { version: cur.version, owner_id: users.M9152 });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.enterprise.owner_name, '天河经理乙');
    const n2 = (await m2.get('/notifications')).body.items;
    assert.equal(n2.length, before + 1);
    assert.match(n2[0].title, /广州云仓电子商务有限公司/);
    const n1 = (await m1.get('/notifications')).body.items;
    assert.ok(n1.some((n) => n.kind === 'enterprise.unassigned'), JSON.stringify(n1));
    assert.ok(await findAudit(admin, (a) => a.action === 'enterprise.reassign' && a.object_id === ent.id));
    expectError(await m1.get(`/enterprises/${ent.id}`), 404, 'not_found');
    // an owner from another branch line is refused
    const e = await admin.patch(`/enterprises/${ent.id}`, { version: r.body.enterprise.version, owner_id: users.C9152 });
    expectError(e, 422, 'validation_failed', { fields: ['owner_id'] });
  });

  test('the 360 overview: header, contacts, departments, records, tasks, tags and credit in one call', async () => {
    const t0 = process.hrtime.bigint();
    const r = await m2.get(`/enterprises/${ent.id}/overview`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(r.status, 200, show(r));
    const o = r.body;
    assert.equal(o.enterprise.id, ent.id);
    assert.equal(o.contacts.length, 2);
    assert.equal(o.contacts[0].is_primary, true);
    assert.ok(o.contacts.every((c) => !c.mobile || c.mobile.includes('****')));
    assert.equal(o.departments.length, 3);
    assert.deepEqual(o.records, []);
    assert.deepEqual(o.tasks, []);
    assert.deepEqual(o.credit, { credit_days: 30, credit_limit: '50000.50', billing_day: 25, settlement: 'monthly' });
    assert.deepEqual(o.counts, { contacts: 2, departments: 3, records: 0, open_tasks: 0 });
    console.log(`overview: ${ms.toFixed(1)} ms (ASan build, one call)`);
  });

  test('recycle bin: delete hides, restore brings back', async () => {
    const cur = (await admin.get(`/enterprises/${ent.id}`)).body.enterprise;
    let r = await admin.delete(`/enterprises/${ent.id}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual((await admin.get('/enterprises?q=' + encodeURIComponent('云仓'))).body.items, []);
    r = await admin.get('/enterprises?deleted=1');
    assert.ok(r.body.items.some((x) => x.id === ent.id));
    r = await admin.post(`/enterprises/${ent.id}/restore`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.enterprise.deleted, false);
    assert.equal(r.body.enterprise.version, cur.version + 2);
  });
  test('import through the record layer: the form\'s checks per row, a known USCC skipped, a wrong check character refused', async () => {
    const fresh = uscc('91440101MA5D0009X');
    const csv = `企业名称,统一社会信用代码,行业,等级\n广州新导入物流有限公司,${fresh},G,key\n重复代码公司,${code1},F,key\n校验错公司,${wrongCheck(uscc('91440101MA5D0010X'))},F,key\n`;
    const up = await admin.post('/imports?entity=enterprise', undefined);
    assert.ok(up.status >= 400, 'an empty upload is refused');
    const r = await uploadCsv(admin, Buffer.from(csv), { entity: 'enterprise' });
    assert.equal(r.status, 201, show(r));
    const imp = r.body.import;
    assert.deepEqual(imp.suggested_mapping, { 企业名称: 'name', 统一社会信用代码: 'uscc', 行业: 'industry', 等级: 'tier' });
    const run = await admin.post(`/imports/${imp.id}/run`, { mapping: imp.suggested_mapping, dry_run: false, on_duplicate: 'skip' });
    assert.equal(run.status, 202, show(run));
    const job = await pollJob(admin, `/imports/${imp.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    const res = job.result || job;
    assert.equal(res.created, 1, JSON.stringify(job));
    assert.equal(res.skipped, 1, JSON.stringify(job));
    assert.equal(res.failed, 1, JSON.stringify(job));
    const found = await admin.get('/enterprises?q=' + fresh);
    assert.equal(found.body.total, 1);
    assert.equal(found.body.items[0].industry, 'G');
    // a clerk may not import enterprises
    const no = await uploadCsv(clerk, Buffer.from(csv), { entity: 'enterprise' });
    assert.equal(no.status, 403, show(no));
  });
});
