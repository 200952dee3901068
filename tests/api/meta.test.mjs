// The metadata endpoint (record layer): every registered entity the caller
// may read, its built-in fields in form order with the labels the UI shows,
// then the active custom fields; masking classes and dictionaries.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll } from './lib/customers.mjs';

describe('metadata endpoint', () => {
  const srv = useServer({
    label: 'meta',
    users: [
      { login: 'A7301', name: '元数据管理员', role: 'admin', branch: 'GD' },
      { login: 'C7301', name: '元数据柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, clerk;

  test('set-up: staff sign in', async () => {
    ({ A7301: admin, C7301: clerk } = await signInAll(srv, ['A7301', 'C7301']));
  });

  test('signed-in only: anonymous callers get 401', async () => {
    const anon = new Client(srv);
    expectError(await anon.get('/meta/entities'), 401, 'unauthorized');
    expectError(await anon.get('/meta/entities/customer'), 401, 'unauthorized');
  });

  test('the list holds customers, business records, VIP enterprises and waybills (clerks read them), each with its fields', async () => {
    const r = await clerk.get('/meta/entities');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const names = r.body.items.map((e) => e.name);
    assert.deepEqual(names, ['customer', 'interaction', 'enterprise', 'waybill']);
    const c = r.body.items[0];
    assert.equal(c.label, '个人客户');
    assert.equal(c.label_en, 'Customers');
    assert.ok(Array.isArray(c.fields) && c.fields.length > 10);
  });

  test('customer fields: form order, UI labels, flags, masks and dictionaries', async () => {
    const r = await clerk.get('/meta/entities/customer');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const keys = r.body.fields.map((f) => f.key);
    assert.deepEqual(keys.slice(0, 6), ['customer_no', 'name', 'gender', 'phone', 'id_number', 'birthday']);
    const by = Object.fromEntries(r.body.fields.map((f) => [f.key, f]));
    assert.deepEqual(by.name, {
      key: 'name',
      type: 'text',
      label: '姓名',
      label_en: 'Name',
      builtin: true,
      filter: true,
      sort: true,
      export: true,
      import: true,
      required: true,
      mask: null,
      dict: null,
    });
    assert.deepEqual(by.gender.options, [
      { value: 'male', label: '男', label_en: 'Male' },
      { value: 'female', label: '女', label_en: 'Female' },
    ]);
    assert.equal(by.phone.mask, 'phone');
    assert.equal(by.phone.label, '手机号');
    assert.equal(by.phone.label_en, 'Mobile');
    assert.equal(by.id_number.mask, 'id');
    assert.equal(by.service_level.label_en, 'Service level');
    assert.equal(by.level.dict, 'customer_level');
    assert.equal(by.region.dict, 'region');
    assert.equal(by.customer_no.import, false);
    assert.equal(by.tags.type, 'tags');
    // Program-only filter keys are not shown.
    assert.equal(by.birthday_md, undefined);
    for (const f of r.body.fields) {
      assert.equal(typeof f.label, 'string', f.key);
      assert.equal(typeof f.label_en, 'string', f.key);
    }
  });

  test('business record fields carry the list labels and the dictionaries', async () => {
    const r = await clerk.get('/meta/entities/interaction');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.label, '业务记录');
    const by = Object.fromEntries(r.body.fields.map((f) => [f.key, f]));
    assert.equal(by.type.label, '业务类型');
    assert.equal(by.type.dict, 'business_type');
    assert.equal(by.channel.label, '渠道');
    assert.equal(by.channel.dict, 'channel');
    assert.equal(by.amount.label, '金额');
    assert.equal(by.occurred_at.label_en, 'Done at');
    assert.equal(by.customer_phone.mask, 'phone');
    assert.equal(r.body.fields.some((f) => !f.builtin), false, 'no custom fields on records');
  });

  test('unknown entities (and the collection spelling) are 404', async () => {
    expectError(await clerk.get('/meta/entities/parcel_locker'), 404, 'not_found');
    expectError(await clerk.get('/meta/entities/customers'), 404, 'not_found');
  });

  test('active custom fields follow the built-in ones; retired ones do not', async () => {
    const opts = [
      { value: 'a', label: '甲', label_en: 'A' },
      { value: 'b', label: '乙', label_en: 'B' },
    ];
    const s = await admin.post('/fields', {
      entity: 'customer',
      key: 'meta_pick',
      label: '元选项',
      label_en: 'Meta pick',
      type: 'select',
      options: opts,
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const t = await admin.post('/fields', { entity: 'customer', key: 'meta_gone', label: '元退役', type: 'text' });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const gone = await admin.post(`/fields/${t.body.field.id}/retire`, {});
    assert.equal(gone.status, 200, JSON.stringify(gone.body));

    const r = await clerk.get('/meta/entities/customer');
    const keys = r.body.fields.map((f) => f.key);
    const firstCustom = r.body.fields.findIndex((f) => !f.builtin);
    assert.ok(firstCustom > 0);
    assert.ok(r.body.fields.slice(firstCustom).every((f) => !f.builtin), 'custom fields last');
    const pick = r.body.fields.find((f) => f.key === 'custom.meta_pick');
    assert.ok(pick, keys.join(','));
    assert.equal(pick.type, 'select');
    assert.equal(pick.label, '元选项');
    assert.equal(pick.label_en, 'Meta pick');
    assert.equal(pick.builtin, false);
    assert.equal(pick.filter, true);
    assert.equal(pick.mask, null);
    assert.deepEqual(pick.options, opts);
    assert.ok(!keys.includes('custom.meta_gone'), 'a retired field is not offered');
  });
});
