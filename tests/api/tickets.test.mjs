// Service tickets (issue 17, the core): logging at the counter and by an
// API key bound to one enterprise, routing (a VIP enterprise's ticket to
// its manager at once; the branch queue, claim and round-robin among
// staff on duty), the allowed transitions, replies and internal notes,
// attachments checked by type and size, the timeline, audited
// reassignment, SLA due times on a 7x24 policy with the test clock, the
// clock paused while waiting for the customer, and escalation exactly
// once per step, also after a restart; branch scoping.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, TestServer, PG_DIR, TIME_SCALE } from './lib/server.mjs';
import { Client, show, advanceClock, signInFresh } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, branchesByCode, createCustomer, resignIn } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';
import { makeKey } from './lib/waybills.mjs';

const secs = (iso) => Math.floor(Date.parse(iso) / 1000);

/** POST a ticket with a bearer API key. */
export async function keyRequest(srv, key, method, path, body, { lang } = {}) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` };
  if (lang) headers['Accept-Language'] = lang;
  const res = await fetch(`${srv.baseUrl}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: json, text, method, path };
}

/** Upload bytes as a ticket attachment named name. */
async function upload(client, id, name, bytes) {
  return client.post(`/tickets/${id}/attachments?name=${encodeURIComponent(name)}`, undefined, {
    raw: bytes,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
}

describe('service tickets', () => {
  const srv = useServer({
    label: 'tickets',
    env: { HONGYAN_TICKET_QUEUE_SECONDS: '600' },
    users: [
      { login: 'A9171', name: '工单管理员', role: 'admin', branch: 'GD' },
      { login: 'S9171', name: '大客户主管', role: 'supervisor', branch: 'GD', phone: '13900091711' },
      { login: 'H9171', name: '网点负责人', role: 'supervisor', branch: 'GD-GZ-01', phone: '13900091712' },
      { login: 'M9171', name: '客户经理甲', role: 'manager', branch: 'GD-GZ-01', phone: '13900091713' },
      { login: 'M9172', name: '客户经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9171', name: '柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9172', name: '柜员乙', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9173', name: '深圳柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, head, m1, m2, c1, c2, szClerk, vip, plain, szEnt, contact, person, users, key, szKey, branches;

  test('set-up: a VIP enterprise with its manager and supervisor, a plain one, a customer', async () => {
    ({ A9171: admin, S9171: sup, H9171: head, M9171: m1, M9172: m2, C9171: c1, C9172: c2, C9173: szClerk } = await signInAll(
      srv,
      ['A9171', 'S9171', 'H9171', 'M9171', 'M9172', 'C9171', 'C9172', 'C9173'],
    ));
    branches = await branchesByCode(admin);
    const list = await admin.get('/users?limit=200');
    users = Object.fromEntries(list.body.items.map((u) => [u.login, u.id]));
    let r = await admin.post('/enterprises', {
      name: '广州精密仪器有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id,
      owner_id: users.M9171, supervisor_id: users.S9171,
    });
    assert.equal(r.status, 201, show(r));
    vip = r.body.enterprise;
    r = await admin.post(`/enterprises/${vip.id}/contacts`, { name: '周采购', mobile: '13712345678', roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
    contact = r.body.contact;
    r = await admin.post('/enterprises', { name: '广州小商户贸易行', status: 'active', branch_id: branches['GD-GZ-01'].id });
    assert.equal(r.status, 201, show(r));
    plain = r.body.enterprise;
    r = await admin.post('/enterprises', { name: '深圳电子配件有限公司', status: 'active', branch_id: branches['GD-SZ-01'].id });
    assert.equal(r.status, 201, show(r));
    szEnt = r.body.enterprise;
    person = await createCustomer(c1, { name: '林晓梅', phone: '13698765432' });
    // The VIP policy on a 7x24 clock: these tests do not depend on working hours.
    r = await admin.put('/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 2880, calendar: '24x7' });
    assert.equal(r.status, 200, show(r));
    r = await admin.put('/sla-policies/standard/normal', { first_response_minutes: 240, resolution_minutes: 2880, calendar: '24x7' });
    assert.equal(r.status, 200, show(r));
  });

  let vipTicket;
  test('counter: a VIP contact\'s ticket goes to the dedicated manager at once, with a 15-minute first response', async () => {
    const r = await c1.post('/tickets', {
      channel: 'counter', type: 'complaint', subject: '仪器包裹外箱破损', description: '收件时发现外箱破损，要求核实',
      enterprise_id: vip.id, contact_id: contact.id,
    });
    assert.equal(r.status, 201, show(r));
    vipTicket = r.body.ticket;
    assert.match(vipTicket.ticket_no, /^T\d{8}\d{4}$/);
    assert.equal(vipTicket.assignee_id, users.M9171);
    assert.equal(vipTicket.status, 'assigned');
    assert.equal(vipTicket.tier, 'vip');
    assert.equal(vipTicket.contact_name, '周采购');
    assert.equal(secs(vipTicket.first_response_due_at) - secs(vipTicket.created_at), 15 * 60);
    assert.deepEqual(vipTicket.timeline.map((e) => e.kind), ['created', 'assigned']);
    const bell = await m1.get('/notifications');
    assert.ok(bell.body.items.some((n) => n.link === `/tickets/${vipTicket.id}` && n.title.includes(vipTicket.ticket_no)), show(bell));
    const audit = await findAudit(admin, (e) => e.action === 'ticket.create' && String(e.object_id) === String(vipTicket.id));
    assert.equal(audit.length, 1);
  });

  test('bad input is refused with field messages in the caller\'s language, and nothing is stored', async () => {
    const before = (await admin.get('/tickets?view=all')).body.total;
    let r = await c1.post('/tickets', { channel: 'fax', type: 'inquiry', subject: '', enterprise_id: vip.id });
    expectError(r, 422, 'validation_failed', { fields: ['channel', 'subject'] });
    r = await c1.post('/tickets', { channel: 'counter', type: 'nonsense', subject: '咨询', enterprise_id: vip.id, customer_id: person.id });
    expectError(r, 422, 'validation_failed', { fields: ['type', 'enterprise_id'] });
    assert.match(r.body.error.fields.type, /工单类型/);
    r = await c1.post('/tickets', { channel: 'counter', type: 'tracking', subject: '查件', enterprise_id: vip.id, waybills: ['EA000000000CN'] }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['waybills'] });
    assert.match(r.body.error.fields.waybills, /No such waybill of this customer: EA000000000CN/);
    r = await szClerk.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '咨询', enterprise_id: vip.id });
    expectError(r, 422, 'validation_failed', { fields: ['enterprise_id'] });
    assert.equal((await admin.get('/tickets?view=all')).body.total, before);
  });

  test('API key: files for its own enterprise only, the contact matched by mobile; another enterprise\'s key cannot file for or see it', async () => {
    const r0 = await admin.post('/api-keys', { name: '精密仪器工单对接', scopes: ['tickets.write'], enterprise_id: vip.id });
    assert.equal(r0.status, 201, show(r0));
    assert.equal(r0.body.api_key.enterprise_id, vip.id);
    key = r0.body.secret;
    const r1 = await admin.post('/api-keys', { name: '深圳工单对接', scopes: ['tickets.write'], enterprise_id: szEnt.id });
    szKey = r1.body.secret;
    const unbound = await makeKey(admin, '未绑定工单对接', ['tickets.write']);

    let r = await keyRequest(srv, key, 'POST', '/tickets', { type: 'tracking', subject: '批量查询延误件', contact_mobile: '137 1234 5678' });
    assert.equal(r.status, 201, show(r));
    const t = r.body.ticket;
    assert.equal(t.channel, 'api');
    assert.equal(t.enterprise_id, vip.id);
    assert.equal(t.contact_id, contact.id, 'matched by mobile');
    assert.equal(t.assignee_id, users.M9171);
    r = await keyRequest(srv, key, 'GET', `/tickets/${t.id}`);
    assert.equal(r.status, 200, show(r));

    expectError(await keyRequest(srv, szKey, 'POST', '/tickets', { type: 'tracking', subject: '冒名', enterprise_id: vip.id }), 404, 'not_found');
    expectError(await keyRequest(srv, szKey, 'GET', `/tickets/${t.id}`), 404, 'not_found');
    expectError(await keyRequest(srv, szKey, 'GET', '/tickets'), 403, 'forbidden');
    expectError(await keyRequest(srv, unbound.secret, 'POST', '/tickets', { type: 'tracking', subject: '无主' }), 403, 'forbidden');
    const wbKey = await makeKey(admin, '运单对接');
    expectError(await keyRequest(srv, wbKey.secret, 'POST', '/tickets', { type: 'tracking', subject: '越权' }), 403, 'forbidden');
  });

  let queued;
  test('queue: a plain enterprise\'s ticket waits in its branch\'s queue; staff claim it, once', async () => {
    let r = await c1.post('/tickets', { channel: 'phone', type: 'invoice', subject: '申请开具11月发票', enterprise_id: plain.id });
    assert.equal(r.status, 201, show(r));
    queued = r.body.ticket;
    assert.equal(queued.status, 'new');
    assert.equal(queued.assignee_id, null);
    assert.equal(queued.tier, 'standard');
    const q = await c2.get('/tickets?view=queue');
    assert.ok(q.body.items.some((t) => t.id === queued.id), show(q));
    r = await c2.post(`/tickets/${queued.id}/claim`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.ticket.assignee_id, users.C9172);
    assert.equal(r.body.ticket.status, 'assigned');
    r = await c1.post(`/tickets/${queued.id}/claim`);
    expectError(r, 409, 'conflict');
    assert.match(r.body.error.message, /已有处理人/);
    const q2 = await c2.get('/tickets?view=queue');
    assert.ok(!q2.body.items.some((t) => t.id === queued.id));
  });

  test('transitions: the allowed ones move the ticket; another is refused with both statuses named', async () => {
    let r = await c2.post(`/tickets/${queued.id}/status`, { status: 'reopened' });
    expectError(r, 409, 'conflict');
    assert.equal(r.body.error.message, '工单状态为「已分派」，不能改为「已重开」');
    r = await c2.post(`/tickets/${queued.id}/status`, { status: 'reopened' }, { lang: 'en' });
    assert.equal(r.body.error.message, 'A ticket that is assigned cannot become reopened');
    r = await c2.post(`/tickets/${queued.id}/status`, { status: 'flying' });
    expectError(r, 422, 'validation_failed', { fields: ['status'] });
    for (const s of ['in_progress', 'resolved', 'closed']) {
      r = await c2.post(`/tickets/${queued.id}/status`, { status: s });
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.ticket.status, s);
    }
    r = await c2.post(`/tickets/${queued.id}/replies`, { body: '已开具' });
    expectError(r, 409, 'conflict');
    r = await c2.post(`/tickets/${queued.id}/status`, { status: 'reopened' });
    assert.equal(r.body.ticket.status, 'reopened');
    assert.equal(r.body.ticket.reopen_count, 1);
    assert.equal(r.body.ticket.resolved_at, null);
    const kinds = r.body.ticket.timeline.filter((e) => e.kind === 'status').map((e) => e.detail.to);
    assert.deepEqual(kinds, ['in_progress', 'resolved', 'closed', 'reopened']);
  });

  test('an internal note is no first response; the first reply to the customer is, and an API key does not see the note', async () => {
    let r = await m1.post(`/tickets/${vipTicket.id}/replies`, { body: '先联系仓库核实破损照片', internal: true });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.ticket.first_response_at, null);
    assert.equal(r.body.ticket.status, 'assigned');
    r = await m1.post(`/tickets/${vipTicket.id}/replies`, { body: '您好，已收到，正在核实，今天内答复您。' });
    assert.equal(r.status, 201, show(r));
    const t = r.body.ticket;
    assert.ok(t.first_response_at);
    assert.equal(t.status, 'in_progress');
    assert.equal(secs(t.due_at), secs(t.resolution_due_at), 'the clock now runs to the resolution');
    const kinds = t.timeline.map((e) => e.kind);
    assert.deepEqual(kinds, ['created', 'assigned', 'note', 'reply', 'status']);
    const seen = await keyRequest(srv, key, 'GET', `/tickets/${vipTicket.id}`);
    assert.equal(seen.status, 200, show(seen));
    assert.deepEqual(seen.body.ticket.timeline.map((e) => e.kind), ['created', 'assigned', 'reply', 'status']);
  });

  test('attachments: a PNG is kept; a wrong type, a name that lies about the content, or too big a file is refused', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 1)]);
    let r = await upload(m1, vipTicket.id, '破损照片.png', png);
    assert.equal(r.status, 201, show(r));
    const att = r.body.ticket.attachments[0];
    assert.equal(att.file_name, '破损照片.png');
    assert.equal(att.size, png.length);
    const cookie = [...m1.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const back = await fetch(`${srv.baseUrl}/api/v1/tickets/${vipTicket.id}/attachments/${att.id}`, { headers: { Cookie: cookie } });
    assert.equal(back.status, 200);
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), png);
    r = await upload(m1, vipTicket.id, 'setup.exe', Buffer.from('MZ\x90\x00'));
    expectError(r, 422, 'validation_failed', { fields: ['file'] });
    r = await upload(m1, vipTicket.id, '发票.pdf', png);
    expectError(r, 422, 'validation_failed', { fields: ['file'] });
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(10 * 1024 * 1024)]);
    r = await upload(m1, vipTicket.id, '大文件.pdf', big);
    expectError(r, 422, 'validation_failed', { fields: ['file'] });
    assert.match(r.body.error.fields.file, /10 MB/);
    const t = (await m1.get(`/tickets/${vipTicket.id}`)).body.ticket;
    assert.equal(t.attachments.length, 1);
    assert.equal(t.timeline.filter((e) => e.kind === 'attachment').length, 1);
  });

  test('reassignment: by the holder, audited, the new assignee told; a clerk who does not hold it may not', async () => {
    let r = await c1.post(`/tickets/${vipTicket.id}/assign`, { assignee_id: users.C9171 });
    expectError(r, 409, 'conflict');
    r = await m1.post(`/tickets/${vipTicket.id}/assign`, { assignee_id: users.C9173 });
    expectError(r, 422, 'validation_failed', { fields: ['assignee_id'] });
    r = await m1.post(`/tickets/${vipTicket.id}/assign`, { assignee_id: users.M9172 });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.ticket.assignee_id, users.M9172);
    const e = r.body.ticket.timeline.at(-1);
    assert.equal(e.kind, 'reassigned');
    assert.equal(e.detail.previous_id, users.M9171);
    const audit = await findAudit(admin, (a) => a.action === 'ticket.assign' && String(a.object_id) === String(vipTicket.id));
    assert.equal(audit.length, 1);
    const bell = await m2.get('/notifications');
    assert.ok(bell.body.items.some((n) => n.link === `/tickets/${vipTicket.id}`), show(bell));
  });

  test('scoping: a clerk of another branch gets 404 and does not list it', async () => {
    expectError(await szClerk.get(`/tickets/${vipTicket.id}`), 404, 'not_found');
    expectError(await szClerk.post(`/tickets/${vipTicket.id}/replies`, { body: '越权' }), 404, 'not_found');
    const l = await szClerk.get('/tickets');
    assert.ok(!l.body.items.some((t) => t.id === vipTicket.id));
  });

  test('SLA: waiting for the customer stops the clock; resuming pushes the deadline by the time paused', async () => {
    let r = await c1.post('/tickets', { channel: 'counter', type: 'address_change', subject: '修改收件地址', enterprise_id: vip.id });
    const t0 = r.body.ticket;
    const due0 = secs(t0.first_response_due_at);
    // The server's clock is the wall clock plus the test's offset: the
    // pause lasts the 600 s moved on plus the whole seconds that really
    // passed between the two requests (counted here, at most a few).
    const started = Date.now();
    r = await m1.post(`/tickets/${t0.id}/status`, { status: 'waiting_customer' });
    assert.equal(r.status, 200, show(r));
    const left = r.body.ticket.remaining_seconds;
    await advanceClock(srv, 600);
    r = await m1.get(`/tickets/${t0.id}`);
    assert.equal(r.body.ticket.remaining_seconds, left, 'frozen while waiting');
    r = await m1.post(`/tickets/${t0.id}/status`, { status: 'in_progress' });
    const real = Math.ceil((Date.now() - started) / 1000);
    const pushed = secs(r.body.ticket.first_response_due_at) - due0;
    assert.ok(pushed >= 600 && pushed <= 600 + real, `deadline pushed by ${pushed} s for a pause of 600 s + ${real} s of wall time`);
    await m1.post(`/tickets/${t0.id}/replies`, { body: '已按新地址修改。' });
  });

  test('list: nearest deadline first; the remaining time of each; breached filter', async () => {
    const r = await admin.get('/tickets?status=open&limit=200');
    assert.equal(r.status, 200, show(r));
    const dues = r.body.items.map((t) => (t.due_at ? secs(t.due_at) : Infinity));
    assert.deepEqual(dues, [...dues].sort((a, b) => a - b));
  });

  test('escalation: the breach and each step of the ladder exactly once, also after a restart', async () => {
    let r = await c1.post('/tickets', { channel: 'phone', type: 'claim', subject: '仪器运输损坏理赔', enterprise_id: vip.id });
    const t = r.body.ticket;
    assert.equal(t.assignee_id, users.M9171);
    const now = secs(await advanceClock(srv, 0));
    await advanceClock(srv, secs(t.first_response_due_at) - now + 1);
    const steps = () => srv.queryDb(`SELECT step, user_id FROM ticket_escalations WHERE ticket_id = ${t.id} AND target = 'first_response' ORDER BY step`);
    await waitFor(() => steps().length === 2, { timeoutMs: 30000, what: 'the breach and the first step' });
    assert.deepEqual(steps(), [['0', String(users.M9171)], ['1', String(users.S9171)]]);
    r = await m1.get(`/tickets/${t.id}`);
    assert.ok(r.body.ticket.first_response_breached_at);
    assert.equal(r.body.ticket.breached, true);
    assert.deepEqual(r.body.ticket.timeline.filter((e) => ['breached', 'escalated'].includes(e.kind)).map((e) => e.kind), ['breached', 'escalated']);
    const supBell = await sup.get('/notifications');
    assert.equal(supBell.body.items.filter((n) => n.link === `/tickets/${t.id}`).length, 1);
    const sms = () => srv.queryDb(`SELECT recipient FROM outbox WHERE dedupe_key LIKE 'ticket:${t.id}:first_response:%'`).map((x) => x[0]).sort();
    assert.deepEqual(sms(), ['13900091711', '13900091713']);
    const breached = await admin.get('/tickets?breached=true&limit=200');
    assert.ok(breached.body.items.some((x) => x.id === t.id));

    // 30 minutes later the branch head.
    await advanceClock(srv, 30 * 60);
    await waitFor(() => steps().length === 3, { timeoutMs: 30000, what: 'the second step' });
    assert.deepEqual(steps()[2], ['2', String(users.H9171)]);

    // A restart repeats nothing: a ticket due after it proves the sweep ran.
    const at = secs(await advanceClock(srv, 0));
    await srv.restart();
    // The test clock lives in the process: put it back where it was.
    await advanceClock(srv, at - secs(await advanceClock(srv, 0)));
    await resignIn(srv, c1, 'C9171');
    r = await c1.post('/tickets', { channel: 'phone', type: 'inquiry', subject: '重启后的工单', enterprise_id: vip.id });
    const marker = r.body.ticket;
    await advanceClock(srv, 16 * 60);
    await waitFor(() => srv.queryDb(`SELECT 1 FROM ticket_escalations WHERE ticket_id = ${marker.id}`).length > 0, { timeoutMs: 30000, what: 'a sweep after the restart' });
    assert.equal(steps().length, 3, 'no step repeated');
    assert.deepEqual(sms(), ['13900091711', '13900091712', '13900091713']);
  });

  test('KPIs per manager match a recount from the ticket list and timelines', async () => {
    // One more resolved ticket of m1's, answered twice: no first-contact resolution.
    let r = await c1.post('/tickets', { channel: 'phone', type: 'inquiry', subject: 'KPI 工单', enterprise_id: vip.id });
    const k = r.body.ticket;
    await advanceClock(srv, 120);
    await m1.post(`/tickets/${k.id}/replies`, { body: '第一次答复' });
    await m1.post(`/tickets/${k.id}/replies`, { body: '补充说明' });
    await advanceClock(srv, 300);
    r = await m1.post(`/tickets/${k.id}/status`, { status: 'resolved' });
    assert.equal(r.status, 200, show(r));
    const day = (await advanceClock(srv, 0)).slice(0, 10);
    r = await admin.get(`/tickets/kpis?group=manager&from=2020-01-01&to=${day}`);
    assert.equal(r.status, 200, show(r));
    const got = r.body.items.find((g) => g.id === users.M9171);
    assert.ok(got, show(r));

    // The recount: every ticket of m1's in the list, each with its timeline.
    const all = [];
    for (let cursor; ;) {
      const page = await admin.get(`/tickets?view=all&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.body.items);
      if (!(cursor = page.body.next_cursor)) break;
    }
    const mine = await Promise.all(all.filter((t) => t.assignee_id === users.M9171).map(async (t) => (await admin.get(`/tickets/${t.id}`)).body.ticket));
    const fr = mine.filter((t) => t.first_response_at).map((t) => secs(t.first_response_at) - secs(t.created_at)).sort((a, b) => a - b);
    const resolved = mine.filter((t) => t.resolved_at);
    const fcr = resolved.filter((t) => t.reopen_count === 0 && t.timeline.filter((e) => e.kind === 'reply').length === 1);
    const attained = resolved.filter((t) => !t.first_response_breached_at && !t.resolution_breached_at);
    assert.equal(got.tickets, mine.length);
    assert.equal(got.first_response.count, fr.length);
    assert.equal(got.first_response.avg_seconds, Math.round(fr.reduce((a, b) => a + b, 0) / fr.length));
    assert.equal(got.first_response.p90_seconds, fr[Math.ceil(0.9 * fr.length) - 1]);
    assert.equal(got.resolution.count, resolved.length);
    assert.equal(got.resolution.avg_seconds, Math.round(resolved.reduce((a, t) => a + secs(t.resolved_at) - secs(t.created_at), 0) / resolved.length));
    assert.equal(got.first_contact_resolution.count, fcr.length);
    assert.equal(got.sla_attainment, Math.round((attained.length / resolved.length) * 10000) / 10000);
    assert.equal(got.csat, null);
    assert.ok(resolved.length >= 1 && fr.length >= 2, 'enough to count');
    expectError(await admin.get('/tickets/kpis?group=team&from=2026-13-01&to=x'), 422, 'validation_failed', { fields: ['group', 'from', 'to'] });
    expectError(await c1.get(`/tickets/kpis?group=manager&from=2020-01-01&to=${day}`), 403, 'forbidden');
  });

  test('round-robin: queue tickets left unclaimed go in turn to staff on duty', async () => {
    for (const c of [c1, c2]) {
      const r = await c.put('/tickets/duty', { on_duty: true });
      assert.equal(r.status, 200, show(r));
    }
    const d = await c1.get('/tickets/duty');
    assert.deepEqual(d.body.items.map((u) => u.id).sort(), [users.C9171, users.C9172].sort());
    const ids = [];
    for (const subject of ['开票咨询一', '开票咨询二']) {
      const r = await c1.post('/tickets', { channel: 'phone', type: 'invoice', subject, customer_id: person.id });
      assert.equal(r.body.ticket.assignee_id, null);
      ids.push(r.body.ticket.id);
    }
    await advanceClock(srv, 601);
    const holders = async () => Promise.all(ids.map(async (id) => (await admin.get(`/tickets/${id}`)).body.ticket.assignee_id));
    let got;
    await waitFor(async () => (got = await holders()).every((x) => x), { timeoutMs: 30000, what: 'round-robin' });
    assert.deepEqual([...got].sort(), [users.C9171, users.C9172].sort(), 'one each');
  });
});

// Two servers over one PostgreSQL database: only one runs the sweep, and
// the unique (ticket, target, step) row keeps every step to one
// notification even so. Skipped on SQLite, as cluster.test.mjs is.
describe('ticket escalation with two servers on PostgreSQL', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (scripts/with-pg.sh)' }, () => {
  const a = new TestServer({
    label: 'tickets-a',
    users: [
      { login: 'A9181', name: '集群工单管理员', role: 'admin', branch: 'GD' },
      { login: 'S9181', name: '集群主管', role: 'supervisor', branch: 'GD', phone: '13900091811' },
      { login: 'M9181', name: '集群经理', role: 'manager', branch: 'GD-GZ-01', phone: '13900091812' },
    ],
  });
  const b = new TestServer({ label: 'tickets-b', sharedWith: a });
  before(async () => {
    await a.start();
    await b.start();
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await b.stop();
    await a.stop();
  }, { timeout: 30000 * TIME_SCALE });

  a.it('a breach escalates once, whichever server runs the sweep', async () => {
    const admin = new Client(a);
    await signInFresh(a, admin, 'A9181');
    const users = Object.fromEntries((await admin.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    const branches = await branchesByCode(admin);
    let r = await admin.post('/enterprises', { name: '集群医疗器械有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id, owner_id: users.M9181, supervisor_id: users.S9181 });
    assert.equal(r.status, 201, show(r));
    const ent = r.body.enterprise;
    r = await admin.put('/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 2880, calendar: '24x7' });
    assert.equal(r.status, 200, show(r));
    const tickets = [];
    for (let i = 0; i < 5; i++) {
      r = await admin.post('/tickets', { channel: 'phone', type: 'complaint', subject: `集群工单${i}`, enterprise_id: ent.id });
      assert.equal(r.status, 201, show(r));
      tickets.push(r.body.ticket);
    }
    for (const s of [a, b]) await advanceClock(s, 16 * 60);
    const ids = tickets.map((t) => t.id).join(',');
    const rows = () => a.queryDb(`SELECT ticket_id, step FROM ticket_escalations WHERE ticket_id IN (${ids}) ORDER BY ticket_id, step`);
    await waitFor(() => rows().length === 10, { timeoutMs: 30000, what: 'breach and step 1 of five tickets' });
    // Another round of both clocks: nothing new may come of it.
    for (const s of [a, b]) await advanceClock(s, 60);
    r = await admin.post('/tickets', { channel: 'phone', type: 'inquiry', subject: '集群标记', enterprise_id: ent.id });
    const marker = r.body.ticket.id;
    for (const s of [a, b]) await advanceClock(s, 16 * 60);
    await waitFor(() => a.queryDb(`SELECT 1 FROM ticket_escalations WHERE ticket_id = ${marker}`).length > 0, { timeoutMs: 30000, what: 'a later sweep' });
    assert.equal(rows().length, 10);
    const sms = a.queryDb(`SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'ticket:%:first_response:1:sms' AND recipient = '13900091811'`);
    assert.equal(sms.length, 6, 'one message to the supervisor per ticket (five and the marker)');
  });
});
