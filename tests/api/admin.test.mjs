// Administration: permissions by role, users CRUD and paging, branches,
// dictionaries.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { uploadCsv, pollJob } from './lib/customers.mjs';

describe('admin', () => {
  const srv = useServer({
    label: 'admin',
    users: [
      { login: 'A9401', name: '管理员甲', role: 'admin', branch: 'GD' },
      { login: 'C9401', name: '柜员丙', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'S9401', name: '主管甲', role: 'supervisor', branch: 'GD-GZ' },
    ],
  });
  const test = srv.it;
  let admin;
  let clerk;
  let branches; // code -> branch

  async function loadBranches() {
    const r = await admin.get('/branches');
    assert.equal(r.status, 200, show(r));
    branches = Object.fromEntries(r.body.items.map((b) => [b.code, b]));
    return r.body.items;
  }

  test('set-up: admin and clerk sign in and change their initial passwords', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9401');
    clerk = new Client(srv);
    await signInFresh(srv, clerk, 'C9401');
    await loadBranches();
  });

  test('a clerk gets 403 forbidden on the admin endpoints; an admin gets 200', async () => {
    const gets = ['/users', '/audit-log', '/dev-mailbox'];
    for (const p of gets) {
      expectError(await clerk.get(p), 403, 'forbidden');
      const r = await admin.get(p);
      assert.equal(r.status, 200, `admin ${show(r)}`);
      assert.ok(Array.isArray(r.body.items), `admin ${p} items: ${show(r)}`);
    }
    expectError(await clerk.get('/users', { lang: 'en' }), 403, 'forbidden', { lang: 'en' });

    const body = { login: 'X9401', name: '越权创建', role: 'admin', branch_id: branches['GD-GZ-01'].id };
    expectError(await clerk.post('/users', body), 403, 'forbidden');
    const list = await admin.get('/users?q=X9401');
    assert.equal(list.body.total, 0, `clerk created a user: ${show(list)}`);

    // The business-type dictionary is readable by everyone (forms need it).
    const d = await clerk.get('/dictionaries/business_type');
    assert.equal(d.status, 200, show(d));
    assert.equal(d.body.code, 'business_type');

    // Permissions reflect the role.
    const me2 = await clerk.get('/auth/me');
    assert.ok(!me2.body.permissions.includes('admin'), `clerk permissions: ${me2.body.permissions}`);
    assert.ok(!me2.body.permissions.includes('reports.read'), `clerk permissions: ${me2.body.permissions}`);
    const adm = await admin.get('/auth/me');
    assert.ok(adm.body.permissions.includes('admin'), `admin permissions: ${adm.body.permissions}`);
  });

  test('changing branches, dictionaries and users is forbidden for a clerk, and so is the dictionary list', async () => {
    const me = await clerk.get('/auth/me');
    expectError(await clerk.patch(`/users/${me.body.user.id}`, { role: 'admin', version: me.body.user.version }), 403, 'forbidden');
    expectError(await clerk.post(`/users/${me.body.user.id}/reset-password`, {}), 403, 'forbidden');
    expectError(
      await clerk.post('/dictionaries/business_type/items', { value: 'x_clerk', label: '越权', label_en: 'Nope', sort: 1 }),
      403,
      'forbidden',
    );
    expectError(
      await clerk.post('/branches', { code: 'GD-GZ-77', name: '越权网点', level: 'branch', parent_id: branches['GD-GZ'].id }),
      403,
      'forbidden',
    );
    const me2 = await clerk.get('/auth/me');
    assert.equal(me2.body.user.role, 'clerk', 'clerk changed their own role');
    const bt = await admin.get('/dictionaries/business_type');
    assert.ok(!bt.body.items.some((x) => x.value === 'x_clerk'), 'clerk added a dictionary item');
    // Reading the admin list of dictionaries is for admins only.
    expectError(await clerk.get('/dictionaries'), 403, 'forbidden');
    assert.equal((await admin.get('/dictionaries')).status, 200);
    // The branch tree is readable by all staff (forms pick branches from it;
    // docs/decisions/0001-foundation.md), while changing it stays admin-only.
    const tree = await clerk.get('/branches');
    assert.equal(tree.status, 200, show(tree));
    assert.ok(tree.body.items.some((b) => b.code === 'GD-GZ-01'), show(tree));
  });

  test('a supervisor may read reports but is not an admin', async () => {
    const sup = new Client(srv);
    await signInFresh(srv, sup, 'S9401');
    const me = await sup.get('/auth/me');
    assert.ok(me.body.permissions.includes('reports.read'), `supervisor permissions: ${me.body.permissions}`);
    assert.ok(!me.body.permissions.includes('admin'), `supervisor permissions: ${me.body.permissions}`);
    expectError(await sup.get('/users'), 403, 'forbidden');
    expectError(await sup.get('/audit-log'), 403, 'forbidden');
  });

  let created; // the user created by POST /users

  test('POST /users creates a user with an initial password; a duplicate login → 409 conflict', async () => {
    const body = {
      login: 'C9411',
      name: '新柜员',
      role: 'clerk',
      branch_id: branches['GD-SZ-01'].id,
      phone: '13912345678',
      email: 'zhang.wei@example.com',
    };
    const r = await admin.post('/users', body);
    assert.equal(r.status, 201, show(r));
    const u = r.body.user;
    assert.equal(u.login, 'C9411');
    assert.equal(u.name, '新柜员');
    assert.equal(u.role, 'clerk');
    assert.equal(u.branch_id, branches['GD-SZ-01'].id);
    assert.equal(u.branch_name, '福田营业所');
    assert.equal(u.status, 'active');
    assert.equal(u.must_change_password, true);
    assert.equal(typeof u.version, 'number');
    assert.equal(typeof r.body.initial_password, 'string');
    assert.ok(r.body.initial_password.length >= 10, 'initial password too short');
    created = { ...u, password: r.body.initial_password };

    const dup = await admin.post('/users', { ...body, name: '重复' });
    expectError(dup, 409, 'conflict');
    const list = await admin.get('/users?q=C9411');
    assert.equal(list.body.total, 1, `duplicate created: ${show(list)}`);

    // The user can sign in with the initial password and must change it.
    const c = new Client(srv);
    const li = await c.signIn('C9411', created.password);
    assert.equal(li.body.must_change_password, true);
  });

  test('phone and e-mail are masked in the list and clear in GET /users/{id}', async () => {
    const list = await admin.get('/users?q=C9411');
    assert.equal(list.status, 200, show(list));
    const li = list.body.items.find((x) => x.login === 'C9411');
    assert.equal(li.phone, '139****5678');
    assert.notEqual(li.email, 'zhang.wei@example.com');
    assert.match(String(li.email), /\*/, `email not masked in list: ${li.email}`);
    assert.ok(!list.text.includes('13912345678'), 'clear phone number in the list');

    const one = await admin.get(`/users/${created.id}`);
    assert.equal(one.status, 200, show(one));
    assert.equal(one.body.user.phone, '13912345678');
    assert.equal(one.body.user.email, 'zhang.wei@example.com');
  });

  test('POST /users validates its input (unknown role, unknown branch, missing name)', async () => {
    const base = { login: 'C9412', name: '校验', role: 'clerk', branch_id: branches['GD-GZ-01'].id };
    expectError(await admin.post('/users', { ...base, role: 'wizard' }), 422, 'validation_failed', { fields: ['role'] });
    expectError(await admin.post('/users', { ...base, name: '' }), 422, 'validation_failed', { fields: ['name'] });
    expectError(await admin.post('/users', { ...base, branch_id: 987654 }), 422, 'validation_failed', { fields: ['branch_id'] });
    const list = await admin.get('/users?q=C9412');
    assert.equal(list.body.total, 0, show(list));
  });

  test('GET /users filters with q and pages with a cursor: no duplicates, nothing missed', async () => {
    const logins = ['P7001', 'P7002', 'P7003', 'P7004', 'P7005'];
    const names = ['翻页员一', '翻页员二', '翻页员三', '翻页员四', '翻页员五'];
    for (let i = 0; i < logins.length; i++) {
      const r = await admin.post('/users', {
        login: logins[i],
        name: names[i],
        role: i % 2 ? 'manager' : 'clerk',
        branch_id: branches['GD-GZ-02'].id,
      });
      assert.equal(r.status, 201, show(r));
    }
    const all = await admin.get('/users?q=P700&limit=20');
    assert.equal(all.status, 200, show(all));
    assert.equal(all.body.total, 5, show(all));
    assert.deepEqual(all.body.items.map((u) => u.login).sort(), logins);
    assert.equal(all.body.next_cursor, null, 'one page is enough for 5 with limit 20');

    const seenLogins = [];
    let cursor = null;
    let pages = 0;
    do {
      const q = `/users?q=P700&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await admin.get(q);
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.total, 5, `total on every page: ${show(r)}`);
      assert.ok(r.body.items.length <= 2, `limit=2 exceeded: ${show(r)}`);
      assert.ok(r.body.items.length > 0, `empty page: ${show(r)}`);
      seenLogins.push(...r.body.items.map((u) => u.login));
      cursor = r.body.next_cursor;
      pages++;
      assert.ok(pages <= 5, 'paging does not end');
    } while (cursor);
    assert.equal(pages, 3, 'five users in pages of two');
    assert.equal(new Set(seenLogins).size, seenLogins.length, `duplicates across pages: ${seenLogins}`);
    assert.deepEqual([...seenLogins].sort(), logins);

    // q matches the name too, and the role filter narrows.
    const byName = await admin.get(`/users?q=${encodeURIComponent('翻页员三')}`);
    assert.equal(byName.status, 200, show(byName));
    assert.deepEqual(byName.body.items.map((u) => u.login), ['P7003']);
    const managers = await admin.get('/users?q=P700&role=manager');
    assert.equal(managers.status, 200, show(managers));
    assert.deepEqual(managers.body.items.map((u) => u.login).sort(), ['P7002', 'P7004']);
    assert.equal(managers.body.total, 2);
    const none = await admin.get('/users?q=NOBODY-AT-ALL');
    assert.equal(none.body.total, 0);
    assert.deepEqual(none.body.items, []);
  });

  test('PATCH /users/{id} updates with the current version; a stale version → 409 stale_version', async () => {
    const r = await admin.patch(`/users/${created.id}`, { name: '新柜员（改）', version: created.version });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.user.name, '新柜员（改）');
    assert.ok(r.body.user.version > created.version, 'version must increase');

    const stale = await admin.patch(`/users/${created.id}`, { name: '过期修改', version: created.version });
    expectError(stale, 409, 'stale_version');
    const one = await admin.get(`/users/${created.id}`);
    assert.equal(one.body.user.name, '新柜员（改）', 'a stale update must not change anything');

    const bad = await admin.patch(`/users/${created.id}`, { role: 'wizard', version: one.body.user.version });
    expectError(bad, 422, 'validation_failed', { fields: ['role'] });
    const bad2 = await admin.patch(`/users/${created.id}`, { role: 'wizard', version: one.body.user.version }, { lang: 'en' });
    expectError(bad2, 422, 'validation_failed', { lang: 'en', fields: ['role'] });

    const role = await admin.patch(`/users/${created.id}`, { role: 'manager', version: one.body.user.version });
    assert.equal(role.status, 200, show(role));
    assert.equal(role.body.user.role, 'manager');

    expectError(await admin.patch('/users/987654', { name: 'x', version: 1 }), 404, 'not_found');
  });

  test('branches: the demo tree GD → GD-GZ / GD-SZ → 4 branches, parents before children', async () => {
    const items = await loadBranches();
    const expect = {
      GD: ['province', null, '广东省'],
      'GD-GZ': ['city', 'GD', '广州市'],
      'GD-SZ': ['city', 'GD', '深圳市'],
      'GD-GZ-01': ['branch', 'GD-GZ', '天河路营业所'],
      'GD-GZ-02': ['branch', 'GD-GZ', '越秀营业所'],
      'GD-SZ-01': ['branch', 'GD-SZ', '福田营业所'],
      'GD-SZ-02': ['branch', 'GD-SZ', '南山营业所'],
    };
    for (const [code, [level, parent, name]] of Object.entries(expect)) {
      const b = branches[code];
      assert.ok(b, `branch ${code} missing: ${JSON.stringify(items)}`);
      assert.equal(b.level, level, code);
      assert.equal(b.parent_id, parent ? branches[parent].id : null, `${code} parent`);
      assert.equal(typeof b.user_count, 'number');
      assert.equal(typeof b.version, 'number');
    }
    assert.equal(items.filter((b) => b.level === 'branch' && b.code.startsWith('GD-')).length, 4);
    const pos = new Map(items.map((b, i) => [b.id, i]));
    for (const b of items) {
      if (b.parent_id !== null) assert.ok(pos.get(b.parent_id) < pos.get(b.id), `${b.code} listed before its parent`);
    }
    assert.ok(branches['GD-GZ-02'].user_count >= 5, 'user_count counts the users created above');
  });

  test('branches: the demo names are the ones in the contract', async () => {
    await loadBranches();
    const names = {
      GD: '广东省',
      'GD-GZ': '广州市',
      'GD-SZ': '深圳市',
      'GD-GZ-01': '天河路营业所',
      'GD-GZ-02': '越秀营业所',
      'GD-SZ-01': '福田营业所',
      'GD-SZ-02': '南山营业所',
    };
    const got = Object.fromEntries(Object.keys(names).map((c) => [c, branches[c] && branches[c].name]));
    assert.deepEqual(got, names);
  });

  test('branches: create under a city, rename, delete; a branch with users or children → 409', async () => {
    const r = await admin.post('/branches', { code: 'GD-GZ-09', name: '测试营业所', level: 'branch', parent_id: branches['GD-GZ'].id });
    assert.equal(r.status, 201, show(r));
    const b = r.body.branch;
    assert.equal(b.code, 'GD-GZ-09');
    assert.equal(b.level, 'branch');
    assert.equal(b.parent_id, branches['GD-GZ'].id);
    assert.equal(b.user_count, 0);

    const ren = await admin.patch(`/branches/${b.id}`, { name: '测试营业所（新）', version: b.version });
    assert.equal(ren.status, 200, show(ren));
    assert.equal(ren.body.branch.name, '测试营业所（新）');
    expectError(await admin.patch(`/branches/${b.id}`, { name: '过期', version: b.version }), 409, 'stale_version');

    // A user in it blocks deletion.
    const u = await admin.post('/users', { login: 'C9419', name: '网点员工', role: 'clerk', branch_id: b.id });
    assert.equal(u.status, 201, show(u));
    expectError(await admin.delete(`/branches/${b.id}`), 409, 'conflict');
    // Children block deletion.
    expectError(await admin.delete(`/branches/${branches['GD-GZ'].id}`), 409, 'conflict');
    await loadBranches();
    assert.ok(branches['GD-GZ-09'] && branches['GD-GZ'], 'a refused delete removed the branch');
    assert.equal(branches['GD-GZ-09'].user_count, 1);

    // An empty branch can be deleted.
    const e = await admin.post('/branches', { code: 'GD-SZ-09', name: '空营业所', level: 'branch', parent_id: branches['GD-SZ'].id });
    assert.equal(e.status, 201, show(e));
    const del = await admin.delete(`/branches/${e.body.branch.id}`);
    assert.equal(del.status, 200, show(del));
    assert.deepEqual(del.body, { ok: true });
    await loadBranches();
    assert.equal(branches['GD-SZ-09'], undefined, 'deleted branch still listed');
  });

  test('dictionaries: business_type is listed; add an item, rename it, delete it', async () => {
    const list = await admin.get('/dictionaries');
    assert.equal(list.status, 200, show(list));
    const bt = list.body.items.find((d) => d.code === 'business_type');
    assert.ok(bt, `business_type missing: ${show(list)}`);
    assert.equal(bt.name, '业务类型');
    assert.equal(typeof bt.item_count, 'number');
    assert.ok(bt.item_count > 0, 'business_type has items');

    const d0 = await admin.get('/dictionaries/business_type');
    assert.equal(d0.status, 200, show(d0));
    assert.equal(d0.body.items.length, bt.item_count);
    for (const it of d0.body.items) {
      for (const k of ['id', 'value', 'label', 'label_en', 'sort', 'enabled', 'version']) {
        assert.ok(k in it, `dictionary item lacks ${k}: ${JSON.stringify(it)}`);
      }
    }

    const add = await admin.post('/dictionaries/business_type/items', {
      value: 'api_test_biz',
      label: '接口测试业务',
      label_en: 'API test business',
      sort: 99,
    });
    assert.equal(add.status, 201, show(add));
    const item = add.body.item;
    assert.equal(item.value, 'api_test_biz');
    assert.equal(item.label, '接口测试业务');
    assert.equal(item.enabled, true);

    let d = await admin.get('/dictionaries/business_type');
    assert.ok(d.body.items.some((x) => x.id === item.id), 'new item listed');
    const cnt = (await admin.get('/dictionaries')).body.items.find((x) => x.code === 'business_type').item_count;
    assert.equal(cnt, bt.item_count + 1, 'item_count follows');
    // Other signed-in users see it too.
    const seenByClerk = await clerk.get('/dictionaries/business_type');
    assert.ok(seenByClerk.body.items.some((x) => x.value === 'api_test_biz'), 'clerk sees the new item');

    const ren = await admin.patch(`/dictionaries/business_type/items/${item.id}`, {
      label: '接口测试业务（改）',
      label_en: 'API test business (renamed)',
      version: item.version,
    });
    assert.equal(ren.status, 200, show(ren));
    assert.equal(ren.body.item.label, '接口测试业务（改）');
    assert.equal(ren.body.item.label_en, 'API test business (renamed)');
    expectError(
      await admin.patch(`/dictionaries/business_type/items/${item.id}`, { label: '过期', version: item.version }),
      409,
      'stale_version',
    );
    d = await admin.get('/dictionaries/business_type');
    assert.equal(d.body.items.find((x) => x.id === item.id).label, '接口测试业务（改）');

    const del = await admin.delete(`/dictionaries/business_type/items/${item.id}`);
    assert.equal(del.status, 200, show(del));
    assert.deepEqual(del.body, { ok: true });
    d = await admin.get('/dictionaries/business_type');
    assert.ok(!d.body.items.some((x) => x.id === item.id), 'deleted item still listed');
    assert.equal(d.body.items.length, bt.item_count);

    expectError(await admin.get('/dictionaries/no_such_dictionary'), 404, 'not_found');
  });

  test('a duplicate branch code or dictionary value → 409 conflict', async () => {
    await loadBranches();
    const dupBranch = await admin.post('/branches', {
      code: 'GD-GZ-01',
      name: '重复网点',
      level: 'branch',
      parent_id: branches['GD-GZ'].id,
    });
    const existing = (await admin.get('/dictionaries/business_type')).body.items[0];
    const dupItem = await admin.post('/dictionaries/business_type/items', {
      value: existing.value,
      label: '重复',
      label_en: 'Duplicate',
      sort: 100,
    });
    expectError(dupBranch, 409, 'conflict');
    expectError(dupItem, 409, 'conflict');
  });

  test('an edit of a record that is not there → 404 not_found, not 409 stale_version', async () => {
    const gone = 987654;
    expectError(await admin.patch(`/users/${gone}`, { name: '无此人', version: 1 }), 404, 'not_found');
    expectError(await admin.patch(`/branches/${gone}`, { name: '无此网点', version: 1 }), 404, 'not_found');
    expectError(await admin.patch(`/fields/${gone}`, { label: '无此字段', version: 1 }), 404, 'not_found');
    expectError(await admin.patch(`/tags/${gone}`, { name: '无此标签', version: 1 }), 404, 'not_found');
    expectError(await admin.patch(`/tag-groups/${gone}`, { name: '无此分组', version: 1 }), 404, 'not_found');
    expectError(
      await admin.patch(`/dictionaries/business_type/items/${gone}`, { label: '无此项', version: 1 }),
      404,
      'not_found',
    );
    expectError(await admin.delete(`/dictionaries/business_type/items/${gone}`), 404, 'not_found');
  });
});

// Issue 14: an admin without a branch of their own picks the branch when
// creating or importing customers; without one the answer says so.
describe('admin without a branch', () => {
  const srv = useServer({
    label: 'branchless',
    users: [{ login: 'A9402', name: '总部管理员', role: 'admin' }],
  });
  const test = srv.it;
  let admin, branchId;

  test('creating a customer without a branch asks for one, in the user language; with one it is made', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9402');
    const branches = await admin.get('/branches');
    branchId = branches.body.items.find((b) => b.code === 'GD-GZ-01').id;
    let e = expectError(await admin.post('/customers', { name: '无网点', phone: '13902460001' }), 422, 'validation_failed', { fields: ['branch_id'] });
    assert.equal(e.fields.branch_id, '请选择所属网点');
    const en = new Client(srv, { lang: 'en' });
    await en.signIn('A9402', srv.users.A9402.password);
    e = expectError(await en.post('/customers', { name: '无网点', phone: '13902460001' }), 422, 'validation_failed', { lang: 'en', fields: ['branch_id'] });
    assert.equal(e.fields.branch_id, 'Choose the branch');
    const r = await admin.post('/customers', { name: '有网点', phone: '13902460001', branch_id: branchId });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.customer.branch_id, branchId);
  });

  test('an import takes the branch picked in the wizard for rows that name none', async () => {
    const up = await uploadCsv(admin, '姓名,手机号\n导入甲,13902460002\n导入乙,13902460003\n');
    assert.equal(up.status, 201, show(up));
    const id = up.body.import.id;
    const bad = await admin.post(`/imports/${id}/run`, { mapping: { 姓名: 'name', 手机号: 'phone' }, dry_run: false, defaults: { name: 'x' } });
    expectError(bad, 422, 'validation_failed', { fields: ['defaults'] });
    const r = await admin.post(`/imports/${id}/run`, { mapping: { 姓名: 'name', 手机号: 'phone' }, dry_run: false, defaults: { branch_id: branchId } });
    assert.equal(r.status, 202, show(r));
    const job = await pollJob(admin, `/imports/${id}`, 'import');
    assert.equal(job.created, 2, JSON.stringify(job));
    assert.deepEqual(srv.queryDb("SELECT DISTINCT branch_id FROM customers WHERE name LIKE '导入%'"), [[String(branchId)]]);
  });
});
