// The SLA clock on the real business calendar (issue 17): with the test
// clock, a business-hours VIP ticket opened just before 国庆 (1-7 October
// 2026, seeded) is due for its first response after the holiday; one
// opened on the make-up working Saturday (10 October) is due that same
// morning; and after an admin edits the year (the Saturday an ordinary
// day off again) a new ticket follows the edit.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { signInAll, branchesByCode } from './lib/customers.mjs';

const secs = (iso) => Math.floor(Date.parse(iso) / 1000);

describe('ticket SLA on the business calendar', () => {
  const srv = useServer({
    label: 'ticket-sla-cal',
    users: [
      { login: 'A9841', name: '日历管理员', role: 'admin', branch: 'GD' },
      { login: 'M9841', name: '日历客户经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9841', name: '日历柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, clerk, vip, contact;

  const setClock = async (now) => {
    const r = await new Client(srv).post('/_test/clock', { now });
    assert.equal(r.status, 200, show(r));
  };
  /** A counter ticket of the VIP enterprise logged at `now`: its first-response due instant. */
  const dueAt = async (now, subject) => {
    await setClock(now);
    const r = await clerk.post('/tickets', { channel: 'counter', type: 'inquiry', subject, enterprise_id: vip.id, contact_id: contact.id });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.ticket.tier, 'vip');
    assert.equal(r.body.ticket.calendar, 'business');
    return secs(r.body.ticket.first_response_due_at);
  };

  test('set-up: a VIP enterprise whose policy counts 15 minutes of business hours', async () => {
    ({ A9841: admin, C9841: clerk } = await signInAll(srv, ['A9841', 'C9841']));
    const branches = await branchesByCode(admin);
    const users = Object.fromEntries((await admin.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    let r = await admin.post('/enterprises', { name: '广州日历测试有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id, owner_id: users.M9841 });
    assert.equal(r.status, 201, show(r));
    vip = r.body.enterprise;
    r = await admin.post(`/enterprises/${vip.id}/contacts`, { name: '吴联络', mobile: '13712340041', roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
    contact = r.body.contact;
    r = await admin.put('/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 2880, calendar: 'business' });
    assert.equal(r.status, 200, show(r));
  });

  // The test clock runs on after it is set, so each ticket is opened
  // outside working hours: its due time is then exact whatever the
  // seconds between setting the clock and logging the ticket.
  test('opened at 18:30 on 30 September, before 国庆: due at 08:45 on 8 October', async () => {
    assert.equal(await dueAt('2026-09-30T18:30:00+08:00', '节前工单'), secs('2026-10-08T08:45:00+08:00'));
  });

  test('opened at 07:00 on the make-up working Saturday 10 October: due at 08:45 the same day', async () => {
    assert.equal(await dueAt('2026-10-10T07:00:00+08:00', '调休日工单'), secs('2026-10-10T08:45:00+08:00'));
  });

  test('after the admin makes 10 October a day off again, a new ticket that Saturday is due on Monday', async () => {
    const cur = await admin.get('/work-calendar/2026');
    assert.equal(cur.status, 200, show(cur));
    const days = cur.body.days.filter((d) => d.date !== '2026-10-10');
    assert.equal(days.length, cur.body.days.length - 1);
    const r = await admin.put('/work-calendar/2026', { version: cur.body.version, days });
    assert.equal(r.status, 200, show(r));
    assert.equal(await dueAt('2026-10-10T09:30:00+08:00', '改日历后工单'), secs('2026-10-12T08:45:00+08:00'));
  });
});
