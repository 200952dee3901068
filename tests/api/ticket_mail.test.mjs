// Tickets by e-mail (issue 17, the e-mail channel): a real dovecot on
// 127.0.0.1 holds the service mailbox. A contact's mail becomes a ticket of
// the enterprise (a VIP one goes to its manager, attachments kept when the
// ticket's checks accept them); a mail carrying the ticket number threads
// onto it as the customer's answer (the paused clock runs again, a
// resolved ticket reopens, the holder is told); the staff reply leaves as
// an e-mail with the number in its subject, the internal note does not;
// the same message delivered twice makes one ticket; mail from a stranger
// makes none and says why. Runs on PostgreSQL too (scripts/with-pg.sh).

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, TIME_SCALE } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { waitFor } from './lib/wait.mjs';
import { branchesByCode } from './lib/customers.mjs';
import { Dovecot, rfc822, multipart } from './lib/dovecot.mjs';

const ADMIN = { login: 'A9831', name: '邮件工单管理员', role: 'admin', branch: 'GD' };
const MANAGER = { login: 'M9831', name: '邮件客户经理', role: 'manager', branch: 'GD-GZ-01' };
const CONTACT_MAIL = 'zhou.caigou@jingmi.example.com';
const PNG = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 7)]);

describe('tickets by e-mail', () => {
  const dv = new Dovecot();
  const srv = new TestServer({ label: 'ticket-mail', users: [ADMIN, MANAGER] });
  const test = srv.it;
  let admin, manager, vip, contact, ticket;

  before(async () => {
    await dv.start();
    srv.env = dv.env({ HONGYAN_IMAP_POLL_SECONDS: '3600' });
    await srv.start();
    admin = new Client(srv);
    await signInFresh(srv, admin, ADMIN.login);
    manager = new Client(srv);
    await signInFresh(srv, manager, MANAGER.login);
    await waitFor(async () => (await admin.get('/mail/status')).body.mailbox.last_success_at, { what: 'the first poll' });
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await srv.stop();
    await dv.stop();
  }, { timeout: 30000 * TIME_SCALE });

  /** Deliver raw, poll, and wait until the mailbox's consumer has acted on
   * the message (the list names it by subject: each test's is its own). */
  async function arrive(raw, subject) {
    dv.deliver(raw);
    const r = await admin.post('/mail/poll', {});
    assert.equal(r.status, 200, show(r));
    return waitFor(async () => {
      const list = await admin.get('/mail/messages?limit=200');
      const m = list.body.items.find((x) => x.subject === subject);
      return m && m.status !== 'new' ? m : null;
    }, { what: `message ${subject} handled` });
  }

  const getTicket = async (id) => {
    const r = await manager.get(`/tickets/${id}`);
    assert.equal(r.status, 200, show(r));
    return r.body.ticket ?? r.body;
  };

  test('set-up: a VIP enterprise with its manager and a contact with an e-mail address', async () => {
    const list = await admin.get('/users?limit=200');
    const users = Object.fromEntries(list.body.items.map((u) => [u.login, u.id]));
    const gz = (await branchesByCode(admin))['GD-GZ-01'];
    let r = await admin.post('/enterprises', { name: '广州精密邮件仪器有限公司', status: 'active', branch_id: gz.id, owner_id: users.M9831 });
    assert.equal(r.status, 201, show(r));
    vip = r.body.enterprise;
    vip.owner = users.M9831;
    r = await admin.post(`/enterprises/${vip.id}/contacts`, { name: '周采购', mobile: '13712340001', email: 'Zhou.Caigou@jingmi.example.com', roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
    contact = r.body.contact;
  });

  test('a contact\'s mail becomes a VIP ticket of its enterprise, assigned to the manager, with its acceptable attachment', async () => {
    const m = await arrive(
      multipart({
        from: `周采购 <${CONTACT_MAIL.toUpperCase()}>`,
        subject: '仪器包裹外箱破损',
        messageId: 'tm-new-1@jingmi.example.com',
        text: '收件时发现外箱破损，照片见附件。',
        attachments: [
          { name: '破损.png', type: 'image/png', bytes: PNG },
          { name: '说明.png', type: 'image/png', bytes: Buffer.from('not a picture at all') },
        ],
      }),
      '仪器包裹外箱破损',
    );
    assert.equal(m.status, 'processed', show({ body: m }));
    assert.equal(m.record_kind, 'ticket');
    ticket = await getTicket(m.record_id);
    assert.equal(ticket.channel, 'email');
    assert.equal(ticket.subject, '仪器包裹外箱破损');
    assert.equal(ticket.type, 'inquiry');
    assert.equal(ticket.tier, 'vip');
    assert.equal(ticket.assignee_id, vip.owner);
    assert.equal(ticket.contact_id, contact.id);
    assert.match(ticket.description, /外箱破损/);
    // the PNG is kept; the file that only claims to be one is not
    assert.deepEqual(ticket.attachments.map((a) => a.file_name), ['破损.png']);
    const file = await manager.get(`/tickets/${ticket.id}/attachments/${ticket.attachments[0].id}`);
    assert.equal(file.status, 200);
    // the manager was told at once
    const bell = srv.queryDb(`SELECT count(*) FROM notifications WHERE user_id = ${vip.owner} AND kind = 'ticket.assigned'`);
    assert.equal(Number(bell[0][0]), 1);
  });

  test('the same message delivered again makes no second ticket', async () => {
    dv.deliver(
      rfc822({ from: CONTACT_MAIL, subject: '仪器包裹外箱破损', messageId: 'tm-new-1@jingmi.example.com', body: '收件时发现外箱破损' }),
    );
    const r = await admin.post('/mail/poll', {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.taken, 0, show(r));
    const list = await admin.get('/mail/messages?limit=200');
    assert.equal(list.body.items.filter((m) => m.subject === '仪器包裹外箱破损').length, 1);
    const n = srv.queryDb(`SELECT count(*) FROM tickets WHERE channel = 'email' AND enterprise_id = ${vip.id}`);
    assert.equal(Number(n[0][0]), 1);
  });

  test('the staff reply leaves by e-mail with the ticket number in its subject; the internal note does not', async () => {
    let r = await manager.post(`/tickets/${ticket.id}/replies`, { body: '内部：先核实仓库监控', internal: true });
    assert.equal(r.status, 201, show(r));
    r = await manager.post(`/tickets/${ticket.id}/replies`, { body: '您好，已安排核实，请提供运单号。' });
    assert.equal(r.status, 201, show(r));
    const mails = srv.queryDb(`SELECT recipient, subject, body FROM outbox WHERE channel = 'email' AND lower(recipient) = '${CONTACT_MAIL}'`);
    assert.equal(mails.length, 1, JSON.stringify(mails));
    assert.equal(mails[0][1], `[工单 ${ticket.ticket_no}] 仪器包裹外箱破损`);
    assert.match(mails[0][2], /请提供运单号/);
    assert.doesNotMatch(JSON.stringify(mails), /仓库监控/);
  });

  test('the customer\'s answer with the number threads onto the ticket and un-pauses it', async () => {
    let r = await manager.post(`/tickets/${ticket.id}/status`, { status: 'waiting_customer' });
    assert.equal(r.status, 200, show(r));
    assert.ok((await getTicket(ticket.id)).paused_at);
    const m = await arrive(
      rfc822({ from: `周采购 <${CONTACT_MAIL}>`, subject: `回复：[工单 ${ticket.ticket_no}] 仪器包裹外箱破损`, messageId: 'tm-re-1@jingmi.example.com', body: '运单号 1234567890123' }),
      `回复：[工单 ${ticket.ticket_no}] 仪器包裹外箱破损`,
    );
    assert.equal(m.status, 'processed');
    assert.equal(m.record_id, ticket.id);
    const t = await getTicket(ticket.id);
    assert.equal(t.status, 'in_progress');
    assert.equal(t.paused_at ?? null, null);
    const entry = t.timeline.find((e) => e.kind === 'customer_reply');
    assert.ok(entry, JSON.stringify(t.timeline));
    assert.match(entry.body, /1234567890123/);
    const told = srv.queryDb(`SELECT count(*) FROM notifications WHERE user_id = ${vip.owner} AND kind = 'ticket.replied'`);
    assert.equal(Number(told[0][0]), 1);
    assert.equal((await getTicket(ticket.id)).timeline.filter((e) => e.kind === 'customer_reply').length, 1);
  });

  test('an answer to a resolved ticket reopens it', async () => {
    let r = await manager.post(`/tickets/${ticket.id}/status`, { status: 'resolved' });
    assert.equal(r.status, 200, show(r));
    const m = await arrive(
      rfc822({ from: CONTACT_MAIL, subject: `Re: [${ticket.ticket_no}] 仪器包裹外箱破损`, messageId: 'tm-re-2@jingmi.example.com', body: '还是没有收到赔付' }),
      `Re: [${ticket.ticket_no}] 仪器包裹外箱破损`,
    );
    assert.equal(m.status, 'processed');
    assert.equal((await getTicket(ticket.id)).status, 'reopened');
  });

  test('a stranger\'s mail makes no ticket and is set aside with the reason; a stranger cannot answer a ticket either', async () => {
    const before = srv.queryDb(`SELECT count(*) FROM tickets`)[0][0];
    let m = await arrive(rfc822({ from: 'someone@unknown.example.com', subject: '合作推广', messageId: 'tm-x-1@unknown.example.com', body: '广告' }), '合作推广');
    assert.equal(m.status, 'ignored');
    assert.equal(m.error, 'unknown_sender');
    m = await arrive(
      rfc822({ from: 'someone@unknown.example.com', subject: `Re: [${ticket.ticket_no}] x`, messageId: 'tm-x-2@unknown.example.com', body: '我也要' }),
      `Re: [${ticket.ticket_no}] x`,
    );
    assert.equal(m.status, 'ignored');
    assert.equal(m.error, 'not_ticket_contact');
    assert.equal(srv.queryDb(`SELECT count(*) FROM tickets`)[0][0], before);
    assert.equal((await getTicket(ticket.id)).timeline.filter((e) => e.kind === 'customer_reply').length, 2);
  });
});
