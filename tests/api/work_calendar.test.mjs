// The business calendar (系统管理 → 工作日历, issue 17): a year's public
// holidays and make-up working days, the working hours, and the due time
// of a duration on that calendar, which SLA timers use. 2026 is seeded
// from the State Council's notice; 2027 is left to the admin.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useServerPair, PG_DIR } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { findAudit } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';

const dueOf = async (client, start, minutes) => {
  const r = await client.get(`/work-calendar/due?start=${encodeURIComponent(start)}&minutes=${minutes}`);
  assert.equal(r.status, 200, show(r));
  return r.body.due;
};

describe('business calendar', () => {
  const srv = useServer({
    label: 'workcal',
    users: [
      { login: 'A9601', name: '日历管理员', role: 'admin', branch: 'GD' },
      { login: 'C9601', name: '日历柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, clerk, adminEn;

  test('set-up', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9601');
    clerk = new Client(srv);
    await signInFresh(srv, clerk, 'C9601');
    adminEn = new Client(srv, { lang: 'en' });
    adminEn.cookies = admin.cookies;
    adminEn.csrf = admin.csrf;
  });

  test('2026 comes seeded with its holidays and make-up days; 2027 is not configured', async () => {
    const r = await clerk.get('/work-calendar/2026');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.configured, true);
    const day = Object.fromEntries(r.body.days.map((d) => [d.date, d]));
    assert.deepEqual(day['2026-10-01'], { date: '2026-10-01', kind: 'holiday', name: '国庆节' });
    assert.deepEqual(day['2026-02-17'], { date: '2026-02-17', kind: 'holiday', name: '春节' });
    assert.equal(day['2026-10-10'].kind, 'workday');
    assert.equal(r.body.days.filter((d) => d.kind === 'holiday').length, 33);
    assert.equal(r.body.days.filter((d) => d.kind === 'workday').length, 6);
    assert.deepEqual(r.body.hours, [
      { start: '08:30', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]);
    const y = await clerk.get('/work-calendar/2027');
    assert.equal(y.status, 200, show(y));
    assert.equal(y.body.configured, false);
    assert.deepEqual(y.body.days, []);
  });

  test('due times step over the National Day holiday and onto a make-up Saturday', async () => {
    // 15 working minutes from 17:50 on Wednesday 30 September: the 8th.
    assert.equal(await dueOf(clerk, '2026-09-30T17:50:00+08:00', 15), '2026-10-08T08:35:00+08:00');
    // From Friday 9 October: Saturday the 10th is a working day.
    assert.equal(await dueOf(clerk, '2026-10-09T17:50:00+08:00', 15), '2026-10-10T08:35:00+08:00');
    // An ordinary weekend, and the lunch break.
    assert.equal(await dueOf(clerk, '2026-11-27T17:50:00+08:00', 15), '2026-11-30T08:35:00+08:00');
    assert.equal(await dueOf(clerk, '2026-11-30T11:50:00+08:00', 20), '2026-11-30T13:40:00+08:00');
    // Nothing to count answers the start.
    assert.equal(await dueOf(clerk, '2026-11-28T03:00:00+08:00', 0), '2026-11-28T03:00:00+08:00');
  });

  test('an admin configures 2027: a holiday and a make-up Saturday move the due time', async () => {
    const start = '2026-12-31T17:50:00+08:00';
    assert.equal(await dueOf(clerk, start, 15), '2027-01-01T08:35:00+08:00');
    let cur = await admin.get('/work-calendar/2027');
    let r = await admin.put('/work-calendar/2027', {
      version: cur.body.version,
      days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }],
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.configured, true);
    assert.deepEqual(r.body.days, [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }]);
    assert.equal(await dueOf(clerk, start, 15), '2027-01-04T08:35:00+08:00');

    r = await admin.put('/work-calendar/2027', {
      version: r.body.version,
      days: [
        { date: '2027-01-01', kind: 'holiday', name: '元旦' },
        { date: '2027-01-02', kind: 'workday', name: '元旦调休' },
      ],
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(await dueOf(clerk, start, 15), '2027-01-02T08:35:00+08:00');

    const rows = await findAudit(admin, (e) => e.object_type === 'work_calendar' && String(e.object_id) === '2027', { action: 'workcal.year' });
    assert.equal(rows.length, 2, 'one audit row per edit');
    assert.equal(rows[0].login, 'A9601');
    assert.deepEqual(rows[0].detail.days.map((d) => d.date), ['2027-01-01', '2027-01-02']);
  });

  test('bad input is refused with messages in the user\'s language and changes nothing', async () => {
    const before = (await admin.get('/work-calendar/2027')).body;
    const days = [
      { date: '2027-02-30', kind: 'holiday', name: '不存在' },
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-01-01', kind: 'workday', name: '重复' },
      { date: '2027-05-01', kind: 'holiday', name: '劳'.repeat(21) },
      { date: '2028-01-01', kind: 'holiday', name: '明年' },
      { date: '2027-06-01', kind: 'closed', name: '六一' },
      { date: '2027-06-02', kind: 'holiday', name: '' },
    ];
    let r = await admin.put('/work-calendar/2027', { version: before.version, days });
    const e = expectError(r, 422, 'validation_failed', { fields: ['days.0', 'days.2', 'days.3', 'days.4', 'days.5', 'days.6'] });
    assert.equal(e.fields['days.1'], undefined, 'the good entry is not blamed');
    assert.match(e.fields['days.2'], /^2027-01-01：日期重复$/);
    assert.match(e.fields['days.3'], /20/);
    r = await adminEn.put('/work-calendar/2027', { version: before.version, days });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['days.0', 'days.2'] });

    expectError(await admin.put('/work-calendar/2027', { version: before.version, days: 'all' }), 422, 'validation_failed', { fields: ['days'] });
    expectError(await admin.put('/work-calendar/2027', { days: [] }), 422, 'validation_failed', { fields: ['version'] });
    expectError(await admin.put('/work-calendar/1999', { version: before.version, days: [] }), 422, 'validation_failed', { fields: ['year'] });
    expectError(await admin.get('/work-calendar/abc'), 422, 'validation_failed', { fields: ['year'] });
    // An edit of a calendar someone else changed meanwhile.
    expectError(await admin.put('/work-calendar/2027', { version: before.version - 1, days: [] }), 409, 'stale_version');

    const after = (await admin.get('/work-calendar/2027')).body;
    assert.deepEqual(after, before);
    assert.equal(await dueOf(clerk, '2026-12-31T17:50:00+08:00', 15), '2027-01-02T08:35:00+08:00');

    expectError(await clerk.get('/work-calendar/due?start=yesterday&minutes=15'), 422, 'validation_failed', { fields: ['start'] });
    expectError(await clerk.get('/work-calendar/due?start=2026-12-01T09:00:00%2B08:00&minutes=-1'), 422, 'validation_failed', { fields: ['minutes'] });
    expectError(await clerk.get('/work-calendar/due?start=2026-12-01T09:00:00%2B08:00&minutes=1x'), 422, 'validation_failed', { fields: ['minutes'] });
  });

  test('a clerk reads the calendar but cannot change it', async () => {
    const cur = (await clerk.get('/work-calendar/2027')).body;
    expectError(await clerk.put('/work-calendar/2027', { version: cur.version, days: [] }), 403, 'forbidden');
    expectError(await clerk.get('/work-calendar/hours'), 403, 'forbidden');
    expectError(await clerk.put('/work-calendar/hours', { version: cur.version, periods: [{ start: '09:00', end: '17:00' }] }), 403, 'forbidden');
    assert.deepEqual((await clerk.get('/work-calendar/2027')).body, cur);
  });

  test('working hours: one period instead of two moves the due time; bad hours are refused', async () => {
    const start = '2027-01-04T16:50:00+08:00'; // a Monday
    assert.equal(await dueOf(clerk, start, 15), '2027-01-04T17:05:00+08:00');
    const cur = await admin.get('/work-calendar/hours');
    assert.equal(cur.status, 200, show(cur));
    const bad = [
      [[{ start: '09:00', end: '08:00' }], 'periods.0'],
      [[{ start: '9:00', end: '17:00' }], 'periods.0'],
      [[{ start: '09:00', end: '24:30' }], 'periods.0'],
      [[{ start: '08:00', end: '12:00' }, { start: '11:00', end: '17:00' }], 'periods.1'],
      [[], 'periods'],
      [[{ start: '08:00', end: '09:00' }, { start: '10:00', end: '11:00' }, { start: '12:00', end: '13:00' }], 'periods'],
    ];
    for (const [periods, field] of bad)
      expectError(await admin.put('/work-calendar/hours', { version: cur.body.version, periods }), 422, 'validation_failed', { fields: [field] });
    assert.deepEqual((await admin.get('/work-calendar/hours')).body, cur.body);

    const r = await admin.put('/work-calendar/hours', { version: cur.body.version, periods: [{ start: '09:00', end: '17:00' }] });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.periods, [{ start: '09:00', end: '17:00' }]);
    assert.equal(await dueOf(clerk, start, 15), '2027-01-05T09:05:00+08:00');
    const rows = await findAudit(admin, () => true, { action: 'workcal.hours' });
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].detail.periods, [{ start: '09:00', end: '17:00' }]);

    // Back to the default, for the rest of the file.
    const back = await admin.put('/work-calendar/hours', {
      version: r.body.version,
      periods: [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '18:00' }],
    });
    assert.equal(back.status, 200, show(back));
    assert.equal(await dueOf(clerk, start, 15), '2027-01-04T17:05:00+08:00');
  });
});

describe('business calendar on two servers over one PostgreSQL database', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (make test-api-pg)' }, () => {
  const [a, b] = useServerPair({ users: [{ login: 'A9602', name: '日历集群管理员', role: 'admin', branch: 'GD' }] }, ['workcal-a', 'workcal-b']);
  const test = a.it;

  test('an edit on one server takes effect on the other within seconds', async () => {
    const onA = new Client(a);
    await signInFresh(a, onA, 'A9602');
    const onB = new Client(b);
    onB.cookies = onA.cookies;
    onB.csrf = onA.csrf;
    const start = '2027-04-30T17:50:00+08:00'; // a Friday
    // B reads (and keeps) the calendar before the edit.
    assert.equal(await dueOf(onB, start, 15), '2027-05-03T08:35:00+08:00');
    const cur = await onA.get('/work-calendar/2027');
    const r = await onA.put('/work-calendar/2027', {
      version: cur.body.version,
      days: [{ date: '2027-05-03', kind: 'holiday', name: '劳动节' }],
    });
    assert.equal(r.status, 200, show(r));
    // B checks the calendar's version at most once a second.
    let seen;
    await waitFor(async () => (seen = await dueOf(onB, start, 15)) === '2027-05-04T08:35:00+08:00', {
      timeoutMs: 5000,
      what: 'server B to use the edit made on A',
    });
    assert.equal(seen, '2027-05-04T08:35:00+08:00');
  });
});
