// Reminder rules (提醒规则, issue 4): validation of the rules API; the daily
// pass under a controlled clock — a birthday N days before (Gregorian and
// lunar) makes one task, running twice or restarting makes no duplicate,
// missed days are caught up after the clock jumps; a date-offset rule on
// the seeded custom field agreement_end; a periodic rule over tagged
// customers; the bell; the personal .ics calendar feed and its revocation.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, resignIn, branchesByCode, me, createCustomer, tagsByName, fetchBytes } from './lib/customers.mjs';

const DAY = 86400000;
/** 'YYYY-MM-DD' of a CST calendar day, shifted by n days. */
const plus = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** The lunar month/day of a Gregorian date ("10/18"; leap months "10bis/18"). */
const LUNAR = new Intl.DateTimeFormat('en-u-ca-chinese', { month: 'numeric', day: 'numeric', timeZone: 'UTC' });
const lunarOf = (day) => LUNAR.format(new Date(`${day}T00:00:00Z`));

/** A birth date in 1950-1975 whose lunar month-day is that of `day` (not in a leap month). */
function lunarBirthdayFor(day) {
  const want = lunarOf(day);
  if (want.includes('bis')) return null;
  for (let t = Date.UTC(1950, 0, 1); t < Date.UTC(1976, 0, 1); t += DAY) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (lunarOf(d) === want && d.slice(5) !== day.slice(5)) return d;
  }
  return null;
}

describe('reminder rules', () => {
  const srv = useServer({
    label: 'reminders',
    users: [
      { login: 'A9681', name: '提醒管理员', role: 'admin', branch: 'GD' },
      { login: 'C9681', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9682', name: '福田柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(68);
  let admin, clerk, szClerk, clerkMe, branches, tags;
  let D0; // the first day of the test calendar
  let nowIso; // the clock, to set again after a restart
  let seeded; // name -> rule
  const C = {};
  let periodic;

  async function setClock(iso) {
    const r = await new Client(srv).post('/_test/clock', { now: iso });
    assert.equal(r.status, 200, show(r));
    nowIso = iso;
    for (const [login, c] of [
      ['A9681', admin],
      ['C9681', clerk],
      ['C9682', szClerk],
    ]) {
      if (c) await resignIn(srv, c, login);
    }
  }
  async function runPass() {
    const r = await admin.post('/reminder-rules/run', {});
    assert.equal(r.status, 200, show(r));
    assert.equal(typeof r.body.created, 'number', show(r));
    return r.body.created;
  }
  /** Reminder tasks of a customer: [{title, due_at, rule_id, …}]. */
  async function reminders(id) {
    const r = await admin.get(`/tasks?customer_id=${id}&view=all&limit=200`);
    assert.equal(r.status, 200, show(r));
    return r.body.items.filter((t) => t.source === 'reminder').sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  }
  async function rulesByName() {
    const r = await admin.get('/reminder-rules');
    assert.equal(r.status, 200, show(r));
    return Object.fromEntries(r.body.items.map((x) => [x.name, x]));
  }

  test('set-up: staff, customers with birthdays, agreements and tags; then the clock two days past the server\'s today', async () => {
    const probe = await new Client(srv).post('/_test/clock', { advance_seconds: 0 });
    assert.equal(probe.status, 200, show(probe));
    D0 = plus(probe.body.now.slice(0, 10), 2);
    ({ A9681: admin, C9681: clerk, C9682: szClerk } = await signInAll(srv, ['A9681', 'C9681', 'C9682']));
    branches = await branchesByCode(admin);
    tags = await tagsByName(admin);
    clerkMe = await me(clerk);
    seeded = await rulesByName();
    assert.ok(seeded['生日祝福'], 'the seeded birthday rule');
    assert.equal(seeded['生日祝福'].offset_days, 3);
    assert.equal(seeded['协议续约洽谈'].field, 'custom.agreement_end');
    assert.equal(seeded['协议续约洽谈'].enabled, true);

    const mk = async (key, name, extra = {}) => {
      C[key] = await createCustomer(admin, {
        name,
        phone: u.phone(),
        branch_id: branches['GD-GZ-01'].id,
        owner_id: clerkMe.id,
        ...extra,
      });
    };
    await mk('bday3', '三天后生日', { birthday: `1960-${plus(D0, 3).slice(5)}` });
    await mk('bday5', '五天后生日', { birthday: `1962-${plus(D0, 5).slice(5)}` });
    await mk('bday40', '四十天后生日', { birthday: `1963-${plus(D0, 40).slice(5)}` });
    const lunarBirth = lunarBirthdayFor(plus(D0, 3));
    if (lunarBirth) await mk('lunar', '农历生日客户', { birthday: lunarBirth, birthday_lunar: true });
    await mk('agree', '协议客户甲', { custom: { agreement_end: plus(D0, 30) } });
    await mk('agree2', '协议客户乙', { custom: { agreement_end: plus(D0, 33) } });
    await mk('vip', '集邮客户');
    const t = await admin.post(`/customers/${C.vip.id}/tags`, { tag_ids: [tags['集邮爱好者'].id] });
    assert.equal(t.status, 200, show(t));
    await mk('plain', '普通客户');
    // Only now move to day 0: the scheduler runs the pass by itself every
    // 30 s, and a day it has run stays done (customers added later that
    // day wait for their next occasion).
    await setClock(`${D0}T08:00:00+08:00`);
  });

  test('rules API: validation answers 422 with field messages (bad RRULE, unknown field, kind, filter), in zh and en', async () => {
    const base = { name: '测试规则', title_template: '{name} 回访' };
    const badRrule = { ...base, kind: 'periodic', rrule: 'FREQ=SOMETIMES;COUNT=x' };
    expectError(await admin.post('/reminder-rules', badRrule), 422, 'validation_failed', { fields: ['rrule'] });
    expectError(await admin.post('/reminder-rules', badRrule, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['rrule'],
    });
    expectError(await admin.post('/reminder-rules', { ...base, kind: 'periodic' }), 422, 'validation_failed', { fields: ['rrule'] });
    // Valid RFC 5545 but not per day: said so, not just "invalid".
    const hourly = await admin.post('/reminder-rules', { ...base, kind: 'periodic', rrule: 'FREQ=HOURLY' });
    assert.equal(hourly.status, 422, show(hourly));
    assert.match(hourly.body.error.fields.rrule, /小时/);
    const syntax = await admin.post('/reminder-rules', badRrule, { lang: 'en' });
    assert.match(syntax.body.error.fields.rrule, /FREQ=MONTHLY/);
    expectError(await admin.post('/reminder-rules', { ...base, kind: 'date_offset', field: 'custom.no_such_field' }), 422, 'validation_failed', {
      fields: ['field'],
    });
    expectError(await admin.post('/reminder-rules', { ...base, kind: 'date_offset', field: 'name' }), 422, 'validation_failed', {
      fields: ['field'],
    });
    expectError(await admin.post('/reminder-rules', { ...base, kind: 'weekly' }), 422, 'validation_failed', { fields: ['kind'] });
    expectError(
      await admin.post('/reminder-rules', { ...base, kind: 'birthday', filter: { field: 'salary', op: 'gt', value: 1 } }),
      422,
      'validation_failed',
      { fields: ['filter'] },
    );
    expectError(
      await admin.post('/reminder-rules', { ...base, kind: 'birthday', offset_days: 400, assign_to: 'nobody', notify: 'fax' }),
      422,
      'validation_failed',
      { fields: ['offset_days', 'assign_to', 'notify'] },
    );
    expectError(await admin.post('/reminder-rules', { kind: 'birthday' }), 422, 'validation_failed', { fields: ['name', 'title_template'] });
    expectError(await admin.post('/reminder-rules', { ...base, kind: 'periodic', rrule: 'FREQ=DAILY', start_date: '2026-02-30' }), 422, 'validation_failed', {
      fields: ['start_date'],
    });
    // Only admins manage rules.
    expectError(await clerk.get('/reminder-rules'), 403, 'forbidden');
    expectError(await clerk.post('/reminder-rules', { ...base, kind: 'birthday' }), 403, 'forbidden');
    expectError(await clerk.post('/reminder-rules/run', {}), 403, 'forbidden');
    // Nothing was saved.
    assert.ok(!(await rulesByName())['测试规则']);
  });

  test('rules API: create, edit with version (stale → 409), disable, delete', async () => {
    let r = await admin.post('/reminder-rules', {
      name: '临时规则',
      kind: 'date_offset',
      field: 'custom.product_maturity',
      offset_days: 7,
      title_template: '{name} 到期 {date}',
      enabled: false,
    });
    assert.equal(r.status, 201, show(r));
    const rule = r.body.rule;
    assert.equal(rule.kind, 'date_offset');
    assert.equal(rule.enabled, false);
    r = await admin.patch(`/reminder-rules/${rule.id}`, { version: rule.version, name: '临时规则（改）', offset_days: 10 });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.rule.name, '临时规则（改）');
    assert.equal(r.body.rule.offset_days, 10);
    expectError(await admin.patch(`/reminder-rules/${rule.id}`, { version: rule.version, name: '旧' }), 409, 'stale_version');
    expectError(await admin.patch(`/reminder-rules/${rule.id}`, { version: r.body.rule.version, rrule: 'NOPE' , kind: 'periodic' }), 422, 'validation_failed', {
      fields: ['rrule'],
    });
    r = await admin.delete(`/reminder-rules/${rule.id}`);
    assert.equal(r.status, 200, show(r));
    expectError(await admin.delete(`/reminder-rules/${rule.id}`), 404, 'not_found');
    expectError(await admin.patch(`/reminder-rules/${rule.id}`, { version: 1, name: 'x' }), 404, 'not_found');
    assert.ok(!(await rulesByName())['临时规则（改）']);

    // The periodic rule the next tests use: every other day for philatelists.
    r = await admin.post('/reminder-rules', {
      name: '集邮客户隔日回访',
      kind: 'periodic',
      rrule: 'FREQ=DAILY;INTERVAL=2',
      start_date: D0,
      filter: { field: 'tags', op: 'has', value: '集邮爱好者' },
      title_template: '{name} 集邮回访 {date}',
      assign_to: 'owner',
    });
    assert.equal(r.status, 201, show(r));
    periodic = r.body.rule;
  });

  test('the pass on day 0: a birthday in 3 days, the agreement ending in 30 days and the periodic visit make one task each', async () => {
    await runPass();
    const b3 = await reminders(C.bday3.id);
    assert.equal(b3.length, 1, JSON.stringify(b3));
    assert.equal(b3[0].rule_id, seeded['生日祝福'].id);
    assert.equal(b3[0].title, `三天后生日 生日祝福（${plus(D0, 3)}）`);
    assert.equal(b3[0].assignee_id, clerkMe.id, 'assigned to the owner');
    assert.equal(Date.parse(b3[0].due_at), Date.parse(`${D0}T09:00:00+08:00`));
    assert.equal(b3[0].status, 'open');
    if (C.lunar) {
      const l = await reminders(C.lunar.id);
      assert.equal(l.length, 1, `lunar birthday ${C.lunar.birthday} on ${plus(D0, 3)}: ${JSON.stringify(l)}`);
      assert.equal(l[0].rule_id, seeded['生日祝福'].id);
    }
    const ag = await reminders(C.agree.id);
    assert.equal(ag.length, 1, JSON.stringify(ag));
    assert.equal(ag[0].rule_id, seeded['协议续约洽谈'].id);
    assert.ok(ag[0].title.includes(plus(D0, 30)), ag[0].title);
    const vip = await reminders(C.vip.id);
    assert.equal(vip.length, 1, JSON.stringify(vip));
    assert.equal(vip[0].rule_id, periodic.id);
    assert.equal(vip[0].title, `集邮客户 集邮回访 ${D0}`);
    for (const k of ['bday5', 'bday40', 'agree2', 'plain']) assert.equal((await reminders(C[k].id)).length, 0, k);
    // The clerk's bell rang and the tasks are in today's view.
    const bell = (await clerk.get('/notifications?unread=1&limit=200')).body.items;
    for (const t of [b3[0], ag[0], vip[0]]) {
      const n = bell.find((x) => x.kind === 'reminder' && x.title === t.title);
      assert.ok(n, `bell for ${t.title}: ${JSON.stringify(bell)}`);
      assert.equal(n.link, `/tasks?task=${t.id}`, 'the notification names its task');
    }
    assert.ok((await clerk.get('/tasks/counts')).body.unread_notifications >= 3);
    const today = (await clerk.get('/tasks?view=today&limit=200')).body.items.map((t) => t.id);
    assert.ok(today.includes(b3[0].id) && today.includes(vip[0].id));
  });

  test('running the pass again the same day makes nothing new', async () => {
    const before = {};
    for (const k of Object.keys(C)) before[k] = (await reminders(C[k].id)).length;
    assert.equal(await runPass(), 0);
    await runPass();
    for (const k of Object.keys(C)) assert.equal((await reminders(C[k].id)).length, before[k], k);
  });

  test('a customer added after the day\'s pass still gets that day\'s reminder on the next pass, once', async () => {
    C.late = await createCustomer(admin, {
      name: '晚到的寿星',
      phone: u.phone(),
      branch_id: branches['GD-GZ-01'].id,
      owner_id: clerkMe.id,
      birthday: `1970-${plus(D0, 3).slice(5)}`,
    });
    await runPass();
    let late = await reminders(C.late.id);
    assert.equal(late.length, 1, JSON.stringify(late));
    assert.equal(late[0].title, `晚到的寿星 生日祝福（${plus(D0, 3)}）`);
    await runPass();
    late = await reminders(C.late.id);
    assert.equal(late.length, 1);
  });

  test('four days later the missed days are caught up: birthday in 5 days, agreement of day 33, visits on days 2 and 4', async () => {
    await setClock(`${plus(D0, 4)}T08:00:00+08:00`);
    await runPass();
    const b5 = await reminders(C.bday5.id);
    assert.equal(b5.length, 1, JSON.stringify(b5));
    assert.equal(b5[0].title, `五天后生日 生日祝福（${plus(D0, 5)}）`);
    assert.equal(Date.parse(b5[0].due_at), Date.parse(`${plus(D0, 2)}T09:00:00+08:00`), 'due on the day it was meant for');
    const ag2 = await reminders(C.agree2.id);
    assert.equal(ag2.length, 1, JSON.stringify(ag2));
    assert.equal(Date.parse(ag2[0].due_at), Date.parse(`${plus(D0, 3)}T09:00:00+08:00`));
    const vip = await reminders(C.vip.id);
    assert.deepEqual(
      vip.map((t) => t.title),
      [0, 2, 4].map((n) => `集邮客户 集邮回访 ${plus(D0, n)}`),
    );
    assert.equal((await reminders(C.bday3.id)).length, 1, 'no second birthday task');
    assert.equal((await reminders(C.agree.id)).length, 1);
    assert.equal((await reminders(C.bday40.id)).length, 0);
    assert.equal((await reminders(C.plain.id)).length, 0);
  });

  test('a restart on the same database duplicates nothing', async () => {
    const before = {};
    for (const k of Object.keys(C)) before[k] = (await reminders(C[k].id)).length;
    const saved = nowIso;
    await srv.restart();
    await setClock(saved);
    await runPass();
    for (const k of Object.keys(C)) assert.equal((await reminders(C[k].id)).length, before[k], k);
  });

  test('a disabled rule makes nothing; its days are not made up when it is enabled again', async () => {
    const rules = await rulesByName();
    let r = await admin.patch(`/reminder-rules/${periodic.id}`, { version: rules['集邮客户隔日回访'].version, enabled: false });
    assert.equal(r.status, 200, show(r));
    await setClock(`${plus(D0, 6)}T08:00:00+08:00`);
    await runPass();
    assert.equal((await reminders(C.vip.id)).length, 3);
  });

  test('calendar feed: a secret URL with the open tasks as VEVENTs; a new URL replaces the old; revoking makes it 404', async () => {
    const done = await clerk.post('/tasks', { title: '已完成的事', due_at: plus(D0, 7) });
    assert.equal(done.status, 201, show(done));
    assert.equal((await clerk.post(`/tasks/${done.body.task.id}/complete`, { outcome: '好了' })).status, 200);
    const open = await clerk.post('/tasks', { title: '日历里的待办', due_at: `${plus(D0, 7)}T14:30:00+08:00` });
    assert.equal(open.status, 201, show(open));
    const other = await szClerk.post('/tasks', { title: '别人的待办', due_at: plus(D0, 7) });
    assert.equal(other.status, 201, show(other));

    let r = await clerk.get('/calendar-feed');
    assert.deepEqual(r.body, { active: false }, show(r));
    r = await clerk.post('/calendar-feed', {});
    assert.equal(r.status, 201, show(r));
    const path1 = r.body.path;
    r = await clerk.get('/calendar-feed');
    assert.equal(r.body.active, true, show(r));
    assert.match(r.body.created_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(!JSON.stringify(r.body).includes(path1.split('/').pop().replace('.ics', '')), 'the secret is not shown again');
    assert.match(path1, /^\/api\/v1\/calendar\/[A-Za-z0-9_-]{20,}\.ics$/);
    const anon = new Client(srv);
    const feed = await fetchBytes(anon, path1);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /text\/calendar/);
    const ics = feed.bytes.toString('utf8').replace(/\r?\n[ \t]/g, '');
    assert.match(ics, /BEGIN:VCALENDAR/);
    const events = ics.split('BEGIN:VEVENT').slice(1);
    const open_ = (await clerk.get('/tasks?view=open&limit=200')).body.items;
    assert.equal(events.length, open_.length, 'one VEVENT per open task');
    assert.ok(ics.includes('SUMMARY:日历里的待办'), ics);
    assert.ok(!ics.includes('已完成的事'), 'no done task');
    assert.ok(!ics.includes('别人的待办'), 'no one else\'s task');
    assert.ok(events.some((e) => e.includes(`UID:task-${open.body.task.id}`)));

    // A new URL replaces the old one.
    r = await clerk.post('/calendar-feed', {});
    assert.equal(r.status, 201, show(r));
    const path2 = r.body.path;
    assert.notEqual(path2, path1);
    assert.equal((await fetchBytes(anon, path1)).status, 404);
    assert.equal((await fetchBytes(anon, path2)).status, 200);
    r = await clerk.delete('/calendar-feed');
    assert.equal(r.status, 200, show(r));
    assert.equal((await fetchBytes(anon, path2)).status, 404);
    assert.deepEqual((await clerk.get('/calendar-feed')).body, { active: false });
    assert.equal((await fetchBytes(anon, '/api/v1/calendar/not-a-token.ics')).status, 404);
    assert.equal((await fetchBytes(anon, '/api/v1/calendar/x')).status, 404);
  });

  test('calendar feed: disabling the user, or an admin password reset, revokes it; enabling again does not bring it back', async () => {
    const anon = new Client(srv);
    let r = await szClerk.post('/calendar-feed', {});
    assert.equal(r.status, 201, show(r));
    const feedPath = r.body.path;
    assert.equal((await fetchBytes(anon, feedPath)).status, 200);
    const szId = (await me(szClerk)).id;
    r = await admin.post(`/users/${szId}/disable`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal((await fetchBytes(anon, feedPath)).status, 404);
    r = await admin.post(`/users/${szId}/enable`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal((await fetchBytes(anon, feedPath)).status, 404);

    // The clerk's feed (made anew) dies with an admin's password reset.
    await resignIn(srv, clerk, 'C9681');
    r = await clerk.post('/calendar-feed', {});
    assert.equal(r.status, 201, show(r));
    const clerkFeed = r.body.path;
    assert.equal((await fetchBytes(anon, clerkFeed)).status, 200);
    r = await admin.post(`/users/${clerkMe.id}/reset-password`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal((await fetchBytes(anon, clerkFeed)).status, 404);
  });
});
