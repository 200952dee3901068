// Refunds and tracking numbers recorded twice (issue 14). A business
// record's amount is never negative: money given back is a refund, a record
// of its own kind that names the record it pays back, may not exceed what
// is left of it, nets the profile's spend and is shown as such. A tracking
// number already on a record is a warning the clerk confirms, and the
// warning names the earlier record's customer only inside the clerk's scope.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, getCustomer, maskPhone } from './lib/customers.mjs';

const NOW = '2026-11-23T10:00:00+08:00';
const at = (day, time = '10:00:00') => `${day}T${time}+08:00`;

/** A UPU S10 number with its check digit: EA + 8 digits + check + CN. */
function s10(serial) {
  const d = String(serial).padStart(8, '0');
  const w = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...d].reduce((s, c, i) => s + Number(c) * w[i], 0);
  let check = 11 - (sum % 11);
  if (check === 10) check = 0;
  if (check === 11) check = 5;
  return `EA${d}${check}CN`;
}

describe('refunds and duplicate tracking numbers', () => {
  const srv = useServer({
    label: 'refunds',
    users: [
      { login: 'A9141', name: '退款管理员', role: 'admin', branch: 'GD' },
      { login: 'C9141', name: '退款柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9141', name: '退款经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9142', name: '福田退款柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(14);
  let admin, clerk, mgr, szClerk;
  const C = {};
  const phone = {};

  const post = (client, id, body, opts) => client.post(`/customers/${id}/interactions`, body, opts);
  const record = async (client, id, body) => {
    const r = await post(client, id, body);
    assert.equal(r.status, 201, show(r));
    return r.body.interaction;
  };
  const count = async (client, id) => {
    const r = await client.get(`/customers/${id}/interactions?limit=200`);
    assert.equal(r.status, 200, show(r));
    return r.body.total;
  };

  test('set-up: a fixed clock, staff, customers in GD-GZ-01 and GD-SZ-01', async () => {
    assert.equal((await new Client(srv).post('/_test/clock', { now: NOW })).status, 200);
    ({ A9141: admin, C9141: clerk, M9141: mgr, C9142: szClerk } = await signInAll(srv, ['A9141', 'C9141', 'M9141', 'C9142']));
    const branches = await branchesByCode(admin);
    for (const [key, name, code] of [
      ['a', '退款客户甲', 'GD-GZ-01'],
      ['b', '退款客户乙', 'GD-GZ-01'],
      ['sz', '福田退款客户', 'GD-SZ-01'],
    ]) {
      phone[key] = u.phone();
      C[key] = await createCustomer(admin, { name, phone: phone[key], branch_id: branches[code].id });
    }
  });

  test('a negative amount on a business record is refused in zh and en, pointing to refunds, and nothing is saved', async () => {
    const before = await count(clerk, C.a.id);
    const zh = expectError(await post(clerk, C.a.id, { type: 'ems', amount: '-5.00' }), 422, 'validation_failed', { fields: ['amount'] });
    assert.match(zh.fields.amount, /退款/);
    const en = expectError(await post(clerk, C.a.id, { type: 'ems', amount: -5 }, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['amount'],
    });
    assert.match(en.fields.amount, /refund/i);
    assert.equal(await count(clerk, C.a.id), before);
  });

  test('a refund pays back part of a record: its own kind, linked, negative, the original\'s type and tracking number', async () => {
    const paid = await record(clerk, C.a.id, { type: 'ems', amount: '28.00', tracking_no: s10(1401), occurred_at: at('2026-11-20') });
    assert.equal(paid.kind, 'business');
    assert.equal(paid.refund_of, null);
    const refund = await record(clerk, C.a.id, { kind: 'refund', refund_of: paid.id, amount: '10', description: '破损退款' });
    assert.equal(refund.kind, 'refund');
    assert.equal(refund.refund_of, paid.id);
    assert.equal(refund.amount, '-10.00');
    assert.equal(refund.type, 'ems');
    assert.equal(refund.tracking_no, s10(1401));
    // The spend of the last 12 months nets it.
    assert.equal((await getCustomer(clerk, C.a.id)).spend_12m, '18.00');
    // The list across customers shows it as a refund.
    const list = await clerk.get(`/interactions?customer_id=${C.a.id}&limit=200`);
    assert.equal(list.status, 200, show(list));
    const listed = list.body.items.find((i) => i.id === refund.id);
    assert.equal(listed.kind, 'refund');
    assert.equal(listed.refund_of, paid.id);
    C.paid = paid;
  });

  test('refunds never exceed what is left of the original; the last fen can go back, then nothing more', async () => {
    const before = await count(clerk, C.a.id);
    const over = expectError(await post(clerk, C.a.id, { kind: 'refund', refund_of: C.paid.id, amount: '18.01' }), 422, 'validation_failed', {
      fields: ['amount'],
    });
    assert.match(over.fields.amount, /超过/);
    assert.equal(await count(clerk, C.a.id), before, 'the refused refund is not saved');
    await record(clerk, C.a.id, { kind: 'refund', refund_of: C.paid.id, amount: '18.00' });
    assert.equal((await getCustomer(clerk, C.a.id)).spend_12m, '0.00');
    const en = expectError(await post(clerk, C.a.id, { kind: 'refund', refund_of: C.paid.id, amount: '0.01' }, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['amount'],
    });
    assert.match(en.fields.amount, /left to refund/);
  });

  test('bad refunds: no original, zero or negative sums, a refund of a refund, another customer\'s record, another type', async () => {
    const paid = await record(clerk, C.b.id, { type: 'parcel', amount: '50', occurred_at: at('2026-11-21') });
    const free = await record(clerk, C.b.id, { type: 'parcel', occurred_at: at('2026-11-21') });
    const refund = await record(clerk, C.b.id, { kind: 'refund', refund_of: paid.id, amount: '5' });
    const before = await count(clerk, C.b.id);
    const bad = async (body, field, pattern) => {
      const e = expectError(await post(clerk, C.b.id, body), 422, 'validation_failed', { fields: [field] });
      assert.match(e.fields[field], pattern, JSON.stringify(body));
    };
    await bad({ kind: 'refund', amount: '5' }, 'refund_of', /./);
    await bad({ kind: 'refund', refund_of: paid.id }, 'amount', /退款金额/);
    await bad({ kind: 'refund', refund_of: paid.id, amount: '0' }, 'amount', /大于0/);
    await bad({ kind: 'refund', refund_of: paid.id, amount: '-5' }, 'amount', /大于0/);
    await bad({ kind: 'refund', refund_of: refund.id, amount: '1' }, 'refund_of', /有金额/);
    await bad({ kind: 'refund', refund_of: free.id, amount: '1' }, 'refund_of', /有金额/);
    await bad({ kind: 'refund', refund_of: C.paid.id, amount: '1' }, 'refund_of', /不属于该客户/);
    await bad({ kind: 'refund', refund_of: paid.id, amount: '1', type: 'ems' }, 'type', /相同/);
    await bad({ type: 'parcel', refund_of: paid.id, amount: '1' }, 'refund_of', /退款记录/);
    await bad({ kind: 'gift', type: 'parcel' }, 'kind', /可选/);
    assert.equal(await count(clerk, C.b.id), before, 'none of them is saved');
    // Another branch's clerk cannot refund what they cannot see.
    expectError(await post(szClerk, C.b.id, { kind: 'refund', refund_of: paid.id, amount: '1' }), 404, 'not_found');
  });

  test('a tracking number recorded before is a warning with the earlier record; confirmed, it is saved', async () => {
    const no = s10(1402);
    const first = await record(clerk, C.a.id, { type: 'ems', tracking_no: no, occurred_at: at('2026-11-22', '15:30:00') });
    const before = await count(clerk, C.b.id);
    for (const [client, lang] of [
      [clerk, 'zh'],
      [mgr, 'en'],
    ]) {
      const r = await post(client, C.b.id, { type: 'ems', tracking_no: no.toLowerCase() }, { lang });
      const e = expectError(r, 409, 'duplicate', { lang });
      assert.match(e.message, lang === 'en' ? /tracking number/ : /邮件号/);
      assert.equal(e.duplicates.length, 1, show(r));
      const d = e.duplicates[0];
      assert.equal(d.id, first.id);
      assert.equal(d.customer_id, C.a.id);
      assert.equal(d.customer_name, '退款客户甲');
      assert.equal(d.customer_no, C.a.customer_no);
      assert.equal(d.customer_phone, maskPhone(phone.a), 'the phone masked, whatever the role');
      assert.ok(!r.text.includes(phone.a), 'the clear phone is nowhere in the answer');
      assert.equal(Date.parse(d.occurred_at), Date.parse(at('2026-11-22', '15:30:00')));
    }
    assert.equal(await count(clerk, C.b.id), before, 'the warning saves nothing');
    const saved = await record(clerk, C.b.id, { type: 'ems', tracking_no: no, confirm_duplicate: true });
    assert.equal(saved.tracking_no, no);
    // A refund carries its original's number without a warning.
    const paid = await record(clerk, C.a.id, { type: 'ems', tracking_no: s10(1403), amount: '20' });
    await record(clerk, C.a.id, { kind: 'refund', refund_of: paid.id, amount: '20' });
    // A new number is no warning at all.
    await record(clerk, C.a.id, { type: 'ems', tracking_no: s10(1404) });
  });

  test('another branch\'s earlier record is a warning that names no customer', async () => {
    const no = s10(1405);
    await record(clerk, C.a.id, { type: 'ems', tracking_no: no, occurred_at: at('2026-11-22') });
    const r = await post(szClerk, C.sz.id, { type: 'ems', tracking_no: no });
    const e = expectError(r, 409, 'duplicate');
    assert.equal(e.duplicates.length, 1, show(r));
    assert.deepEqual(Object.keys(e.duplicates[0]).sort(), ['occurred_at', 'other_branch']);
    assert.equal(e.duplicates[0].other_branch, true);
    for (const leak of ['退款客户甲', C.a.customer_no, phone.a.slice(-4)]) assert.ok(!r.text.includes(leak), `${leak} leaks: ${show(r)}`);
    await record(szClerk, C.sz.id, { type: 'ems', tracking_no: no, confirm_duplicate: true });
  });
});
