// Helpers of the statement tests: a 月结 enterprise with waybills collected
// last month (+08:00) and the statement the scheduler makes of them.

import assert from 'node:assert/strict';
import { show, advanceClock } from './client.mjs';
import { feed, makeKey, s10, iso } from './waybills.mjs';
import { waitFor } from './wait.mjs';

/** The "YYYY-MM" before the +08:00 month holding unix time t. */
export function lastMonth(t) {
  const d = new Date((t + 8 * 3600) * 1000);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 7);
}

const DESTS = ['北京市/北京市/朝阳区', '上海市/上海市/浦东新区', '广东省/广州市/越秀区'];

/**
 * An enterprise of manager `owner` made 月结 by `sup`, with `count`
 * waybills of last month (serials from `serial`) and the contacts given;
 * waits for the scheduler's statement. Returns {ent, statement, period}.
 */
export async function monthlyStatement(srv, { admin, sup, owner, name, serial, count = 4, contacts = [] }) {
  let r = await owner.post('/enterprises', { name, tier: 'key', status: 'active' });
  assert.equal(r.status, 201, show(r));
  const ent = r.body.enterprise;
  for (const c of contacts) {
    r = await owner.post(`/enterprises/${ent.id}/contacts`, c);
    assert.equal(r.status, 201, show(r));
  }
  const key = await makeKey(admin, `对账 ${name}`);
  const now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
  const period = lastMonth(now);
  const [y, m] = period.split('-').map(Number);
  const lines = [];
  for (let i = 0; i < count; i++) {
    lines.push({ waybill_no: s10(serial + i), enterprise_id: ent.id, product: 'standard', origin: '广东省/广州市/天河区', destination: DESTS[i % DESTS.length], weight: (1 + i * 0.5).toFixed(1), collected_at: iso(Date.UTC(y, m - 1, 10, 2) / 1000 + i * 3600) });
  }
  r = await feed(srv, '/waybills:batch', key.secret, lines);
  assert.equal(r.body.created, count, show(r));
  r = await sup.put(`/enterprises/${ent.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1, payment_days: 30 });
  assert.equal(r.status, 200, show(r));
  const statement = await waitFor(
    async () => (await owner.get(`/statements?enterprise_id=${ent.id}`)).body.items[0],
    { what: `the statement of ${name}`, timeoutMs: 20000 },
  );
  return { ent, statement, period };
}

/** Yuan text to fen. */
export const fen = (yuan) => Math.round(Number(yuan) * 100);
