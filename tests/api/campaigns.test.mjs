// SMS / e-mail to a target group (issue 14): only customers who granted
// marketing consent and did not opt out of the channel receive it, each
// gets the template rendered for them through the outbox, the preview
// counts who is left out and why, the sending is audited, clerks may not.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, me, findAudit } from './lib/customers.mjs';

describe('campaigns', () => {
  const srv = useServer({
    label: 'campaigns',
    env: { HONGYAN_GROUP_MAX: '6' },
    users: [
      { login: 'A9811', name: '营销管理员', role: 'admin', branch: 'GD' },
      { login: 'M9811', name: '营销经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9811', name: '营销柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(81);
  let admin, mgr, clerk, branches, mgrId;
  const c = {}; // name -> customer

  test('set-up: five customers with every consent state, tagged by a unique occupation', async () => {
    ({ A9811: admin, M9811: mgr, C9811: clerk } = await signInAll(srv, ['A9811', 'M9811', 'C9811']));
    branches = await branchesByCode(admin);
    mgrId = (await me(mgr)).id;
    const base = { branch_id: branches['GD-GZ-01'].id, owner_id: mgrId, address: '营销测试组' };
    const specs = {
      同意甲: { marketing_consent: 'granted', consent_source: 'counter', email: 'jia@example.com', gender: 'male' },
      同意乙: { marketing_consent: 'granted', consent_source: 'paper', gender: 'female' },
      退订丙: { marketing_consent: 'granted', consent_source: 'phone', sms_opt_out: true, email_opt_out: true, email: 'bing@example.com' },
      拒绝丁: { marketing_consent: 'refused', consent_source: 'phone', email: 'ding@example.com' },
      未知戊: { email: 'wu@example.com' },
    };
    for (const [name, extra] of Object.entries(specs)) c[name] = await createCustomer(mgr, { ...base, name, phone: u.phone(), ...extra });
    assert.equal(c.同意甲.marketing_consent, 'granted');
    assert.ok(c.同意甲.consent_at, 'a consent given now is dated');
    assert.equal(c.未知戊.marketing_consent, 'unknown', 'consent is never presumed');
    assert.equal(c.退订丙.sms_opt_out, true);
  });

  test('the e-mail address is personal data: masked like the phone, clear only through the audited reveal', async () => {
    const seen = (await mgr.get(`/customers/${c.同意甲.id}`)).body.customer;
    assert.equal(seen.email, 'j***@example.com');
    const list = await mgr.get(`/customers?q=${encodeURIComponent('同意甲')}`);
    assert.equal(list.body.items[0].email, 'j***@example.com');
    const r = await mgr.post(`/customers/${c.同意甲.id}/reveal`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.email, 'jia@example.com');
    // Without the reveal right it cannot be probed character by character.
    const probe = await clerk.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'contains', value: 'jia' }))}`);
    expectError(probe, 422, 'validation_failed', { fields: ['filter'] });
  });

  const group = () => ({ filter: { field: 'address', op: 'eq', value: '营销测试组' } });

  test('a consent given without its source is refused, in the user language', async () => {
    const r = await mgr.post('/customers', { name: '无来源', phone: u.phone(), marketing_consent: 'granted' });
    expectError(r, 422, 'validation_failed', { fields: ['consent_source'] });
  });

  test('the SMS preview counts the consented recipients and each reason for leaving one out, with a rendered sample', async () => {
    const r = await mgr.post('/campaigns/preview', { ...group(), channel: 'sms', body: '{称呼}您好，{网点}邀您参加集邮展。客户经理：{客户经理}' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.matched, 5);
    assert.equal(r.body.recipients, 2, 'only 同意甲 and 同意乙');
    assert.deepEqual(r.body.excluded, { consent: 2, opt_out: 1, no_contact: 0 });
    assert.match(r.body.sample.body, /^同先生您好，.+邀您参加集邮展。客户经理：营销经理$/);
    assert.match(r.body.sample.to, /^\d{3}\*{4}\d{4}$/, 'the sample address is masked');
  });

  test('the e-mail preview leaves out who has no address', async () => {
    const r = await mgr.post('/campaigns/preview', { ...group(), channel: 'email', subject: '{姓名}，新邮票上市', body: '尊敬的{姓名}' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.recipients, 1);
    assert.deepEqual(r.body.excluded, { consent: 2, opt_out: 1, no_contact: 1 });
    assert.equal(r.body.sample.subject, '同意甲，新邮票上市');
  });

  test('a clerk may not preview or send', async () => {
    expectError(await clerk.post('/campaigns/preview', { ...group(), channel: 'sms', body: 'x' }), 403, 'forbidden');
    expectError(await clerk.post('/campaigns', { ...group(), channel: 'sms', body: 'x' }), 403, 'forbidden');
  });

  test('a campaign without a body is refused and sends nothing', async () => {
    const r = await mgr.post('/campaigns', { ...group(), channel: 'sms' });
    expectError(r, 422, 'validation_failed', { fields: ['body'] });
    assert.equal(srv.queryDb("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'campaign:%'")[0][0], '0');
  });

  test('sending puts exactly the consented recipients in the outbox with their own text, once per token, audited', async () => {
    const body = { ...group(), channel: 'sms', body: '{姓名}您好，{网点}邀您参加集邮展', client_token: 'tok-sms-1' };
    const r = await mgr.post('/campaigns', body);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.recipients, 2);
    const again = await mgr.post('/campaigns', body);
    assert.equal(again.status, 200, show(again));
    assert.equal(again.body.id, r.body.id, 'a double submit is the same campaign');
    const rows = srv.queryDb(`SELECT recipient, body FROM outbox WHERE dedupe_key LIKE 'campaign:${r.body.id}:%' ORDER BY recipient`);
    const want = [c.同意甲, c.同意乙].map((x) => srv.queryDb(`SELECT phone FROM customers WHERE id = ${x.id}`)[0][0]).sort();
    assert.deepEqual(rows.map((x) => x[0]), want);
    for (const [, text] of rows) assert.match(text, /^同意[甲乙]您好，.+邀您参加集邮展$/);
    const box = await waitFor(async () => {
      const m = await admin.get('/dev-mailbox?limit=50');
      const mine = m.body.items.filter((x) => want.includes(x.recipient));
      return mine.length === 2 ? mine : null;
    }, { what: 'the campaign in the dev mailbox' });
    assert.equal(box.length, 2);
    const audit = await findAudit(admin, (e) => e.object_id === String(r.body.id), { action: 'campaign.send' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.recipients, 2);
    assert.deepEqual(audit[0].detail.target, group());
    const list = await mgr.get('/campaigns');
    assert.equal(list.status, 200, show(list));
    const row = list.body.items.find((x) => x.id === r.body.id);
    assert.equal(row.recipients, 2);
    assert.equal(row.excluded_consent, 2);
  });

  test('an opt-out recorded after the preview holds at sending', async () => {
    const cur = (await mgr.get(`/customers/${c.同意乙.id}`)).body.customer;
    const r = await mgr.patch(`/customers/${c.同意乙.id}`, { version: cur.version, sms_opt_out: true });
    assert.equal(r.status, 200, show(r));
    const sent = await mgr.post('/campaigns', { ...group(), channel: 'sms', body: '第二轮' });
    assert.equal(sent.status, 201, show(sent));
    assert.equal(sent.body.recipients, 1);
    assert.deepEqual(sent.body.excluded, { consent: 2, opt_out: 2, no_contact: 0 });
  });

  test('a group over the limit (6 in this server) is refused with a clear message', async () => {
    for (const name of ['范围外一', '范围外二']) await createCustomer(mgr, { name, phone: u.phone() });
    const r = await mgr.post('/campaigns/preview', { channel: 'sms', body: 'x' });
    const e = expectError(r, 422, 'validation_failed', { fields: ['group'] });
    assert.match(e.fields.group, /上限/);
  });
});
