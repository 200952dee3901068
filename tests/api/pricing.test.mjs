// Pricing (issue 18, first part): the list price table in versions by
// effective date (a version in force is never changed), contract rules per
// enterprise scoped like the enterprise, overlapping rules refused with the
// field named, the quote and a stored waybill's price against figures
// worked out by hand from the default list (docs/billing.md), the lines
// that explain them, and bad input that changes nothing.
//
// The default list (migration 0029): standard, first 1 kg + 1 kg steps;
// 广东省 → 北京市 is 四区 (z4): 18.00 first kg, 3.60 a step, minimum 8.00;
// 同城 8.00 / 1.60; 保价 3‰ at least 1.00; 代收 1‰ at least 3.00;
// 新疆 is 偏远 (25.00 / 5.00) with 8.00 remote surcharge.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, resignIn, findAudit } from './lib/customers.mjs';
import { feed, makeKey, s10, iso } from './lib/waybills.mjs';

const GZ = '广东省/广州市/天河区';
const BJ = '北京市/北京市/朝阳区';

describe('pricing: list prices, contract rules, why this amount', () => {
  const srv = useServer({
    label: 'pricing',
    users: [
      { login: 'A9181', name: '计费管理员', role: 'admin', branch: 'GD' },
      { login: 'S9181', name: '计费主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9181', name: '计费经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9182', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'C9181', name: '计费柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, m2, clerk, ent, now, current;

  const quote = (client, over = {}, opts) =>
    client.post('/pricing/quote', { product: 'standard', origin: GZ, destination: BJ, weight: '2.3', ...over }, opts);
  const total = async (client, over) => {
    const r = await quote(client, over);
    assert.equal(r.status, 200, show(r));
    return r.body;
  };
  const rules = async (client = sup) => {
    const r = await client.get(`/enterprises/${ent.id}/price-rules`);
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  };
  const addRule = async (body) => {
    const r = await sup.post(`/enterprises/${ent.id}/price-rules`, { valid_from: '2020-01-01', ...body });
    assert.equal(r.status, 201, show(r));
    return r.body;
  };
  const dropRules = async () => {
    for (const r of await rules()) assert.equal((await sup.delete(`/enterprises/${ent.id}/price-rules/${r.id}`)).status, 200);
  };

  test('set-up: an enterprise of a Guangzhou manager', async () => {
    ({ A9181: admin, S9181: sup, M9181: m1, M9182: m2, C9181: clerk } = await signInAll(srv, ['A9181', 'S9181', 'M9181', 'M9182', 'C9181']));
    const r = await m1.post('/enterprises', { name: '广州计费测试有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    const list = await clerk.get('/price-lists');
    assert.equal(list.status, 200, show(list));
    current = list.body.items.find((v) => v.status === 'current');
    assert.equal(current.effective_on, '2020-01-01');
  });

  test('list price: first weight, steps rounded up, volume weight, surcharges, remote, minimum', async () => {
    let q = await total(clerk);
    assert.equal(q.zone, 'z4');
    assert.equal(q.chargeable_weight, '3.000', '2.3 kg is charged as 3 kg');
    assert.equal(q.total, '25.20', '18.00 + 2 × 3.60');
    assert.equal(q.total_words, '贰拾伍元贰角整');
    assert.deepEqual(q.lines.map((l) => l.key), ['pricing.weight', 'pricing.zone', 'pricing.first', 'pricing.steps']);
    const steps = q.lines.find((l) => l.key === 'pricing.steps');
    assert.deepEqual([steps.params.steps, steps.params.price, steps.amount], [2, '3.60', '7.20']);

    q = await total(clerk, { volume_weight: '3.5' });
    assert.equal(q.total, '28.80', 'the fed volume weight 3.5 kg wins: 4 kg');
    assert.equal(q.lines[0].params.by_volume, true);
    q = await total(clerk, { length: 40, width: 30, height: 30 });
    assert.equal(q.chargeable_weight, '6.000', '36000 cm³ / 6000');
    assert.equal(q.total, '36.00');

    q = await total(clerk, { declared_value: '2000.00', cod_amount: '500.00' });
    assert.equal(q.total, '34.20', '25.20 + 保价 6.00 (3‰) + 代收 3.00 (minimum)');
    q = await total(clerk, { declared_value: '100' });
    assert.equal(q.lines.find((l) => l.key === 'pricing.insured').amount, '1.00', '0.30 raised to the minimum');

    q = await total(clerk, { destination: '新疆维吾尔自治区/乌鲁木齐市/天山区', weight: '1' });
    assert.equal(q.zone, 'remote');
    assert.equal(q.total, '33.00', '25.00 + remote 8.00');

    q = await total(clerk, { destination: '广东省/广州市/越秀区', weight: '0.4' });
    assert.equal(q.zone, 'local');
    assert.equal(q.total, '8.00');
  });

  test('versions: a new one takes effect on its date; a version in force cannot change', async () => {
    const tomorrow = new Date((now + 86400 + 8 * 3600) * 1000).toISOString().slice(0, 10);
    let r = await sup.post('/price-lists', { name: '明日价目表', effective_on: tomorrow });
    assert.equal(r.status, 201, show(r));
    const next = r.body;
    assert.equal(next.status, 'future');
    assert.equal(next.products.standard.rates.z4.first_price, '18.00', 'a copy of the current version');

    r = await sup.patch(`/price-lists/${next.id}`, { version: next.version, name: '明日价目表（修订）', effective_on: tomorrow, products: [{ product: 'standard', rates: { z4: { first_price: '20.00' } } }] });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.products.standard.rates.z4.first_price, '20.00');
    assert.equal(r.body.name, '明日价目表（修订）');
    assert.equal(r.body.effective_on, tomorrow);

    assert.equal((await total(clerk)).total, '25.20', 'today the current version prices');
    assert.equal((await total(clerk, { at: iso(now + 86400 + 12 * 3600) })).total, '27.20', 'tomorrow the new one');

    const cur = (await admin.get(`/price-lists/${current.id}`)).body;
    const locked = await admin.patch(`/price-lists/${current.id}`, { version: cur.version, products: [{ product: 'standard', rates: { z4: { first_price: '1.00' } } }] });
    expectError(locked, 409, 'price_locked');
    expectError(await admin.delete(`/price-lists/${current.id}`), 409, 'price_locked');
    expectError(await sup.post('/price-lists', { name: '昨天', effective_on: '2021-01-01' }), 422, 'validation_failed', { fields: ['effective_on'] });
    expectError(await m1.post('/price-lists', { name: '经理', effective_on: tomorrow }), 403, 'forbidden');
    assert.equal((await admin.get(`/price-lists/${current.id}`)).body.products.standard.rates.z4.first_price, '18.00');
    assert.ok(await findAudit(admin, (a) => a.object_id === next.id, { action: 'price_list.update' }));

    // once its day comes, the new version is locked too
    await advanceClock(srv, 86400 + 60);
    now += 86400 + 60;
    // sessions do not outlive a day on the test clock: sign in again
    for (const [c, login] of [[admin, 'A9181'], [sup, 'S9181'], [m1, 'M9181'], [m2, 'M9182'], [clerk, 'C9181']]) await resignIn(srv, c, login);
    const nv = (await sup.get(`/price-lists/${next.id}`)).body;
    assert.equal(nv.status, 'current');
    expectError(await sup.patch(`/price-lists/${next.id}`, { version: nv.version, name: '改名' }), 409, 'price_locked', { lang: 'zh' });
    assert.equal((await total(clerk)).total, '27.20');
  });

  test('contract rules are scoped like the enterprise: readers read, billing writes', async () => {
    assert.equal((await m1.get(`/enterprises/${ent.id}/price-rules`)).status, 200, 'its manager reads them');
    expectError(await m2.get(`/enterprises/${ent.id}/price-rules`), 404, 'not_found');
    expectError(await m1.post(`/enterprises/${ent.id}/price-rules`, { kind: 'discount', percent: '90', valid_from: '2020-01-01' }), 403, 'forbidden');
    expectError(await quote(m2, { enterprise_id: ent.id }), 422, 'validation_failed', { fields: ['enterprise_id'] });
  });

  test('discount, tiers (they multiply), half-up rounding, fixed zone price, waivers, minimum', async () => {
    const base = { enterprise_id: ent.id, month_pieces: 0, month_spend: '0' };
    const disc = await addRule({ kind: 'discount', product: 'standard', percent: '92' });
    assert.equal(disc.percent, '92');
    let q = await total(clerk, base);
    const d = q.lines.find((l) => l.key === 'pricing.discount');
    assert.equal(d.params.rule_id, disc.id);
    assert.equal(d.params.percent, '92');
    assert.equal(q.total, '25.02', '27.20 × 92 % = 25.024 → 25.02');

    await addRule({ kind: 'tier', basis: 'pieces', threshold: 1000, percent: '95' });
    assert.equal((await total(clerk, { ...base, month_pieces: 999 })).total, '25.02', 'below the tier');
    q = await total(clerk, { ...base, month_pieces: 1000 });
    assert.equal(q.total, '23.77', '27.20 × 92 % × 95 % = 23.7728 → 23.77');
    assert.equal(q.lines.find((l) => l.key === 'pricing.discount').params.tier_percent, '95');

    await dropRules();
    await addRule({ kind: 'discount', percent: '92.5' });
    q = await total(clerk, { ...base, weight: '1', destination: '广东省/深圳市/南山区' });
    assert.equal(q.zone, 'intra');
    assert.equal(q.total, '9.25', '10.00 × 92.5 %');
    await dropRules();
    await addRule({ kind: 'discount', percent: '92.25' });
    q = await total(clerk, { ...base, weight: '1', destination: '广东省/广州市/越秀区' });
    assert.equal(q.total, '8.00', '8.00 × 92.25 % = 7.38, raised to the 8.00 minimum');
    assert.equal(q.lines.at(-1).key, 'pricing.minimum');
    q = await total(clerk, { ...base, weight: '3', destination: '广东省/深圳市/南山区' });
    assert.equal(q.total, '12.92', '14.00 × 92.25 % = 12.915: the half goes up');
    q = await total(clerk, { ...base, weight: '1', destination: '浙江省/杭州市/西湖区' });
    assert.equal(q.total, '14.76', '16.00 × 92.25 % = 14.76');
    q = await total(clerk, { ...base, weight: '2', destination: '浙江省/杭州市/西湖区' });
    assert.equal(q.total, '17.71', '19.20 × 92.25 % = 17.712 → 17.71');

    const fixed = await addRule({ kind: 'fixed', product: 'standard', zone: 'z4', mode: 'piece', price: '15.00' });
    q = await total(clerk, { ...base, weight: '7' });
    assert.equal(q.total, '15.00', 'the fixed price replaces the freight; no discount on it');
    assert.equal(q.lines.find((l) => l.key === 'pricing.fixed').params.rule_id, fixed.id);

    await addRule({ kind: 'waive', service: 'insured' });
    q = await total(clerk, { ...base, declared_value: '2000' });
    assert.equal(q.total, '15.00', '保价 6.00 waived');
    assert.deepEqual(q.lines.filter((l) => ['pricing.insured', 'pricing.waive'].includes(l.key)).map((l) => l.amount), ['6.00', '-6.00']);
  });

  test('overlapping rules of one kind are refused with the field named; bad input changes nothing', async () => {
    const before = await rules();
    const first = before.find((r) => r.kind === 'fixed');
    let r = await sup.post(`/enterprises/${ent.id}/price-rules`, { kind: 'fixed', product: 'standard', zone: 'z4', mode: 'piece', price: '9.00', valid_from: '2026-06-01', valid_to: '2026-12-31' });
    const e = expectError(r, 422, 'validation_failed', { fields: ['valid_from'] });
    assert.match(e.fields.valid_from, new RegExp(`#${first.id}`));
    // another zone does not overlap
    const other = await addRule({ kind: 'fixed', product: 'standard', zone: 'z3', mode: 'weight', first_weight: '1', first_price: '12.00', step_weight: '1', step_price: '3.00' });

    const bad = [
      [{ kind: 'discount', percent: '150' }, 'percent'],
      [{ kind: 'discount', percent: '0.5' }, 'percent'],
      [{ kind: 'discount', product: 'standard', percent: '-5' }, 'percent'],
      [{ kind: 'fixed', zone: 'z2', mode: 'piece', price: '-1' }, 'price'],
      [{ kind: 'fixed', zone: 'z9', mode: 'piece', price: '1' }, 'zone'],
      [{ kind: 'discount', product: 'no_such', percent: '90' }, 'product'],
      [{ kind: 'tier', basis: 'pieces', threshold: 0, percent: '90' }, 'threshold'],
      [{ kind: 'waive', service: 'tea' }, 'service'],
      [{ kind: 'discount', percent: '90', valid_to: '2019-01-01' }, 'valid_to'],
    ];
    for (const [body, field] of bad) {
      r = await sup.post(`/enterprises/${ent.id}/price-rules`, { valid_from: '2020-01-01', ...body }, { lang: 'en' });
      expectError(r, 422, 'validation_failed', { fields: [field], lang: 'en' });
    }
    const after = await rules();
    assert.deepEqual(after.map((x) => x.id).sort(), [other.id, ...before.map((x) => x.id)].sort(), 'only the good rule was added');
    assert.deepEqual(after.find((x) => x.id === first.id), first, 'the rule it overlapped is unchanged');

    expectError(await quote(clerk, { product: 'no_such' }), 422, 'validation_failed', { fields: ['product'] });
    expectError(await quote(clerk, { destination: '火星/奥林帕斯' }), 422, 'validation_failed', { fields: ['destination'] });
    expectError(await quote(clerk, { weight: '-1' }), 422, 'validation_failed', { fields: ['weight'] });
    expectError(await quote(clerk, { weight: 1.5 }), 422, 'validation_failed', { fields: ['weight'] });
    assert.ok(await findAudit(admin, (a) => a.object_id === ent.id, { action: 'price_rule.create' }));
  });

  test("a stored waybill is priced under its enterprise's contract at its collection time, as the quote", async () => {
    await dropRules();
    await addRule({ kind: 'discount', product: 'standard', percent: '90' });
    await addRule({ kind: 'tier', basis: 'pieces', threshold: 1, percent: '95' });
    const key = await makeKey(admin, '计费测试对接');
    const no = s10(18181818);
    const r = await feed(srv, '/waybills:batch', key.secret, [
      { waybill_no: no, enterprise_id: ent.id, product: 'standard', origin: GZ, destination: BJ, weight: 2.3, declared_value: '2000.00', fee: '30.00', collected_at: iso(now - 3600) },
    ]);
    assert.equal(r.status, 200, show(r));
    const p = await clerk.get(`/waybills/${no}/price`);
    assert.equal(p.status, 200, show(p));
    // 27.20 × 90 % × 95 % = 23.256 → 23.26, + 保价 6.00
    assert.equal(p.body.total, '29.26');
    assert.equal(p.body.month_pieces, 1, 'the month counted from the rollups: this waybill');
    assert.equal(p.body.fee_as_fed, '30.00');
    assert.deepEqual(p.body.lines.map((l) => l.key), ['pricing.weight', 'pricing.zone', 'pricing.first', 'pricing.steps', 'pricing.discount', 'pricing.insured']);
    const q = await total(clerk, { enterprise_id: ent.id, declared_value: '2000', at: iso(now - 3600) });
    assert.equal(q.total, p.body.total, 'the quote of the same waybill says the same');
    assert.deepEqual(q.lines, p.body.lines);
    expectError(await m2.get(`/waybills/${no}/price`), 404, 'not_found');
  });
});
