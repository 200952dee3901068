// The 大客户列表 with the customers' list experience (issue 15): filters on
// the enterprise's own fields, segments that belong to one entity, bulk
// tags on a target group of enterprises, export of the filtered or chosen
// rows with the primary contact's mobile masked for roles without the
// reveal right, a GBK import with a bad row, and the rights: importing or
// bulk-tagging enterprises needs enterprises.write (a clerk has
// customers.write but not that).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, REPO_ROOT } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, branchesByCode, tagsByName, runExport, parseCsv, maskPhone, findAudit, uploadCsv, pollJob, createCustomer, fetchBytes } from './lib/customers.mjs';

const FIX = path.join(REPO_ROOT, 'tests', 'fixtures');
const filterQs = (tree) => `filter=${encodeURIComponent(JSON.stringify(tree))}`;

describe('enterprise list: filters, segments, bulk tags, export, import', () => {
  const srv = useServer({
    label: 'entlist',
    users: [
      { login: 'A9161', name: '列表管理员', role: 'admin', branch: 'GD' },
      { login: 'M9161', name: '列表经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9161', name: '列表柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9162', name: '接手经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9163', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'S9161', name: '广州主管', role: 'supervisor', branch: 'GD-GZ' },
    ],
  });
  const test = srv.it;
  let admin, mgr, clerk, mgr2, szMgr, sup, branches, tags;
  const ent = {}; // name → enterprise
  const mobiles = { 星河: '13800161001', 远航: '13800161002', 松柏: '13800161003' };

  const names = (r) => r.body.items.map((x) => x.name).sort();
  async function listNames(client, query) {
    const r = await client.get(`/enterprises?${query}`);
    assert.equal(r.status, 200, show(r));
    return names(r);
  }

  test('set-up: three enterprises of the manager with their primary contacts, one of another branch', async () => {
    ({ A9161: admin, M9161: mgr, C9161: clerk, M9162: mgr2, M9163: szMgr, S9161: sup } = await signInAll(srv, ['A9161', 'M9161', 'C9161', 'M9162', 'M9163', 'S9161']));
    branches = await branchesByCode(admin);
    tags = await tagsByName(admin);
    const rows = [
      { name: '星河供应链有限公司', tier: 'strategic', status: 'active', industry: 'G', settlement: 'monthly', credit_days: 60, acquired_on: '2026-01-15', region: '广东省/广州市/天河区' },
      { name: '远航贸易有限公司', tier: 'key', status: 'dormant', industry: 'F', settlement: 'cash', credit_days: 15, acquired_on: '2026-06-01', region: '广东省/广州市/越秀区' },
      { name: '松柏食品有限公司', tier: 'regular', status: 'active', industry: 'C', settlement: 'prepaid', credit_days: 30, acquired_on: '2025-11-20', region: '广东省/佛山市' },
    ];
    for (const body of rows) {
      const r = await mgr.post('/enterprises', body);
      assert.equal(r.status, 201, show(r));
      ent[body.name.slice(0, 2)] = r.body.enterprise;
      const c = await mgr.post(`/enterprises/${r.body.enterprise.id}/contacts`, { name: `${body.name.slice(0, 2)}联系人`, mobile: mobiles[body.name.slice(0, 2)] });
      assert.equal(c.status, 201, show(c));
    }
    const far = await admin.post('/enterprises', { name: '深圳星河科技有限公司', tier: 'strategic', status: 'active', industry: 'G', branch_id: branches['GD-SZ-01'].id });
    assert.equal(far.status, 201, show(far));
    ent.深圳 = far.body.enterprise;
  });

  test('filters on the enterprise\'s own fields: tier, status, industry, settlement, credit days, acquired date, region, manager', async () => {
    const f = (field, op, value) => filterQs({ field, op, value });
    assert.deepEqual(await listNames(mgr, f('tier', 'in', ['strategic'])), ['星河供应链有限公司'], 'the manager sees their own strategic one only');
    assert.deepEqual(await listNames(admin, f('tier', 'in', ['strategic'])), ['星河供应链有限公司', '深圳星河科技有限公司']);
    assert.deepEqual(await listNames(mgr, f('status', 'eq', 'dormant')), ['远航贸易有限公司']);
    assert.deepEqual(await listNames(mgr, f('industry', 'nin', ['G', 'F'])), ['松柏食品有限公司']);
    assert.deepEqual(await listNames(mgr, f('settlement', 'eq', 'cash')), ['远航贸易有限公司']);
    assert.deepEqual(await listNames(mgr, f('credit_days', 'gte', 30)), ['星河供应链有限公司', '松柏食品有限公司']);
    assert.deepEqual(await listNames(mgr, f('acquired_on', 'between', ['2026-01-01', '2026-12-31'])), ['星河供应链有限公司', '远航贸易有限公司']);
    assert.deepEqual(await listNames(mgr, f('region', 'starts_with', '广东省/广州市')), ['星河供应链有限公司', '远航贸易有限公司']);
    const me = (await mgr.get('/auth/me')).body.user;
    assert.deepEqual(await listNames(admin, filterQs({ and: [{ field: 'owner_id', op: 'eq', value: me.id }, { field: 'tier', op: 'in', value: ['key', 'regular'] }] })), ['松柏食品有限公司', '远航贸易有限公司']);
    // a customer's field is no enterprise's
    expectError(await mgr.get(`/enterprises?${f('level', 'eq', '高价值')}`), 422, 'validation_failed', { fields: ['filter'] });
  });

  test('a segment saved for enterprises does not apply to customers, nor a customers\' one to enterprises', async () => {
    // the same field name on both sides, and a customer it would find
    await createCustomer(mgr, { name: '星河客户', phone: '13800161009' });
    const byName = { field: 'name', op: 'contains', value: '星河' };
    let r = await mgr.post('/segments', { name: '星河大客户', entity: 'enterprise', filter: byName, shared: true });
    assert.equal(r.status, 201, show(r));
    const entSeg = r.body.segment;
    r = await mgr.post('/segments', { name: '星河个人客户', entity: 'customer', filter: byName });
    assert.equal(r.status, 201, show(r));
    const custSeg = r.body.segment;

    assert.deepEqual(await listNames(mgr, `segment_id=${entSeg.id}`), ['星河供应链有限公司']);
    r = await mgr.get(`/customers?segment_id=${custSeg.id}`);
    assert.deepEqual(names(r), ['星河客户']);

    expectError(await mgr.get(`/customers?segment_id=${entSeg.id}`), 404, 'not_found');
    expectError(await mgr.get(`/enterprises?segment_id=${custSeg.id}`), 404, 'not_found');
    expectError(await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], segment_id: entSeg.id }), 422, 'validation_failed', { fields: ['segment_id'] });
    expectError(await mgr.post('/exports', { entity: 'enterprise', format: 'csv', segment_id: custSeg.id }), 422, 'validation_failed', { fields: ['segment_id'] });
    const tag = tags['集邮爱好者'] || Object.values(tags)[0];
    expectError(await mgr.post('/enterprises/bulk-tags', { segment_id: custSeg.id, add: [tag.id] }), 422, 'validation_failed', { fields: ['segment_id'] });
    expectError(await mgr.post('/customers/bulk-tags', { segment_id: entSeg.id, add: [tag.id] }), 404, 'not_found');
    // the listing keeps them apart too
    r = await mgr.get('/segments?entity=enterprise');
    assert.deepEqual(r.body.items.map((s) => s.name), ['星河大客户']);
    // a clerk of the branch picks the shared one
    assert.deepEqual(await listNames(clerk, `segment_id=${entSeg.id}`), ['星河供应链有限公司']);
  });

  test('bulk tags on chosen enterprises, on a filter and on a segment: only what the caller sees, with history and one audit entry', async () => {
    const [t1, t2] = Object.values(tags);
    // the chosen ids include an enterprise the manager may not see
    let r = await mgr.post('/enterprises/bulk-tags', { ids: [ent.星河.id, ent.远航.id, ent.深圳.id], add: [t1.id] });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.updated, 2);
    const far = await admin.get(`/enterprises/${ent.深圳.id}`);
    assert.deepEqual(far.body.enterprise.tags, [], 'another branch\'s enterprise is untouched');
    assert.deepEqual(await listNames(mgr, filterQs({ field: 'tags', op: 'has_any', value: [t1.id] })), ['星河供应链有限公司', '远航贸易有限公司']);
    const h = await mgr.get(`/enterprises/${ent.远航.id}/history`);
    assert.ok(h.body.items.some((x) => x.field === 'tags' && x.new_value === t1.name), show(h));
    const audit = await findAudit(admin, (e) => e.detail && e.detail.count === 2, { action: 'enterprise.bulk_tag' });
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0].detail.add, [t1.id]);

    // on a filter: the dormant one loses it, the others gain the second tag
    r = await mgr.post('/enterprises/bulk-tags', { filter: { field: 'status', op: 'eq', value: 'dormant' }, remove: [t1.id] });
    assert.equal(r.body.updated, 1, show(r));
    r = await mgr.post('/enterprises/bulk-tags', { q: '松柏', add: [t2.id] });
    assert.equal(r.body.updated, 1, show(r));
    const seg = (await mgr.get('/segments?entity=enterprise')).body.items[0];
    r = await mgr.post('/enterprises/bulk-tags', { segment_id: seg.id, add: [t2.id] });
    assert.equal(r.body.updated, 1, show(r));
    assert.deepEqual(await listNames(mgr, filterQs({ field: 'tags', op: 'has_all', value: [t1.id, t2.id] })), ['星河供应链有限公司']);
    assert.deepEqual(await listNames(mgr, filterQs({ field: 'tags', op: 'has', value: t2.name })), ['星河供应链有限公司', '松柏食品有限公司']);

    expectError(await mgr.post('/enterprises/bulk-tags', { ids: 'all', add: [t1.id] }), 422, 'validation_failed', { fields: ['ids'] });
    expectError(await mgr.post('/enterprises/bulk-tags', { ids: [ent.星河.id], add: [987654] }), 422, 'validation_failed', { fields: ['add'] });
    expectError(await mgr.post('/enterprises/bulk-tags', { filter: { field: 'level', op: 'eq', value: 'x' }, add: [t1.id] }, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['filter'] });
  });

  test('export of a filtered set: its rows, the primary contact\'s mobile masked for a clerk and clear for a manager', async () => {
    const body = { entity: 'enterprise', format: 'csv', filter: { field: 'tier', op: 'in', value: ['strategic', 'key'] }, columns: ['name', 'tier', 'contact_name', 'contact_mobile'] };
    const read = async (client, b) => {
      const { file } = await runExport(client, b);
      const [head, ...rows] = parseCsv(file.bytes.toString('utf8'));
      return { head, rows: rows.sort((a, b2) => a[0].localeCompare(b2[0])) };
    };
    const asMgr = await read(mgr, body);
    assert.deepEqual(asMgr.head, ['企业名称', '大客户等级', '主联系人', '主联系人手机']);
    assert.deepEqual(asMgr.rows.map((r) => [r[0], r[3]]).sort(), [['星河供应链有限公司', mobiles.星河], ['远航贸易有限公司', mobiles.远航]].sort());
    const asClerk = await read(clerk, body);
    assert.deepEqual(asClerk.rows.map((r) => r[3]).sort(), [maskPhone(mobiles.星河), maskPhone(mobiles.远航)].sort(), 'a clerk gets masked mobiles');
    assert.ok(!asClerk.rows.some((r) => r[0].includes('深圳')), 'nothing of another branch');

    // the rows chosen in the list
    const chosen = await read(mgr, { entity: 'enterprise', format: 'csv', ids: [ent.松柏.id, ent.深圳.id], columns: ['name'] });
    assert.deepEqual(chosen.rows, [['松柏食品有限公司']]);
    expectError(await mgr.post('/exports', { entity: 'enterprise', format: 'csv', ids: ['x'] }), 422, 'validation_failed', { fields: ['ids'] });
    // the audit entry keeps what was exported
    const audit = await findAudit(admin, (e) => e.detail && e.detail.entity === 'enterprise' && Array.isArray(e.detail.filters && e.detail.filters.ids), { action: 'export.create' });
    assert.equal(audit.length, 1);
  });

  test('import: a GBK file, dry run changes nothing, the run creates the good rows and reports the bad one', async () => {
    const bytes = fs.readFileSync(path.join(FIX, 'enterprises_gbk.csv'));
    assert.ok(!bytes.toString('utf8').includes('企业名称'), 'the fixture really is GBK');
    const up = await uploadCsv(mgr, bytes, { entity: 'enterprise' });
    assert.equal(up.status, 201, show(up));
    const imp = up.body.import;
    assert.equal(imp.encoding, 'gbk');
    assert.equal(imp.entity, 'enterprise');
    assert.deepEqual(imp.suggested_mapping, { 企业名称: 'name', 统一社会信用代码: 'uscc', 行业: 'industry', 企业规模: 'size', 大客户等级: 'tier', 状态: 'status', 账期: 'credit_days', 结算方式: 'settlement' });

    let r = await mgr.post(`/imports/${imp.id}/run`, { mapping: imp.suggested_mapping, dry_run: true });
    assert.equal(r.status, 202, show(r));
    let job = await pollJob(mgr, `/imports/${imp.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.deepEqual([job.created, job.failed], [2, 1], JSON.stringify(job));
    assert.deepEqual(job.errors.map((e) => e.row), [4], 'data row 3 is line 4');
    assert.match(job.errors[0].message, /行业/);
    assert.deepEqual(await listNames(mgr, 'q=' + encodeURIComponent('曾氏')), [], 'a dry run writes nothing');

    r = await mgr.post(`/imports/${imp.id}/run`, { mapping: imp.suggested_mapping, dry_run: false });
    assert.equal(r.status, 202, show(r));
    job = await pollJob(mgr, `/imports/${imp.id}`, 'import');
    assert.deepEqual([job.created, job.failed], [2, 1], JSON.stringify(job));
    const made = await mgr.get(`/enterprises?${filterQs({ field: 'uscc', op: 'starts_with', value: '91440101MA5E000' })}`);
    assert.deepEqual(names(made), ['佛山单记陶瓷有限公司', '广州曾氏冷链物流有限公司']);
    const zeng = made.body.items.find((x) => x.name.includes('曾氏'));
    assert.deepEqual([zeng.tier, zeng.size, zeng.credit_days, zeng.settlement], ['strategic', 'medium', 30, 'monthly']);
    assert.deepEqual(await listNames(mgr, 'q=' + encodeURIComponent('曾氏冷链')), ['广州曾氏冷链物流有限公司'], 'the decoded name is in the fragment index');
    const report = await fetchBytes(mgr, job.report_url);
    assert.equal(report.status, 200);
    assert.match(report.bytes.toString('utf8'), /东莞仇氏电子厂/);
  });

  test('rights: a clerk may neither import nor bulk-tag enterprises, and nothing changes', async () => {
    const bytes = fs.readFileSync(path.join(FIX, 'enterprises_gbk.csv'));
    expectError(await uploadCsv(clerk, bytes, { entity: 'enterprise' }), 403, 'forbidden');
    const en = expectError(await uploadCsv(clerk, bytes, { entity: 'enterprise', lang: 'en' }), 403, 'forbidden', { lang: 'en' });
    assert.ok(en);
    // the customers' right is not the enterprises' one: the clerk imports customers
    const cust = await uploadCsv(clerk, Buffer.from('姓名,手机号\n柜员导入,13800161010\n'));
    assert.equal(cust.status, 201, show(cust));
    // a manager's enterprise upload cannot be run by a clerk (not theirs: 404)
    const up = await uploadCsv(mgr, bytes, { entity: 'enterprise' });
    expectError(await clerk.post(`/imports/${up.body.import.id}/run`, { mapping: up.body.import.suggested_mapping }), 404, 'not_found');

    const t1 = Object.values(tags)[0];
    const before = await listNames(clerk, filterQs({ field: 'tags', op: 'has', value: t1.id }));
    expectError(await clerk.post('/enterprises/bulk-tags', { ids: [ent.松柏.id], add: [t1.id] }), 403, 'forbidden');
    expectError(await clerk.post('/enterprises/bulk-tags', { filter: { field: 'tier', op: 'not_null' }, remove: [t1.id] }), 403, 'forbidden');
    assert.deepEqual(await listNames(clerk, filterQs({ field: 'tags', op: 'has', value: t1.id })), before);
  });

  test('bulk reassignment of the account manager: supervisors only, dry run first, all or none, audited', async () => {
    const ids = (await admin.get('/users?limit=200')).body.items;
    const uid = (login) => ids.find((x) => x.login === login).id;
    const group = { ids: [ent.星河.id, ent.远航.id] };
    const owners = async () => Promise.all(group.ids.map(async (id) => (await admin.get(`/enterprises/${id}`)).body.enterprise.owner_id));
    const before = await owners();
    assert.deepEqual(before, [uid('M9161'), uid('M9161')]);

    expectError(await mgr.post('/enterprises/bulk-reassign', { ...group, owner_id: uid('M9162') }), 403, 'forbidden');
    let r = await sup.post('/enterprises/bulk-reassign', { ...group, owner_id: uid('M9162'), dry_run: true });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { count: 2, changed: 2, dry_run: true });
    assert.deepEqual(await owners(), before, 'a dry run changes nothing');
    // a manager of another branch cannot take them: refused as a whole, naming one
    const e = expectError(await sup.post('/enterprises/bulk-reassign', { ...group, owner_id: uid('M9163') }), 422, 'validation_failed', { fields: ['owner_id'] });
    assert.match(e.fields.owner_id, /星河供应链有限公司|远航贸易有限公司/);
    assert.deepEqual(await owners(), before);
    expectError(await sup.post('/enterprises/bulk-reassign', { ...group }), 422, 'validation_failed', { fields: ['owner_id'] });

    r = await sup.post('/enterprises/bulk-reassign', { ...group, owner_id: uid('M9162') });
    assert.deepEqual(r.body, { count: 2, changed: 2, dry_run: false }, show(r));
    assert.deepEqual(await owners(), [uid('M9162'), uid('M9162')]);
    const whole = await findAudit(admin, () => true, { action: 'enterprise.bulk_reassign' });
    assert.equal(whole.length, 1);
    assert.deepEqual(whole[0].detail.group, group);
    const each = await findAudit(admin, (x) => group.ids.includes(Number(x.object_id)), { action: 'enterprise.reassign' });
    assert.equal(each.length, 2);
    const bell = await mgr2.get('/notifications');
    assert.equal(bell.body.items.filter((n) => n.kind === 'enterprise.assigned').length, 2, show(bell));
    const hist = await mgr2.get(`/enterprises/${ent.星河.id}/history`);
    assert.ok(hist.body.items.some((x) => x.field === 'owner_id'), show(hist));
    // the old manager no longer sees them; the new one does
    for (const id of group.ids) {
      expectError(await mgr.get(`/enterprises/${id}`), 404, 'not_found');
      assert.equal((await mgr2.get(`/enterprises/${id}`)).status, 200);
    }
    assert.deepEqual(await listNames(mgr2, ''), ['星河供应链有限公司', '远航贸易有限公司']);
    assert.equal((await szMgr.get('/enterprises')).body.total, 0, 'the refused manager got nothing');
  });
});
