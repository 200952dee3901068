// Branch scoping of customers (issue 3): a user sees customers of their own
// branch and the branches below it (admin: all). Outside the scope the
// answer is 404 not_found — never 403 — in detail, update, reveal, and the
// customer is absent from list, search, duplicates and exports.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  signInAll,
  branchesByCode,
  createCustomer,
  getCustomer,
  listAllCustomers,
  searchIds,
  tagsByName,
  runExport,
  parseCsv,
} from './lib/customers.mjs';

const NOPE = 987654321;

describe('customer scope', () => {
  const srv = useServer({
    label: 'scope',
    users: [
      { login: 'A9621', name: '范围管理员', role: 'admin', branch: 'GD' },
      { login: 'C9621', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9621', name: '天河经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'S9621', name: '广州主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C9622', name: '福田柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(63);
  let admin, clerk, mgr, sup, szClerk;
  let branches, tags;
  const C = {}; // gz1, gz2, sz, prov
  const phone = {};
  const idn = {};

  test('set-up: staff sign in; the admin creates customers in GD-GZ-01, GD-GZ-02, GD-SZ-01 and GD', async () => {
    ({ A9621: admin, C9621: clerk, M9621: mgr, S9621: sup, C9622: szClerk } = await signInAll(srv, ['A9621', 'C9621', 'M9621', 'S9621', 'C9622']));
    branches = await branchesByCode(admin);
    tags = await tagsByName(admin);
    for (const [key, name, code] of [
      ['gz1', '天河客户', 'GD-GZ-01'],
      ['gz2', '越秀客户', 'GD-GZ-02'],
      ['sz', '福田客户', 'GD-SZ-01'],
      ['prov', '省级客户', 'GD'],
    ]) {
      phone[key] = u.phone();
      idn[key] = u.idNumber();
      C[key] = await createCustomer(admin, { name, phone: phone[key], id_number: idn[key], branch_id: branches[code].id });
      assert.equal(C[key].branch_id, branches[code].id);
    }
  });

  test('a clerk of GD-GZ-01 gets 404 for a GD-SZ-01 customer in detail, exactly as for a customer that does not exist', async () => {
    assert.equal((await getCustomer(clerk, C.gz1.id)).name, '天河客户');
    const none = await clerk.get(`/customers/${NOPE}`);
    expectError(none, 404, 'not_found');
    for (const key of ['sz', 'gz2', 'prov']) {
      const r = await clerk.get(`/customers/${C[key].id}`);
      expectError(r, 404, 'not_found');
      assert.equal(r.body.error.message, none.body.error.message, 'same message as for a missing id');
      assert.ok(!r.text.includes(C[key].name), 'the 404 names the customer');
    }
  });

  test('update, delete, history, tags, restore of an out-of-scope customer: 404 and nothing changes', async () => {
    const sz = C.sz;
    expectError(await clerk.patch(`/customers/${sz.id}`, { version: sz.version, occupation: '越权' }), 404, 'not_found');
    expectError(await clerk.delete(`/customers/${sz.id}`), 404, 'not_found');
    expectError(await clerk.get(`/customers/${sz.id}/history`), 404, 'not_found');
    expectError(await clerk.post(`/customers/${sz.id}/tags`, { tag_ids: [tags['投诉历史'].id] }), 404, 'not_found');
    expectError(await clerk.delete(`/customers/${sz.id}/tags/${tags['投诉历史'].id}`), 404, 'not_found');
    expectError(await sup.post(`/customers/${sz.id}/restore`, {}), 404, 'not_found');
    const d = await getCustomer(admin, sz.id);
    assert.equal(d.occupation ?? null, null);
    assert.equal(d.deleted, false);
    assert.equal(d.version, sz.version);
    assert.deepEqual(d.tags, []);
  });

  test('reveal outside the scope: 404 for a manager (who may reveal); a clerk learns nothing either', async () => {
    const r = await mgr.post(`/customers/${C.sz.id}/reveal`, {});
    expectError(r, 404, 'not_found');
    assert.ok(!r.text.includes(phone.sz));
    const ok = await mgr.post(`/customers/${C.gz1.id}/reveal`, {});
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.phone, phone.gz1);
    // A clerk may not reveal at all: the permission check comes before the
    // lookup, so an out-of-scope id, a missing id and an own customer all
    // answer 403 (no existence oracle).
    const cr = await clerk.post(`/customers/${C.sz.id}/reveal`, {});
    const cn = await clerk.post(`/customers/${NOPE}/reveal`, {});
    const co = await clerk.post(`/customers/${C.gz1.id}/reveal`, {});
    expectError(cr, 403, 'forbidden');
    expectError(cn, 403, 'forbidden');
    expectError(co, 403, 'forbidden');
    assert.equal(cr.body.error.message, cn.body.error.message);
    assert.ok(!cr.text.includes(phone.sz));
  });

  test('list and quick search: the clerk sees GD-GZ-01 only; name, phone, last 4, number and ID of others find nothing', async () => {
    const all = await listAllCustomers(clerk, { limit: 200 });
    const ids = all.items.map((c) => c.id);
    assert.ok(ids.includes(C.gz1.id));
    for (const key of ['gz2', 'sz', 'prov']) assert.ok(!ids.includes(C[key].id), `${key} listed for the clerk`);
    for (const c of all.items) assert.equal(c.branch_id, branches['GD-GZ-01'].id, `customer of branch ${c.branch_id} listed`);
    assert.equal(all.totals[0], all.items.length, 'total counts only what the clerk may see');

    for (const text of ['福田客户', '福田', 'futiankehu', 'ftkh', phone.sz, phone.sz.slice(-4), C.sz.customer_no, idn.sz]) {
      assert.deepEqual(await searchIds(clerk, text), [], `q=${text} found an out-of-scope customer`);
    }
    assert.deepEqual(await searchIds(clerk, phone.gz1), [C.gz1.id]);

    const f = await clerk.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: 'branch_id', op: 'eq', value: branches['GD-SZ-01'].id }))}`);
    // A filter on a branch outside the scope is a valid filter: it finds nothing.
    assert.equal(f.status, 200, show(f));
    assert.deepEqual(f.body.items, [], `branch filter outside scope: ${show(f)}`);
  });

  test('duplicates outside the scope are reported without id or name', async () => {
    const r = await clerk.post('/customers', { name: '撞号客户', phone: phone.sz });
    const e = expectError(r, 409, 'duplicate');
    assert.ok(Array.isArray(e.duplicates) && e.duplicates.length >= 1, show(r));
    const d = e.duplicates[0];
    assert.equal(d.match, 'phone');
    assert.equal(d.other_branch, true);
    assert.equal(d.id, undefined);
    assert.equal(d.name, undefined);
    assert.ok(!r.text.includes('福田客户') && !r.text.includes(C.sz.customer_no) && !r.text.includes(String(C.sz.id)), show(r));

    const q = await clerk.get(`/customers/duplicates?phone=${phone.sz}`);
    assert.equal(q.status, 200, show(q));
    assert.ok(!q.text.includes('福田客户') && !q.text.includes(C.sz.customer_no), show(q));
    for (const it of q.body.items) assert.notEqual(it.id, C.sz.id);

    const byId = await clerk.post('/customers', { name: '撞证客户', phone: u.phone(), id_number: idn.sz });
    const e2 = expectError(byId, 409, 'duplicate');
    assert.ok(e2.duplicates.some((x) => x.match === 'id_number' && x.other_branch === true && x.id === undefined), show(byId));
  });

  test('a clerk cannot create or move a customer into another branch', async () => {
    const before = (await listAllCustomers(admin, { limit: 200 })).items.length;
    // Branches are not secret (the branch picker lists them): a branch outside
    // the caller's scope is a validation error on branch_id.
    const r = await clerk.post('/customers', { name: '越权新建', phone: u.phone(), branch_id: branches['GD-SZ-01'].id });
    expectError(r, 422, 'validation_failed', { fields: ['branch_id'] });
    assert.equal((await listAllCustomers(admin, { limit: 200 })).items.length, before, 'created in another branch');
    const own = await createCustomer(clerk, { name: '本所新建', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    assert.equal(own.branch_id, branches['GD-GZ-01'].id);
    const mv = await clerk.patch(`/customers/${own.id}`, { version: own.version, branch_id: branches['GD-SZ-01'].id });
    expectError(mv, 422, 'validation_failed', { fields: ['branch_id'] });
    assert.equal((await getCustomer(admin, own.id)).branch_id, branches['GD-GZ-01'].id);
  });

  test('bulk tagging cannot reach an out-of-scope customer', async () => {
    const t = tags['投诉历史'].id;
    // Chosen ids are read within the scope, like a filter: an out-of-scope id
    // counts as a missing one (no 404 that would tell them apart), so only
    // the clerk's own customer is updated.
    const r = await clerk.post('/customers/bulk-tags', { ids: [C.sz.id, C.gz1.id], add: [t] });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.updated, 1, show(r));
    const rn = await clerk.post('/customers/bulk-tags', { ids: [NOPE], add: [t] });
    assert.equal(rn.status, 200, show(rn));
    assert.equal(rn.body.updated, 0, show(rn));
    const r2 = await clerk.post('/customers/bulk-tags', { filter: { field: 'name', op: 'contains', value: '客户' }, add: [t] });
    assert.equal(r2.status, 200, show(r2));
    for (const key of ['gz2', 'sz', 'prov']) {
      const d = await getCustomer(admin, C[key].id);
      assert.ok(!d.tags.some((x) => x.id === t), `${key} was tagged by a clerk of GD-GZ-01`);
    }
  });

  test('an export by the clerk holds the clerk\'s customers only; another user cannot fetch it', async () => {
    const { id, file } = await runExport(clerk, { entity: 'customer', format: 'csv', columns: ['customer_no', 'name', 'phone'] });
    const text = file.bytes.toString('utf8');
    assert.ok(text.includes('天河客户'), 'own customer missing from export');
    for (const n of ['越秀客户', '福田客户', '省级客户']) assert.ok(!text.includes(n), `${n} exported by the GD-GZ-01 clerk`);
    assert.ok(!text.includes(C.sz.customer_no));
    const rows = parseCsv(text);
    assert.ok(rows.length >= 2);

    // with a filter that names the other branch: still nothing of it
    const { file: f2 } = await runExport(clerk, {
      entity: 'customer',
      format: 'csv',
      columns: ['name'],
      filter: { field: 'name', op: 'eq', value: '福田客户' },
    });
    assert.ok(!f2.bytes.toString('utf8').includes('福田客户'), 'filtered export leaked');
    const { file: f3 } = await runExport(clerk, { entity: 'customer', format: 'csv', columns: ['name'], q: phone.sz });
    assert.ok(!f3.bytes.toString('utf8').includes('福田客户'), 'quick-search export leaked');

    // the Shenzhen clerk can't see or download the Tianhe clerk's export
    const st = await szClerk.get(`/exports/${id}`);
    expectError(st, 404, 'not_found');
    const dl = await szClerk.get(`/exports/${id}/download`);
    expectError(dl, 404, 'not_found');
    assert.ok(!dl.text.includes('天河客户'));
  });

  test('a GD-GZ city supervisor sees both Guangzhou branches but not Shenzhen nor the province level', async () => {
    assert.equal((await getCustomer(sup, C.gz1.id)).name, '天河客户');
    assert.equal((await getCustomer(sup, C.gz2.id)).name, '越秀客户');
    expectError(await sup.get(`/customers/${C.sz.id}`), 404, 'not_found');
    expectError(await sup.get(`/customers/${C.prov.id}`), 404, 'not_found');
    expectError(await sup.post(`/customers/${C.sz.id}/reveal`, {}), 404, 'not_found');
    const ids = (await listAllCustomers(sup, { limit: 200 })).items.map((c) => c.id);
    assert.ok(ids.includes(C.gz1.id) && ids.includes(C.gz2.id));
    assert.ok(!ids.includes(C.sz.id) && !ids.includes(C.prov.id));
    assert.deepEqual(await searchIds(sup, phone.gz2), [C.gz2.id]);
    assert.deepEqual(await searchIds(sup, phone.sz), []);
    // merge across the boundary: the out-of-scope one does not exist for him
    expectError(await sup.post(`/customers/${C.gz1.id}/merge`, { duplicate_id: C.sz.id }), 404, 'not_found');
    expectError(await sup.post(`/customers/${C.sz.id}/merge`, { duplicate_id: C.gz1.id }), 404, 'not_found');
    const { file } = await runExport(sup, { entity: 'customer', format: 'csv', columns: ['name'] });
    const text = file.bytes.toString('utf8');
    assert.ok(text.includes('天河客户') && text.includes('越秀客户'));
    assert.ok(!text.includes('福田客户') && !text.includes('省级客户'));
  });

  test('the Shenzhen clerk sees Shenzhen only; the admin sees everything', async () => {
    assert.equal((await getCustomer(szClerk, C.sz.id)).name, '福田客户');
    expectError(await szClerk.get(`/customers/${C.gz1.id}`), 404, 'not_found');
    const ids = (await listAllCustomers(admin, { limit: 200 })).items.map((c) => c.id);
    for (const key of ['gz1', 'gz2', 'sz', 'prov']) assert.ok(ids.includes(C[key].id), `admin misses ${key}`);
  });
});
