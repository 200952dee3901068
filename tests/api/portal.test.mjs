// The contact portal and the satisfaction survey (issue 17, channel
// "online"): a contact signs in with an SMS code read from the dev mailbox,
// files a ticket (routed VIP → dedicated manager), sees only its own
// tickets and never internal notes; a customer reply ends a wait for the
// customer; on resolution a survey link goes out; the survey is single
// use, expires, refuses bad scores, and feeds the KPIs (against a
// recount). Rate limits last: they spend the address's budget. Own server:
// it moves the clock.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show, advanceClock, signInFresh } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, branchesByCode, resignIn } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';

const MOBILE_A = '13712340001'; // 周采购, contact of the VIP enterprise
const MOBILE_B = '13712340002'; // 钱财务, a colleague at the same enterprise
const MOBILE_C = '13712340003'; // 孙经理, contact of another enterprise
const MOBILE_D = '13712340004'; // 李临时, deleted while signed in
const UNKNOWN = '13912349999';

describe('contact portal and survey', () => {
  const srv = useServer({
    label: 'portal',
    users: [
      { login: 'A9321', name: '门户管理员', role: 'admin', branch: 'GD' },
      { login: 'M9321', name: '客户经理丙', role: 'manager', branch: 'GD-GZ-01', phone: '13900093211' },
      { login: 'C9321', name: '柜员丙', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, c1, users, vip, other, contactD;
  const seen = new Set();

  async function mailbox() {
    const r = await admin.get('/dev-mailbox?limit=50');
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  }

  /** The next unseen message to mobile in the dev mailbox. */
  async function nextMessage(mobile) {
    const m = await waitFor(async () => (await mailbox()).find((x) => !seen.has(x.id) && String(x.recipient).includes(mobile)), {
      what: `a message to ${mobile}`,
    });
    seen.add(m.id);
    return m;
  }

  async function codeFor(mobile) {
    const m = await nextMessage(mobile);
    assert.equal(m.channel, 'sms');
    const code = String(m.body).match(/(?<!\d)\d{6}(?!\d)/);
    assert.ok(code, `no code in ${JSON.stringify(m)}`);
    return code[0];
  }

  async function outboxDrained() {
    await waitFor(() => srv.queryDb("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")[0][0] === '0', {
      what: 'the outbox to be delivered',
    });
  }

  /** A portal client signed in as the contact with mobile. */
  async function portalSignIn(mobile, lang) {
    const p = new Client(srv, { lang });
    const r = await p.post('/portal/code', { mobile });
    assert.equal(r.status, 200, show(r));
    const code = await codeFor(mobile);
    const li = await p.post('/portal/login', { mobile, code });
    assert.equal(li.status, 200, show(li));
    return p;
  }

  let pa, pb, pc;
  test('set-up: a VIP enterprise with two contacts, another enterprise with one', async () => {
    ({ A9321: admin, M9321: m1, C9321: c1 } = await signInAll(srv, ['A9321', 'M9321', 'C9321']));
    const branches = await branchesByCode(admin);
    users = Object.fromEntries((await admin.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    let r = await admin.post('/enterprises', {
      name: '广州精密仪器有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id, owner_id: users.M9321,
    });
    assert.equal(r.status, 201, show(r));
    vip = r.body.enterprise;
    for (const [name, mobile] of [['周采购', MOBILE_A], ['钱财务', MOBILE_B], ['李临时', MOBILE_D]]) {
      r = await admin.post(`/enterprises/${vip.id}/contacts`, { name, mobile, roles: ['liaison'] });
      assert.equal(r.status, 201, show(r));
      if (mobile === MOBILE_D) contactD = r.body.contact;
    }
    r = await admin.post('/enterprises', { name: '广州小商户贸易行', status: 'active', branch_id: branches['GD-GZ-01'].id });
    other = r.body.enterprise;
    r = await admin.post(`/enterprises/${other.id}/contacts`, { name: '孙经理', mobile: MOBILE_C, roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
    r = await admin.put('/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 2880, calendar: '24x7' });
    assert.equal(r.status, 200, show(r));
    for (const m of await mailbox()) seen.add(m.id);
  });

  test('sign-in: a code by SMS through the outbox; a wrong code is refused, the right one signs in with its own cookie', async () => {
    const p = new Client(srv);
    let r = await p.post('/portal/code', { mobile: MOBILE_A });
    assert.equal(r.status, 200, show(r));
    const sent = r.body.message;
    const code = await codeFor(MOBILE_A);
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    r = await p.post('/portal/login', { mobile: MOBILE_A, code: wrong });
    expectError(r, 422, 'validation_failed', { fields: ['code'] });
    r = await new Client(srv, { lang: 'en' }).post('/portal/login', { mobile: MOBILE_A, code: wrong });
    expectError(r, 422, 'validation_failed', { fields: ['code'], lang: 'en' });
    assert.equal((await p.get('/portal/me')).status, 401);
    r = await p.post('/portal/login', { mobile: MOBILE_A, code });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.contact.name, '周采购');
    assert.equal(r.body.contact.mobile, '137****0001');
    assert.equal(r.body.enterprise.id, vip.id);
    assert.ok(p.cookies.has('hy_portal') && !p.cookies.has('hy_session'), 'the portal has its own cookie');
    // the code is spent
    r = await new Client(srv).post('/portal/login', { mobile: MOBILE_A, code });
    expectError(r, 422, 'validation_failed', { fields: ['code'] });
    pa = p;
    // an unknown mobile: the same answer, and no SMS
    r = await new Client(srv).post('/portal/code', { mobile: UNKNOWN });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.message, sent);
    await outboxDrained();
    assert.ok(!(await mailbox()).some((m) => String(m.recipient).includes(UNKNOWN)), 'no SMS to an unknown mobile');
    r = await new Client(srv).post('/portal/code', { mobile: '12345' });
    expectError(r, 422, 'validation_failed', { fields: ['mobile'] });
  });

  test('five wrong tries burn the code; an expired code is refused', async () => {
    const p = new Client(srv);
    assert.equal((await p.post('/portal/code', { mobile: MOBILE_B })).status, 200);
    let code = await codeFor(MOBILE_B);
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expectError(await p.post('/portal/login', { mobile: MOBILE_B, code: wrong }), 422, 'validation_failed');
    expectError(await p.post('/portal/login', { mobile: MOBILE_B, code }), 422, 'validation_failed', { fields: ['code'] });
    // a new code, left 5 minutes and a second: expired
    await advanceClock(srv, 61);
    assert.equal((await p.post('/portal/code', { mobile: MOBILE_B })).status, 200);
    code = await codeFor(MOBILE_B);
    await advanceClock(srv, 301);
    expectError(await p.post('/portal/login', { mobile: MOBILE_B, code }), 422, 'validation_failed', { fields: ['code'] });
    await advanceClock(srv, 61);
    pb = await portalSignIn(MOBILE_B);
    pa = await portalSignIn(MOBILE_A);
    pc = await portalSignIn(MOBILE_C);
  });

  test('a portal session reaches the portal only; staff cannot use the portal; CSRF is checked', async () => {
    assert.equal((await pa.get('/tickets')).status, 403);
    assert.equal((await pa.get('/customers')).status, 403);
    assert.equal((await m1.get('/portal/tickets')).status, 403);
    const r = await pa.post('/portal/tickets', { type: 'inquiry', subject: '无令牌' }, { csrf: false });
    expectError(r, 403, 'csrf_failed');
  });

  let t1, t2;
  test('filing: channel portal, the contact itself, routed VIP → dedicated manager with the SLA started', async () => {
    let r = await pa.post('/portal/tickets', { type: 'complaint', subject: '仪器包裹外箱破损', description: '收件时发现外箱破损' });
    assert.equal(r.status, 201, show(r));
    t1 = r.body.ticket;
    assert.equal(t1.status, 'assigned');
    assert.equal(t1.assignee_name, '客户经理丙');
    assert.equal(t1.assignee_id, undefined, 'no staff ids in the portal');
    const staff = (await m1.get(`/tickets/${t1.id}`)).body.ticket;
    assert.equal(staff.channel, 'portal');
    assert.equal(staff.assignee_id, users.M9321);
    assert.equal(staff.contact_name, '周采购');
    assert.equal(Date.parse(staff.first_response_due_at) - Date.parse(staff.created_at), 15 * 60 * 1000);
    r = await pa.post('/portal/tickets', { type: 'tracking', subject: '查件', waybills: ['EA000000000CN'] });
    expectError(r, 422, 'validation_failed', { fields: ['waybills'] });
    r = await pa.post('/portal/tickets', { type: 'inquiry', subject: '' }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { fields: ['subject'], lang: 'en' });
    r = await pa.post('/portal/tickets', { type: 'nonsense', subject: '咨询' });
    expectError(r, 422, 'validation_failed', { fields: ['type'] });
    r = await pa.post('/portal/tickets', { type: 'inquiry', subject: '开票咨询' });
    assert.equal(r.status, 201, show(r));
    t2 = r.body.ticket;
  });

  test('attachments go through the ticket module\'s checks', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082', 'hex');
    const up = (c, id, name, bytes) => c.post(`/portal/tickets/${id}/attachments?name=${encodeURIComponent(name)}`, undefined, { raw: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    let r = await up(pa, t1.id, '外箱.png', png);
    assert.equal(r.status, 201, show(r));
    assert.ok(r.body.ticket.timeline.some((e) => e.kind === 'attachment' && e.body === '外箱.png'), show(r));
    r = await up(pa, t1.id, '假图片.png', Buffer.from('not a png at all'));
    expectError(r, 422, 'validation_failed', { fields: ['file'] });
    expectError(await up(pc, t1.id, '外箱.png', png), 404, 'not_found');
    const staff = (await m1.get(`/tickets/${t1.id}`)).body.ticket;
    assert.deepEqual(staff.attachments.map((a) => a.file_name), ['外箱.png']);
  });

  test('a contact sees its own tickets only, never internal notes; another enterprise\'s ticket is 404', async () => {
    let r = await m1.post(`/tickets/${t1.id}/replies`, { body: '内部：怀疑是转运中心摔件', internal: true });
    assert.equal(r.status, 201, show(r));
    r = await m1.post(`/tickets/${t1.id}/replies`, { body: '您好，我们已联系转运中心核实。', internal: false });
    assert.equal(r.status, 201, show(r));
    r = await pa.get(`/portal/tickets/${t1.id}`);
    assert.equal(r.status, 200, show(r));
    const bodies = r.body.ticket.timeline.map((e) => e.body);
    assert.ok(bodies.includes('您好，我们已联系转运中心核实。'), show(r));
    assert.ok(!JSON.stringify(r.body).includes('摔件'), 'an internal note leaked');
    assert.ok(!r.body.ticket.timeline.some((e) => e.kind === 'assigned' || e.kind === 'note'));
    // a colleague's ticket filed at the counter is not A's
    r = await c1.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '财务对账', enterprise_id: vip.id, contact_id: (await admin.get(`/enterprises/${vip.id}/contacts`)).body.items.find((k) => k.name === '钱财务').id });
    assert.equal(r.status, 201, show(r));
    const colleague = r.body.ticket;
    assert.equal((await pa.get(`/portal/tickets/${colleague.id}`)).status, 404);
    assert.equal((await pb.get(`/portal/tickets/${colleague.id}`)).status, 200);
    const mine = (await pa.get('/portal/tickets')).body.items.map((t) => t.id).sort();
    assert.deepEqual(mine, [t1.id, t2.id].sort());
    // the other enterprise's contact
    assert.equal((await pc.get(`/portal/tickets/${t1.id}`)).status, 404);
    expectError(await pc.post(`/portal/tickets/${t1.id}/replies`, { body: '插话' }), 404, 'not_found');
    assert.deepEqual((await pc.get('/portal/tickets')).body.items, []);
  });

  test('a customer reply un-pauses waiting_customer and tells the assignee', async () => {
    let r = await m1.post(`/tickets/${t1.id}/status`, { status: 'waiting_customer', note: '请提供外箱照片' });
    assert.equal(r.status, 200, show(r));
    r = await pa.post(`/portal/tickets/${t1.id}/replies`, { body: '照片已拍好，外箱右上角破损。' });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.ticket.status, 'in_progress');
    const last = r.body.ticket.timeline.filter((e) => e.kind === 'customer_reply').pop();
    assert.equal(last.author, '周采购');
    const staff = (await m1.get(`/tickets/${t1.id}`)).body.ticket;
    assert.equal(staff.status, 'in_progress');
    assert.equal(staff.paused_at, null);
    const bell = await waitFor(async () => (await m1.get('/notifications')).body.items.find((n) => n.link === `/tickets/${t1.id}` && n.title.includes('客户已回复')), { what: 'the replied bell' });
    assert.ok(bell.title.includes(t1.ticket_no));
  });

  let token1;
  test('resolution sends a survey link; bad scores are refused with a clear message; the answer is single use', async () => {
    let r = await m1.post(`/tickets/${t1.id}/status`, { status: 'resolved', note: '已赔付' });
    assert.equal(r.status, 200, show(r));
    const m = await nextMessage(MOBILE_A);
    const link = String(m.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/);
    assert.ok(link, `no survey link in ${JSON.stringify(m)}`);
    token1 = link[1];
    const anon = new Client(srv);
    r = await anon.get(`/surveys/${token1}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.survey.ticket_no, t1.ticket_no);
    assert.equal(r.body.survey.answered, false);
    r = await anon.post(`/surveys/${token1}`, { csat: 6, nps: 11 });
    expectError(r, 422, 'validation_failed', { fields: ['csat', 'nps'] });
    assert.match(r.body.error.fields.csat, /1到5星/);
    r = await new Client(srv, { lang: 'en' }).post(`/surveys/${token1}`, { csat: 0, nps: -1 });
    expectError(r, 422, 'validation_failed', { fields: ['csat', 'nps'], lang: 'en' });
    assert.match(r.body.error.fields.nps, /0 to 10/);
    assert.equal((await m1.get(`/tickets/${t1.id}`)).body.ticket.csat, null, 'a refused answer changes nothing');
    r = await anon.post(`/surveys/${token1}`, { csat: 5, nps: 10, comment: '处理很及时' });
    assert.equal(r.status, 200, show(r));
    r = await anon.post(`/surveys/${token1}`, { csat: 1, nps: 0 });
    expectError(r, 409, 'conflict');
    const t = (await m1.get(`/tickets/${t1.id}`)).body.ticket;
    assert.equal(t.csat, 5);
    assert.equal(t.nps, 10);
    assert.ok(t.timeline.some((e) => e.kind === 'survey' && e.body === '处理很及时'));
    expectError(await pa.post(`/portal/tickets/${t1.id}/survey`), 409, 'conflict');
    expectError(await new Client(srv).get('/surveys/not-a-real-token'), 404, 'not_found');
  });

  test('评价 from the portal uses the same survey; KPI csat and nps equal a recount', async () => {
    expectError(await pa.post(`/portal/tickets/${t2.id}/survey`), 409, 'conflict');
    let r = await m1.post(`/tickets/${t2.id}/status`, { status: 'resolved' });
    assert.equal(r.status, 200, show(r));
    r = await pa.post(`/portal/tickets/${t2.id}/survey`);
    assert.equal(r.status, 201, show(r));
    assert.match(r.body.url, /^\/survey\//);
    r = await new Client(srv).post(`/surveys/${r.body.token}`, { csat: 3, nps: 6 });
    assert.equal(r.status, 200, show(r));
    const day = t1.created_at.slice(0, 10);
    const k = await admin.get(`/tickets/kpis?group=manager&from=${day}&to=${day}`);
    assert.equal(k.status, 200, show(k));
    const row = k.body.items.find((i) => i.id === users.M9321);
    const rated = (await admin.get(`/tickets?view=all&enterprise_id=${vip.id}&limit=200`)).body.items.filter((t) => t.csat !== null && t.assignee_id === users.M9321);
    assert.equal(rated.length, 2);
    const avg = rated.reduce((s, t) => s + t.csat, 0) / rated.length;
    const nps = (100 * (rated.filter((t) => t.nps >= 9).length - rated.filter((t) => t.nps <= 6).length)) / rated.length;
    assert.equal(row.csat, avg);
    assert.equal(row.nps, nps);
    assert.equal(row.survey_responses, 2);
    const sat = await m1.get(`/enterprises/${vip.id}/satisfaction`);
    assert.equal(sat.status, 200, show(sat));
    assert.equal(sat.body.responses, 2);
    assert.equal(sat.body.csat, avg);
    assert.equal(sat.body.recent[0].ticket_id, t2.id);
    assert.equal(sat.body.months.length, 1);
  });

  test('deleting a contact ends its portal session at once', async () => {
    const pd = await portalSignIn(MOBILE_D);
    assert.equal((await pd.get('/portal/me')).status, 200);
    const r = await admin.delete(`/enterprises/${vip.id}/contacts/${contactD.id}`);
    assert.ok(r.status === 200 || r.status === 204, show(r));
    assert.equal((await pd.get('/portal/me')).status, 401);
  });

  test('a survey link expires after 7 days', async () => {
    let r = await c1.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '到期测试', enterprise_id: vip.id, contact_id: (await pa.get('/portal/me')).body.contact.id });
    assert.equal(r.status, 201, show(r));
    const t3 = r.body.ticket;
    r = await m1.post(`/tickets/${t3.id}/status`, { status: 'resolved' });
    assert.equal(r.status, 200, show(r));
    const m = await nextMessage(MOBILE_A);
    const token = String(m.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/)[1];
    await advanceClock(srv, 7 * 24 * 3600 + 1);
    expectError(await new Client(srv).get(`/surveys/${token}`), 404, 'not_found');
    expectError(await new Client(srv).post(`/surveys/${token}`, { csat: 4, nps: 8 }), 404, 'not_found');
    await resignIn(srv, admin, 'A9321'); // a week: the staff session ended too
    assert.equal((await admin.get(`/tickets/${t3.id}`)).body.ticket.csat, null);
  });

  test('rate limits: one code a minute per mobile, 20 an hour per address', async () => {
    const p = new Client(srv);
    assert.equal((await p.post('/portal/code', { mobile: MOBILE_C })).status, 200);
    expectError(await p.post('/portal/code', { mobile: MOBILE_C }), 429, 'rate_limited');
    for (let i = 1; i < 20; i++) {
      const r = await p.post('/portal/code', { mobile: `1390000${String(i).padStart(4, '0')}` });
      assert.equal(r.status, 200, show(r));
    }
    expectError(await p.post('/portal/code', { mobile: '13900009999' }), 429, 'rate_limited');
  });
});
