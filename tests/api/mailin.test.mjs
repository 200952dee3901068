// The service mailbox (issue 17, e-mail in): a real dovecot on 127.0.0.1
// (tests/api/lib/dovecot.mjs) holds the mailbox; the server takes each
// message once, decodes Chinese mail, keeps or refuses attachments, marks
// what it stored \Seen only after the commit, survives a crash between
// the two without a duplicate, and says when the mailbox cannot be read.
// On PostgreSQL two servers read one mailbox and take each message once.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TestServer, PG_DIR, TIME_SCALE } from './lib/server.mjs';
import { Client, advanceClock, signInFresh, show } from './lib/client.mjs';
import { isChinese, isEnglish } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { Dovecot, rfc822, multipart } from './lib/dovecot.mjs';

/** text in charset (iconv, part of every Debian). */
function encode(text, charset) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', charset], { input: text });
  assert.equal(r.status, 0, `iconv to ${charset}: ${r.stderr}`);
  return r.stdout;
}

/** Bytes as quoted-printable (RFC 2045), soft line breaks at 76. */
function quotedPrintable(bytes) {
  let out = '';
  let line = '';
  for (const b of bytes) {
    const piece = b === 0x0a ? '\n' : b === 0x0d ? '' : b >= 0x21 && b <= 0x7e && b !== 0x3d ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (piece === '\n') {
      out += `${line}\r\n`;
      line = '';
      continue;
    }
    if (line.length + piece.length > 75) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += piece;
  }
  return out + line;
}

/** Run one statement on the server's database (as a consumer of the
 * mailbox would change a message). */
function dbWrite(srv, sql) {
  const r = PG_DIR
    ? spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', srv.pgName, '-qAtc', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', [srv.dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${sql}: ${r.stderr}`);
}

const ADMIN = { login: 'A9801', name: '邮箱管理员', role: 'admin', branch: 'GD' };
const CLERK = { login: 'C9801', name: '邮箱柜员', role: 'clerk', branch: 'GD-GZ-01' };

/** Start dovecot, then a server reading it (env from dv.env(extra)). */
function useMailbox({ label, extra = {}, password }) {
  const dv = new Dovecot();
  const srv = new TestServer({ label, users: [ADMIN, CLERK] });
  before(async () => {
    await dv.start();
    srv.env = dv.env({ HONGYAN_IMAP_POLL_SECONDS: '3600', ...extra, ...(password ? { HONGYAN_IMAP_PASSWORD: password } : {}) });
    await srv.start();
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await srv.stop();
    await dv.stop();
  }, { timeout: 30000 * TIME_SCALE });
  return { dv, srv };
}

const pollNow = async (c) => {
  const r = await c.post('/mail/poll', {});
  assert.equal(r.status, 200, show(r));
  return r.body.taken;
};

const messages = async (c) => {
  const r = await c.get('/mail/messages?limit=200');
  assert.equal(r.status, 200, show(r));
  return r.body.items;
};

const bySubject = async (c, subject) => (await messages(c)).filter((m) => m.subject === subject);

describe('service mailbox over IMAP', () => {
  const { dv, srv } = useMailbox({
    label: 'mailin',
    extra: { HONGYAN_IMAP_MAX_ATTACHMENT_BYTES: '4000', HONGYAN_IMAP_MAX_MESSAGE_BYTES: '20000' },
  });
  const test = srv.it;
  let admin, clerk;

  before(async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, ADMIN.login);
    clerk = new Client(srv);
    await signInFresh(srv, clerk, CLERK.login);
    // the poll at start-up has run to its end (its lease is free for ours)
    await waitFor(async () => (await admin.get('/mail/status')).body.mailbox.last_success_at, { what: 'the first poll' });
  });

  test('the status names the mailbox without its password', async () => {
    const r = await admin.get('/mail/status');
    assert.equal(r.status, 200, show(r));
    const m = r.body.mailbox;
    assert.equal(m.configured, true);
    assert.equal(m.url, dv.url);
    assert.equal(m.poll_seconds, 3600);
    assert.ok(m.last_success_at, 'the start-up poll succeeded');
    assert.equal(m.last_error, null);
    assert.ok(!JSON.stringify(r.body).includes(dv.password));
  });

  test('a clerk gets 403 from every mailbox endpoint', async () => {
    for (const [method, p] of [
      ['GET', '/mail/status'],
      ['POST', '/mail/poll'],
      ['GET', '/mail/messages'],
      ['GET', '/mail/messages/1'],
      ['GET', '/mail/messages/1/attachments/0'],
      ['POST', '/mail/messages/1/reprocess'],
    ]) {
      const r = await clerk.request(method, p, method === 'POST' ? {} : undefined);
      assert.equal(r.status, 403, show(r));
    }
  });

  test('a plain UTF-8 message is taken once, published, and \\Seen after the commit', async () => {
    dv.deliver(
      rfc822({
        from: '"李 娜" <Li.Na@Example.com>',
        subject: '请问包裹什么时候到？',
        messageId: 'plain-1@example.com',
        headers: ['In-Reply-To: <earlier-1@hongyan.test>', 'References: <root-1@hongyan.test> <earlier-1@hongyan.test>'],
        body: '您好：\r\n我的包裹 EA123456785CN 三天没有动了。\r\n',
      }),
    );
    assert.equal(await pollNow(admin), 1);
    const [row] = await bySubject(admin, '请问包裹什么时候到？');
    assert.ok(row, 'the message is in the list');
    assert.equal(row.from_addr, 'li.na@example.com');
    assert.equal(row.from_name, '李 娜');
    assert.equal(row.status, 'new');
    const d = await admin.get(`/mail/messages/${row.id}`);
    assert.equal(d.status, 200, show(d));
    const m = d.body.message;
    assert.equal(m.message_id, 'plain-1@example.com');
    assert.equal(m.in_reply_to, 'earlier-1@hongyan.test');
    assert.equal(m.refs, 'root-1@hongyan.test earlier-1@hongyan.test');
    assert.equal(m.body_text, '您好：\n我的包裹 EA123456785CN 三天没有动了。\n');
    assert.equal(m.to_addrs, 'service@hongyan.test');
    assert.equal(m.sent_at, '2026-12-03T10:00:00+08:00');
    assert.equal(m.thread_ref, null);
    // one mail.received {"id"} for it
    const events = srv.queryDb(`SELECT payload FROM domain_events WHERE kind = 'mail.received' AND object_id = ${row.id}`);
    assert.deepEqual(events.map(([p]) => JSON.parse(p)), [{ id: row.id }]);
    // \Seen on the server, recorded as such
    const flags = await dv.flags();
    assert.equal(flags.length, 1);
    assert.ok(flags[0].flags.includes('\\Seen'), JSON.stringify(flags));
    assert.ok(m.seen_at);
    // a second poll takes nothing again
    assert.equal(await pollNow(admin), 0);
    assert.equal((await bySubject(admin, '请问包裹什么时候到？')).length, 1);
  });

  test('a GB2312 subject and a quoted-printable GBK body decode to the right Chinese', async () => {
    const subject = '关于运单查询的咨询';
    const body = '您好，我司有一批货物滞留在广州处理中心，请尽快核实。\n谢谢！';
    dv.deliver(
      rfc822({
        from: `=?GB2312?B?${encode('王经理', 'GB2312').toString('base64')}?= <wang@example.cn>`,
        subject: `=?GB2312?B?${encode(subject, 'GB2312').toString('base64')}?=`,
        messageId: 'gbk-1@example.cn',
        contentType: 'text/plain; charset=GBK',
        encoding: 'quoted-printable',
        body: quotedPrintable(encode(body, 'GBK')),
      }),
    );
    assert.equal(await pollNow(admin), 1);
    const [row] = await bySubject(admin, subject);
    assert.ok(row, `a message with the subject ${subject}: ${JSON.stringify(await messages(admin))}`);
    assert.equal(row.from_name, '王经理');
    const m = (await admin.get(`/mail/messages/${row.id}`)).body.message;
    assert.equal(m.body_text, '您好，我司有一批货物滞留在广州处理中心，请尽快核实。\n谢谢！');
  });

  test('attachments: an allowed one is kept and downloadable, a program and an oversized one are refused', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% 鸿雁 test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]);
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 0x41)]);
    dv.deliver(
      multipart({
        subject: '附件：破损照片与理赔单',
        messageId: 'att-1@example.com',
        text: '附件是理赔单。',
        attachments: [
          { name: '理赔单.pdf', type: 'application/pdf', bytes: pdf },
          { name: 'setup.exe', type: 'application/octet-stream', bytes: exe },
          { name: 'scan.pdf', type: 'application/pdf', bytes: big },
        ],
      }),
    );
    assert.equal(await pollNow(admin), 1);
    const [row] = await bySubject(admin, '附件：破损照片与理赔单');
    assert.ok(row);
    const m = (await admin.get(`/mail/messages/${row.id}`)).body.message;
    assert.equal(m.status, 'new', 'refused attachments do not refuse the message');
    assert.equal(m.body_text, '附件是理赔单。');
    assert.deepEqual(
      m.attachments.map((a) => [a.index, a.name, a.size, a.kept, a.refused ?? null]),
      [
        [0, '理赔单.pdf', pdf.length, true, null],
        [1, 'setup.exe', exe.length, false, 'executable'],
        [2, 'scan.pdf', big.length, false, 'size'],
      ],
    );
    assert.ok(!JSON.stringify(m).includes('mail-'), 'where the copy lies stays inside');
    const res = await fetch(admin.url(`/mail/messages/${row.id}/attachments/0`), {
      headers: { cookie: `hy_session=${admin.cookies.get('hy_session')}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.match(res.headers.get('content-disposition'), /^attachment;/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdf);
    const refused = await admin.get(`/mail/messages/${row.id}/attachments/1`);
    assert.equal(refused.status, 404, show(refused));
    assert.equal((await clerk.get(`/mail/messages/${row.id}/attachments/0`)).status, 403);
  });

  test('a ticket reference in the subject becomes thread_ref', async () => {
    dv.deliver(rfc822({ subject: '回复：[工单 T202612030001] 包裹破损', messageId: 'ref-1@example.com', body: '补充照片' }));
    dv.deliver(rfc822({ subject: 'Re: [T202612030002] damaged parcel', messageId: 'ref-2@example.com', body: 'more' }));
    dv.deliver(rfc822({ subject: '[工单 T2026120300] 号码不全', messageId: 'ref-3@example.com', body: 'x' }));
    assert.equal(await pollNow(admin), 3);
    assert.equal((await bySubject(admin, '回复：[工单 T202612030001] 包裹破损'))[0].thread_ref, 'T202612030001');
    assert.equal((await bySubject(admin, 'Re: [T202612030002] damaged parcel'))[0].thread_ref, 'T202612030002');
    assert.equal((await bySubject(admin, '[工单 T2026120300] 号码不全'))[0].thread_ref, null);
  });

  test('an HTML-only message yields readable text with no markup', async () => {
    const html =
      '<html><head><title>x</title><style>p { color: red }</style></head><body>' +
      '<p>您好，</p><p>运单&nbsp;<b>EA123456785CN</b> 仍未签收 &amp; 请&lt;尽快&gt;处理</p>' +
      '<script>alert("x")</script><div>谢谢<br>张先生</div></body></html>';
    dv.deliver(rfc822({ subject: 'HTML 邮件', messageId: 'html-1@example.com', contentType: 'text/html; charset=UTF-8', body: html }));
    assert.equal(await pollNow(admin), 1);
    const [row] = await bySubject(admin, 'HTML 邮件');
    const m = (await admin.get(`/mail/messages/${row.id}`)).body.message;
    assert.equal(m.body_text, '您好，\n运单 EA123456785CN 仍未签收 & 请<尽快>处理\n谢谢\n张先生');
    assert.equal(m.body_from_html, true);
    assert.doesNotMatch(m.body_text, /alert|color|<p|<b>/);
  });

  test('an auto-reply is stored as ignored; the same Message-ID again is not taken twice', async () => {
    dv.deliver(rfc822({ subject: '自动回复：休假中', messageId: 'auto-1@example.com', headers: ['Auto-Submitted: auto-replied'], body: '我正在休假' }));
    dv.deliver(rfc822({ subject: '请问包裹什么时候到？', messageId: 'plain-1@example.com', body: '同一封信又到了一次' }));
    assert.equal(await pollNow(admin), 1);
    const [auto] = await bySubject(admin, '自动回复：休假中');
    assert.equal(auto.status, 'ignored');
    assert.equal(auto.error, 'automatic');
    assert.equal((await bySubject(admin, '请问包裹什么时候到？')).length, 1);
    // both are \Seen: nothing is left for the next poll
    assert.ok((await dv.flags()).every((f) => f.flags.includes('\\Seen')));
  });

  test('a message over the size cap is not downloaded: its header is kept as ignored', async () => {
    const huge = 'A'.repeat(76) + '\r\n'
    dv.deliver(rfc822({ subject: '超大邮件', messageId: 'huge-1@example.com', body: huge.repeat(400) }));
    assert.equal(await pollNow(admin), 1);
    const [row] = await bySubject(admin, '超大邮件');
    assert.equal(row.status, 'ignored');
    assert.equal(row.error, 'too_large');
    const m = (await admin.get(`/mail/messages/${row.id}`)).body.message;
    assert.equal(m.body_text, '');
    assert.ok(m.size > 20000, `the size on the server: ${m.size}`);
    assert.ok((await dv.flags()).every((f) => f.flags.includes('\\Seen')));
  });

  test('a failed message can be handed on again; others cannot', async () => {
    const [row] = await bySubject(admin, 'HTML 邮件');
    const again = await admin.post(`/mail/messages/${row.id}/reprocess`, {});
    assert.equal(again.status, 409, show(again));
    assert.ok(isChinese(again.body.error.message), again.text);
    // as a consumer that could not make a ticket of it would
    dbWrite(srv, `UPDATE mail_messages SET status = 'failed', error = 'no contact' WHERE id = ${row.id}`);
    const r = await admin.post(`/mail/messages/${row.id}/reprocess`, {});
    assert.equal(r.status, 200, show(r));
    const m = (await admin.get(`/mail/messages/${row.id}`)).body.message;
    assert.equal(m.status, 'new');
    assert.equal(m.error, null);
    const events = srv.queryDb(`SELECT COUNT(*) FROM domain_events WHERE kind = 'mail.received' AND object_id = ${row.id}`);
    assert.equal(events[0][0], '2');
    const audit = srv.queryDb(`SELECT COUNT(*) FROM audit_log WHERE action = 'mail.reprocess' AND object_id = '${row.id}'`);
    assert.equal(audit[0][0], '1');
  });

  test('a restart takes no message twice', async () => {
    const before = (await messages(admin)).length;
    await srv.restart();
    admin.srv = srv;
    await waitFor(async () => {
      const s = (await admin.get('/mail/status')).body.mailbox;
      return s.last_attempt_at && s.last_success_at >= s.last_attempt_at;
    }, { what: 'the poll after the restart' });
    assert.equal(await pollNow(admin), 0);
    assert.equal((await messages(admin)).length, before);
  });

  test('a crash between the commit and \\Seen neither loses nor repeats the message', async () => {
    const count = () => Number(srv.queryDb("SELECT COUNT(*) FROM mail_messages WHERE message_id = 'crash-1@example.com'")[0][0]);
    // the next server dies right after its first commit, as a crash would
    srv.env = { ...srv.env, HONGYAN_TEST_MAILIN_CRASH: 'after_commit' };
    await srv.restart();
    srv.stopping = true; // the death is the test's, not a failure
    srv.killed = true;
    dv.deliver(rfc822({ subject: '崩溃测试', messageId: 'crash-1@example.com', body: '提交后、标记前' }));
    await admin.post('/mail/poll', {}).catch(() => null);
    const exit = await srv.exitPromise;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(count(), 1, 'stored before the crash');
    const uid = (await dv.flags()).find((f) => !f.flags.includes('\\Seen'));
    assert.ok(uid, 'not yet \\Seen on the server');
    delete srv.env.HONGYAN_TEST_MAILIN_CRASH;
    srv.stopping = false;
    srv.killed = false;
    srv.exited = null;
    await srv.launch();
    // The dead process's lease holds the mailbox until it runs out; then a
    // poll marks the message seen and takes it no second time.
    const busy = await admin.post('/mail/poll', {});
    assert.equal(busy.status, 409, show(busy));
    assert.equal(busy.body.error.message, '正在收取邮件，请稍后再试');
    await advanceClock(srv, 121);
    assert.equal(await pollNow(admin), 0);
    assert.ok((await dv.flags()).every((f) => f.flags.includes('\\Seen')), 'the message is \\Seen now');
    assert.equal(count(), 1);
    const [id] = srv.queryDb("SELECT id FROM mail_messages WHERE message_id = 'crash-1@example.com'")[0];
    assert.equal(srv.queryDb(`SELECT COUNT(*) FROM domain_events WHERE kind = 'mail.received' AND object_id = ${id}`)[0][0], '1');
  });
});

describe('service mailbox with a wrong password', () => {
  const { srv } = useMailbox({ label: 'mailin-badpw', password: 'not-the-password' });
  const test = srv.it;

  test('the error and its time are shown, a poll answers 502, the server keeps answering', async () => {
    const admin = new Client(srv);
    await signInFresh(srv, admin, ADMIN.login);
    const status = await waitFor(async () => {
      const s = (await admin.get('/mail/status')).body.mailbox;
      return s.last_error_at && s;
    }, { what: 'the failed start-up poll' });
    assert.equal(status.last_error_code, 'login');
    assert.equal(status.last_error_message, '邮箱服务器拒绝了用户名或密码');
    assert.match(status.last_error, /Login denied/i);
    assert.equal(status.last_success_at, null);
    const r = await admin.post('/mail/poll', {});
    assert.equal(r.status, 502, show(r));
    assert.equal(r.body.error.code, 'mail_poll_failed');
    assert.ok(isChinese(r.body.error.message));
    const en = new Client(srv, { lang: 'en' });
    en.cookies = admin.cookies;
    en.csrf = admin.csrf;
    const s = (await en.get('/mail/status')).body.mailbox;
    assert.equal(s.last_error_message, 'The mail server refused the user name or password');
    assert.ok(isEnglish((await en.post('/mail/poll', {})).body.error.message));
    assert.equal((await fetch(`${srv.baseUrl}/api/v1/health`)).status, 200);
  });
});

describe('service mailbox polled on its own', () => {
  const { dv, srv } = useMailbox({ label: 'mailin-tick', extra: { HONGYAN_IMAP_POLL_SECONDS: '1' } });
  const test = srv.it;

  test('a delivered message appears within the poll interval, without "poll now"', async () => {
    const admin = new Client(srv);
    await signInFresh(srv, admin, ADMIN.login);
    dv.deliver(rfc822({ subject: '定时收取', messageId: 'tick-1@example.com', body: '每秒收取' }));
    await waitFor(async () => (await bySubject(admin, '定时收取')).length === 1, { what: 'the scheduled poll to take the message' });
  });
});

describe('two servers over one PostgreSQL database read one mailbox', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (make test-api-pg)' }, () => {
  const dv = new Dovecot();
  const a = new TestServer({ label: 'mailin-a', users: [ADMIN] });
  const b = new TestServer({ label: 'mailin-b', sharedWith: a });
  before(async () => {
    await dv.start();
    a.env = dv.env({ HONGYAN_IMAP_POLL_SECONDS: '1' });
    b.env = a.env;
    await a.start();
    await b.start();
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await b.stop();
    await a.stop();
    await dv.stop();
  }, { timeout: 30000 * TIME_SCALE });

  a.it('each message is taken once while both poll', async () => {
    const adminA = new Client(a);
    await signInFresh(a, adminA, ADMIN.login);
    const adminB = new Client(b);
    adminB.cookies = adminA.cookies;
    adminB.csrf = adminA.csrf;
    const N = 12;
    for (let i = 0; i < N; i++) dv.deliver(rfc822({ subject: `并发 ${i}`, messageId: `pair-${i}@example.com`, body: `第 ${i} 封` }));
    // the leader's scheduler and "poll now" on both servers at once
    const answers = await Promise.all([adminA.post('/mail/poll', {}), adminB.post('/mail/poll', {}), adminA.post('/mail/poll', {}), adminB.post('/mail/poll', {})]);
    for (const r of answers) assert.equal(r.status, 200, show(r));
    await waitFor(async () => (await dv.flags()).filter((f) => f.flags.includes('\\Seen')).length === N, { what: 'every message \\Seen' });
    const rows = a.queryDb("SELECT message_id, COUNT(*) FROM mail_messages WHERE message_id LIKE 'pair-%' GROUP BY message_id");
    assert.equal(rows.length, N);
    assert.ok(rows.every(([, n]) => n === '1'), JSON.stringify(rows));
    const events = a.queryDb("SELECT COUNT(*) FROM domain_events WHERE kind = 'mail.received'");
    assert.equal(events[0][0], String(N));
  });
});
