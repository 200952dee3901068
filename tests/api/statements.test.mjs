// Monthly statements (issue 18, second part), first step: how an
// enterprise is billed (结算设置). The settings read as 现结 until set,
// change only with billing.write within the enterprise's scope, refuse bad
// input field by field in the caller's language without changing anything,
// are audited, and show the contacts with the finance role.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit } from './lib/customers.mjs';

describe('statements: billing settings', () => {
  const srv = useServer({
    label: 'statements',
    users: [
      { login: 'A9351', name: '对账管理员', role: 'admin', branch: 'GD' },
      { login: 'S9351', name: '对账主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9351', name: '对账经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9352', name: '深圳对账经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, m2, ent;
  const url = () => `/enterprises/${ent.id}/billing-settings`;

  test('set-up: an enterprise of a Guangzhou manager with a finance contact', async () => {
    ({ A9351: admin, S9351: sup, M9351: m1, M9352: m2 } = await signInAll(srv, ['A9351', 'S9351', 'M9351', 'M9352']));
    let r = await m1.post('/enterprises', { name: '广州对账测试有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    r = await m1.post(`/enterprises/${ent.id}/contacts`, { name: '王会计', mobile: '13800093511', roles: ['finance'] });
    assert.equal(r.status, 201, show(r));
    r = await m1.post(`/enterprises/${ent.id}/contacts`, { name: '李联络', mobile: '13800093512', roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
  });

  test('an enterprise never set is billed 现结, and shows its finance contacts only', async () => {
    const r = await m1.get(url());
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.mode, 'cash');
    assert.equal(r.body.version, 0);
    assert.equal(r.body.credit_limit, '0.00');
    assert.deepEqual(r.body.finance_contacts.map((c) => c.name), ['王会计']);
  });

  test('billing.write within scope sets 月结; the change is audited', async () => {
    let r = await sup.put(url(), { version: 0, mode: 'monthly', statement_day: 5, payment_days: 30, credit_limit: '50000.00', split_departments: true });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.mode, r.body.statement_day, r.body.payment_days, r.body.credit_limit, r.body.split_departments, r.body.version], ['monthly', 5, 30, '50000.00', true, 1]);
    r = await m1.get(url());
    assert.equal(r.body.credit_limit, '50000.00', 'the manager reads what the supervisor set');
    const audit = await findAudit(admin, (e) => e.object_id === String(ent.id), { action: 'billing_settings.update' });
    assert.equal(audit.length, 1, 'one audit entry');
    assert.equal(audit[0].detail.credit_limit_fen, 5000000);
  });

  test('bad input: every field named in the caller language, nothing changed', async () => {
    let r = await sup.put(url(), { version: 1, mode: 'weekly', statement_day: 29, payment_days: -1, credit_limit: 12.5, split_departments: 'yes' });
    expectError(r, 422, 'validation_failed', { fields: ['mode', 'statement_day', 'payment_days', 'credit_limit', 'split_departments'] });
    r = await sup.put(url(), { version: 1, statement_day: 0 }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['statement_day'] });
    r = await sup.put(url(), { version: 0, statement_day: 10 });
    expectError(r, 409, 'stale_version');
    r = await m1.get(url());
    assert.deepEqual([r.body.mode, r.body.statement_day, r.body.version], ['monthly', 5, 1]);
  });

  test('a manager cannot change them; another branch sees no such enterprise', async () => {
    expectError(await m1.put(url(), { version: 1, statement_day: 10 }), 403, 'forbidden');
    expectError(await m2.get(url()), 404, 'not_found');
    const r = await sup.put(url(), { version: 1, credit_limit: null });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.credit_limit, r.body.statement_day, r.body.version], ['0.00', 5, 2], 'null clears the limit, the rest kept');
  });
});
