// Customer value and records (issue 14): the figures of a profile
// (GET /customers/{id}/figures: stored figures, top business types with
// counts, twelve +08:00 months), customer-number suffix and spaced pinyin
// in the quick search, the suspected-duplicate worklist with dismissal and
// merge, and the message of a future birthday typed without an ID number.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  makeIdNumber,
  signInAll,
  branchesByCode,
  createCustomer,
  searchIds,
  maskPhone,
} from './lib/customers.mjs';

const NOW = '2027-03-15T12:00:00+08:00';

describe('customer value', () => {
  const srv = useServer({
    label: 'value',
    // windows of two index entries: pairs are found across window ends
    env: { HONGYAN_DUPES_SCAN: '2' },
    users: [
      { login: 'A1401', name: '价值管理员', role: 'admin', branch: 'GD' },
      { login: 'S1401', name: '价值主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C1401', name: '价值柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C1402', name: '深圳价值柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(14);
  let admin, sup, clerk, szClerk, gz01, sz01;
  let valued;
  const D = {}; // worklist customers

  test('set-up: the clock at a known day, staff sign in', async () => {
    const r = await new Client(srv).post('/_test/clock', { now: NOW });
    assert.equal(r.status, 200, show(r));
    ({ A1401: admin, S1401: sup, C1401: clerk, C1402: szClerk } = await signInAll(srv, ['A1401', 'S1401', 'C1401', 'C1402']));
    const branches = await branchesByCode(admin);
    gz01 = branches['GD-GZ-01'].id;
    sz01 = branches['GD-SZ-01'].id;
  });

  // ---- figures -----------------------------------------------------------

  test('figures: stored figures, top three types with counts, twelve +08:00 months', async () => {
    valued = await createCustomer(clerk, { name: '价值客户', phone: u.phone(), branch_id: gz01 });
    const records = [
      ['ems', '2027-03-10T10:00:00+08:00', '28.00'],
      ['ems', '2027-03-01T09:00:00+08:00', '12.50'],
      ['parcel', '2027-02-20T15:00:00+08:00', '10.00'],
      // either side of a month's end in China time (UTC: both on Jan 31)
      ['newspaper', '2027-02-01T00:30:00+08:00', '1.00'],
      ['newspaper', '2027-01-31T23:30:00+08:00', '2.00'],
      ['remittance', '2026-12-05T10:00:00+08:00', null],
      ['philately', '2026-05-01T10:00:00+08:00', '100.00'],
      // in the last 365 days, in a month before the twelve shown
      ['philately', '2026-03-20T10:00:00+08:00', '5.00'],
      // older than a year: in nothing but the past
      ['other', '2025-12-01T10:00:00+08:00', '999.00'],
    ];
    for (const [type, at, amount] of records) {
      const body = { type, occurred_at: at };
      if (amount) body.amount = amount;
      const r = await clerk.post(`/customers/${valued.id}/interactions`, body);
      assert.equal(r.status, 201, show(r));
    }
    const r = await clerk.get(`/customers/${valued.id}/figures`);
    assert.equal(r.status, 200, show(r));
    const f = r.body;
    assert.equal(f.last_visit_at, '2027-03-10T10:00:00+08:00');
    assert.equal(f.visits_90d, 5, 'since 2026-12-15');
    assert.equal(f.spend_12m, '158.50');
    // ems and newspaper twice each (ems more recent), then philately twice
    assert.deepEqual(f.top_types, [
      { type: 'ems', count: 2 },
      { type: 'newspaper', count: 2 },
      { type: 'philately', count: 2 },
    ]);
    assert.deepEqual(f.months.map((m) => m.month), [
      '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09',
      '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03',
    ]);
    const byMonth = Object.fromEntries(f.months.map((m) => [m.month, [m.visits, m.spend]]));
    assert.deepEqual(byMonth['2027-03'], [2, '40.50']);
    assert.deepEqual(byMonth['2027-02'], [2, '11.00']);
    assert.deepEqual(byMonth['2027-01'], [1, '2.00']);
    assert.deepEqual(byMonth['2026-12'], [1, '0.00']);
    assert.deepEqual(byMonth['2026-05'], [1, '100.00']);
    assert.deepEqual(byMonth['2026-04'], [0, '0.00']);
  });

  test('figures: scoped like the customer (404 outside the branch, for unknown ids)', async () => {
    expectError(await szClerk.get(`/customers/${valued.id}/figures`), 404, 'not_found');
    expectError(await clerk.get('/customers/999999/figures'), 404, 'not_found');
    const r = await sup.get(`/customers/${valued.id}/figures`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.spend_12m, '158.50');
  });

  test('the list sorts by spend in 12 months, in keyset pages', async () => {
    const spenders = []
    for (const [name, amount] of [['少量消费', '20.00'], ['大额消费', '300.00'], ['同额消费', '20.00']]) {
      const c = await createCustomer(clerk, { name, phone: u.phone(), branch_id: gz01 });
      const r = await clerk.post(`/customers/${c.id}/interactions`, { type: 'parcel', occurred_at: '2027-03-01T10:00:00+08:00', amount });
      assert.equal(r.status, 201, show(r));
      spenders.push(c);
    }
    const filter = JSON.stringify({ field: 'spend_12m', op: 'gte', value: 1 });
    const order = async (sort) => {
      const names = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const r = await clerk.get(`/customers?sort=${sort}&limit=1&filter=${encodeURIComponent(filter)}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, show(r));
        names.push(...r.body.items.map((c) => `${c.name} ${c.spend_12m}`));
        if (!r.body.next_cursor) return names;
        cursor = r.body.next_cursor;
      }
      assert.fail('no end');
    };
    // equal amounts in id order, reversed when descending
    assert.deepEqual(await order('-spend_12m'), ['大额消费 300.00', '价值客户 158.50', '同额消费 20.00', '少量消费 20.00']);
    assert.deepEqual(await order('spend_12m'), ['少量消费 20.00', '同额消费 20.00', '价值客户 158.50', '大额消费 300.00']);
  });

  // ---- search ------------------------------------------------------------

  test('quick search: the sequence of a customer number, with or without its zeros, in scope', async () => {
    const c = await createCustomer(clerk, { name: '编号客户', phone: u.phone(), branch_id: gz01 });
    const seq = c.customer_no.split('-').pop();
    assert.match(seq, /^\d{6}$/, c.customer_no);
    assert.ok((await searchIds(clerk, seq)).includes(c.id), `${seq} finds ${c.customer_no}`);
    const bare = String(Number(seq));
    assert.ok((await searchIds(clerk, bare)).includes(c.id), `${bare} finds ${c.customer_no}`);
    assert.ok((await searchIds(clerk, seq.slice(-4))).includes(c.id), `${seq.slice(-4)}: last four of the number`);
    assert.ok(!(await searchIds(szClerk, seq)).includes(c.id), 'another branch does not find it');
    // the same sequence of another branch's numbering is another customer
    const other = await createCustomer(szClerk, { name: '深圳编号', phone: u.phone(), branch_id: sz01 });
    const otherSeq = other.customer_no.split('-').pop();
    assert.ok((await searchIds(szClerk, otherSeq)).includes(other.id));
    assert.ok(!(await searchIds(clerk, otherSeq)).includes(other.id));
  });

  test('quick search: pinyin with spaces between syllables or initials', async () => {
    const zs = await createCustomer(clerk, { name: '张三', phone: u.phone(), branch_id: gz01 });
    const ls = await createCustomer(clerk, { name: '李四', phone: u.phone(), branch_id: gz01 });
    for (const text of ['zhang san', 'Zhang San', ' zhang  san ', 'z s', 'zhang s']) {
      const ids = await searchIds(clerk, text);
      assert.ok(ids.includes(zs.id), `${JSON.stringify(text)} finds 张三`);
      assert.ok(!ids.includes(ls.id), `${JSON.stringify(text)} is not 李四`);
    }
    assert.ok((await searchIds(clerk, 'li si')).includes(ls.id));
  });

  // ---- birthday ----------------------------------------------------------

  test('a future birthday typed without an ID number: the message is about the birthday', async () => {
    const body = { name: '未来生日', phone: u.phone(), branch_id: gz01, birthday: '2999-01-01' };
    const zh = expectError(await clerk.post('/customers', body), 422, 'validation_failed', { fields: ['birthday'] });
    assert.equal(zh.fields.birthday, '生日不能晚于今天');
    assert.equal(zh.fields.id_number, undefined);
    const en = expectError(await clerk.post('/customers', body, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['birthday'],
    });
    assert.equal(en.fields.birthday, 'The birthday cannot be in the future');
  });

  // ---- duplicates worklist -----------------------------------------------

  /** Every pair of the worklist for client, following next_cursor. */
  async function allPairs(client, limit = 1) {
    const items = [];
    let cursor = '';
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 200, 'the worklist did not end');
      const r = await client.get(`/customers/duplicate-pairs?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, show(r));
      items.push(...r.body.items);
      if (!r.body.next_cursor) break;
      assert.notEqual(r.body.next_cursor, cursor, 'the cursor did not move');
      cursor = r.body.next_cursor;
    }
    return items;
  }
  const key = (p) => [p.a.id, p.b.id].join('-');
  const pairKeys = (items) => items.map(key).sort();

  test('worklist set-up: same phone, same ID number, a pair across branches, a single', async () => {
    const phone = u.phone();
    const idNo = makeIdNumber({ region: '440106', birthday: '1971-07-07', seq: 41 });
    const crossPhone = u.phone();
    const add = (client, name, body) => createCustomer(client, { name, confirm_duplicate: true, ...body });
    D.p1 = await add(clerk, '重复甲', { phone, branch_id: gz01 });
    D.p2 = await add(clerk, '重复乙', { phone, branch_id: gz01 });
    D.i1 = await add(clerk, '证件甲', { phone: u.phone(), id_number: idNo, branch_id: gz01 });
    D.i2 = await add(clerk, '证件乙', { phone: u.phone(), id_number: idNo, branch_id: gz01 });
    D.c1 = await add(clerk, '跨网点甲', { phone: crossPhone, branch_id: gz01 });
    D.c2 = await add(szClerk, '跨网点乙', { phone: crossPhone, branch_id: sz01 });
    D.phone = phone;
  });

  test('worklist: every pair once, in pages, across windows; scoped; numbers masked', async () => {
    const P = `${D.p1.id}-${D.p2.id}`;
    const I = `${D.i1.id}-${D.i2.id}`;
    const C = `${D.c1.id}-${D.c2.id}`;
    const adminPairs = await allPairs(admin);
    assert.deepEqual(pairKeys(adminPairs), [C, I, P].sort());
    assert.deepEqual(pairKeys(await allPairs(admin, 50)), [C, I, P].sort(), 'the same with larger pages');
    const byKey = Object.fromEntries(adminPairs.map((p) => [key(p), p]));
    assert.equal(byKey[P].match, 'phone');
    assert.equal(byKey[I].match, 'id_number');
    assert.equal(byKey[P].a.phone, maskPhone(D.phone));
    assert.equal(byKey[P].a.name, '重复甲');
    assert.match(byKey[I].a.id_number, /\*{8}/);
    // the clerk sees the pairs of the branch, not the one half of which is elsewhere
    assert.deepEqual(pairKeys(await allPairs(clerk)), [I, P].sort());
    assert.deepEqual(await allPairs(szClerk), []);
    expectError(await clerk.get('/customers/duplicate-pairs?cursor=notacursor'), 422, 'validation_failed', {
      fields: ['cursor'],
    });
    expectError(await clerk.get('/customers/duplicate-pairs?limit=0'), 422, 'validation_failed', { fields: ['limit'] });
  });

  test('worklist: "not the same person" removes the pair for everyone; checked and scoped', async () => {
    const ids = [D.p2.id, D.p1.id];
    expectError(await szClerk.post('/customers/duplicate-pairs/dismiss', { ids }), 404, 'not_found');
    expectError(await clerk.post('/customers/duplicate-pairs/dismiss', { ids: [D.p1.id, D.p1.id] }), 422, 'validation_failed', {
      fields: ['ids'],
    });
    assert.ok(pairKeys(await allPairs(admin)).includes(`${D.p1.id}-${D.p2.id}`), 'refusals changed nothing');
    const r = await clerk.post('/customers/duplicate-pairs/dismiss', { ids });
    assert.equal(r.status, 200, show(r));
    const again = await clerk.post('/customers/duplicate-pairs/dismiss', { ids });
    assert.equal(again.status, 200, `dismissing twice is harmless: ${show(again)}`);
    assert.deepEqual(pairKeys(await allPairs(admin)), [`${D.c1.id}-${D.c2.id}`, `${D.i1.id}-${D.i2.id}`].sort());
    const audit = await admin.get('/audit-log?action=customer.duplicate_dismiss');
    assert.equal(audit.status, 200, show(audit));
    const entries = audit.body.items.filter((e) => e.object_id === String(D.p1.id));
    assert.equal(entries.length, 1, `one entry, the second dismissal changed nothing: ${show(audit)}`);
    assert.equal(entries[0].detail.other_id, D.p2.id);
  });

  test('worklist: merging a pair takes it off the list', async () => {
    const r = await sup.post(`/customers/${D.i1.id}/merge`, { duplicate_id: D.i2.id });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(pairKeys(await allPairs(clerk)), []);
    assert.deepEqual(pairKeys(await allPairs(admin)), [`${D.c1.id}-${D.c2.id}`]);
  });
});
