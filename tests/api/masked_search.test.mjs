// A role that sees phones masked cannot test their digits (issue 13,
// finding 1): stepping a prefix a digit at a time recovered a clerk's
// masked phone in 14 requests. Such a role searches a phone by the whole
// number or by its last four only; the same holds for ID numbers and for
// phone-type custom fields. A role that may reveal keeps prefix search.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer } from './lib/customers.mjs';

describe('masked search', () => {
  const srv = useServer({
    label: 'masked-search',
    users: [
      { login: 'A9961', name: '掩码管理员', role: 'admin', branch: 'GD' },
      { login: 'C9961', name: '掩码柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9961', name: '掩码经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(96);
  let admin, clerk, mgr, cust, phone, idn;

  test('set-up: a customer with a phone, an ID number and a phone-type custom field', async () => {
    ({ A9961: admin, C9961: clerk, M9961: mgr } = await signInAll(srv, ['A9961', 'C9961', 'M9961']));
    const r = await admin.post('/fields', { entity: 'customer', key: 'hy_alt_phone', label: '备用电话', type: 'phone' });
    assert.equal(r.status, 201, show(r));
    phone = u.phone();
    idn = u.idNumber();
    const gz = (await branchesByCode(admin))['GD-GZ-01'].id;
    cust = await createCustomer(clerk, { name: '掩码客户', phone, id_number: idn, branch_id: gz, custom: { hy_alt_phone: u.phone() } });
  });

  const ids = (r) => r.body.items.map((x) => x.id);
  const filter = (f) => `/customers?filter=${encodeURIComponent(JSON.stringify(f))}`;

  test('a clerk finds the customer by the whole phone, its last four, the whole ID number, but not by a prefix of the phone', async () => {
    for (const q of [phone, phone.slice(7), idn]) {
      const r = await clerk.get(`/customers?q=${q}`);
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(ids(r), [cust.id], `q=${q}`);
    }
    for (const len of [5, 7, 10]) {
      const r = await clerk.get(`/customers?q=${phone.slice(0, len)}`);
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(ids(r), [], `a ${len}-digit prefix finds nothing for a clerk`);
    }
  });

  test('a clerk\'s filters on phone, ID number and a phone custom field take only the whole value', async () => {
    const r = await clerk.get(filter({ field: 'phone', op: 'eq', value: phone }));
    assert.deepEqual(ids(r), [cust.id], show(r));
    for (const f of [
      { field: 'phone', op: 'starts_with', value: phone.slice(0, 5) },
      { field: 'phone', op: 'contains', value: phone.slice(3, 8) },
      { field: 'phone', op: 'in', value: [phone, '13800000000'] },
      { field: 'id_number', op: 'starts_with', value: idn.slice(0, 6) },
      { field: 'custom.hy_alt_phone', op: 'starts_with', value: '13' },
    ]) {
      const e = expectError(await clerk.get(filter(f)), 422, 'validation_failed', { fields: ['filter'] });
      assert.match(e.fields.filter, /完整号码/);
    }
  });

  test('a manager, who may reveal, keeps prefix search and every operator', async () => {
    let r = await mgr.get(`/customers?q=${phone.slice(0, 7)}`);
    assert.deepEqual(ids(r), [cust.id], show(r));
    r = await mgr.get(filter({ field: 'phone', op: 'starts_with', value: phone.slice(0, 5) }));
    assert.deepEqual(ids(r), [cust.id], show(r));
  });
});
