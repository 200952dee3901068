// E-mailing a statement (发送 / 重新发送, issue 18): the PDF goes to the
// enterprise's finance contacts with an e-mail address (not to its other
// contacts) through the outbox and a real SMTP conversation; the statement
// moves draft → sent when it is queued, shows each message's delivery
// status (a refused mailbox: failed, with the server's answer), and sends
// again on request. Without a finance e-mail address nothing changes.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';
import { SmtpSink, mimeParts, decodeSubject } from './lib/smtp.mjs';
import { monthlyStatement } from './lib/statements.mjs';

const smtp = await new SmtpSink({ refuse: ['gone@example.com'] }).start();

describe('statement e-mail', () => {
  const srv = useServer({
    label: 'statement-mail',
    env: smtp.env(),
    users: [
      { login: 'A9411', name: '发送管理员', role: 'admin', branch: 'GD' },
      { login: 'S9411', name: '发送主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9411', name: '发送经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  after(() => smtp.stop());
  const test = srv.it;
  let admin, sup, m1, st, bare;
  const NAME = '广州邮寄对账有限公司';

  test('set-up: an enterprise with finance contacts (one mailbox refused), a liaison with an address, and one without any finance address', async () => {
    ({ A9411: admin, S9411: sup, M9411: m1 } = await signInAll(srv, ['A9411', 'S9411', 'M9411']));
    ({ statement: st } = await monthlyStatement(srv, {
      admin, sup, owner: m1, name: NAME, serial: 94110001,
      contacts: [
        { name: '周会计', mobile: '13800094111', email: 'zhou@example.com', roles: ['finance'] },
        { name: '吴出纳', mobile: '13800094112', email: 'gone@example.com', roles: ['finance', 'liaison'] },
        { name: '郑联络', mobile: '13800094113', email: 'zheng@example.com', roles: ['liaison'] },
      ],
    }));
    ({ statement: bare } = await monthlyStatement(srv, {
      admin, sup, owner: m1, name: '广州无邮箱对账有限公司', serial: 94110101,
      contacts: [{ name: '冯会计', mobile: '13800094114', roles: ['finance'] }],
    }));
  });

  test('without a finance e-mail address 发送 is refused in the caller\'s language and the statement stays a draft', async () => {
    expectError(await sup.post(`/statements/${bare.id}/send`), 422, 'validation_failed', { fields: ['contacts'] });
    expectError(await sup.post(`/statements/${bare.id}/send`, {}, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['contacts'] });
    const s = (await m1.get(`/statements/${bare.id}`)).body;
    assert.deepEqual([s.status, s.mails, s.mail_status], ['draft', [], null]);
    expectError(await sup.post(`/statements/${bare.id}/resend`), 409, 'statement_status');
  });

  test('发送 e-mails the PDF to each finance contact, moves the statement to sent, and shows the delivery', async () => {
    expectError(await m1.post(`/statements/${st.id}/send`), 403, 'forbidden');
    let r = await sup.post(`/statements/${st.id}/send`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.status, 'sent');
    const s = await waitFor(async () => {
      const b = (await m1.get(`/statements/${st.id}`)).body;
      return b.mails.length === 2 && b.mails.every((m) => m.status !== 'queued') ? b : null;
    }, { what: 'both deliveries settled', timeoutMs: 30000 });
    const by = Object.fromEntries(s.mails.map((m) => [m.recipient, m]));
    assert.equal(by['zhou@example.com'].status, 'sent');
    assert.equal(by['gone@example.com'].status, 'failed');
    assert.match(by['gone@example.com'].error, /550/);
    assert.equal(smtp.to('zheng@example.com').length, 0, 'the liaison gets nothing');
    const [msg] = smtp.to('zhou@example.com');
    assert.ok(msg, 'the finance contact got the message');
    assert.equal(decodeSubject(msg.raw), `对账单 ${st.period} #${st.id} · ${NAME}`);
    const parts = mimeParts(msg.raw);
    const text = Buffer.from(parts[0].body.replace(/\s+/g, ''), 'base64').toString('utf8');
    assert.match(text, /周会计 您好/);
    const pdf = parts.find((p) => /application\/pdf/.test(p.headers['content-type'] || ''));
    assert.ok(pdf, `a PDF part among ${parts.map((p) => p.headers['content-type'])}`);
    assert.match(pdf.headers['content-disposition'], new RegExp(`filename="statement-${st.period}-${st.id}\\.pdf"`));
    const bytes = Buffer.from(pdf.body.replace(/\s+/g, ''), 'base64');
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-mail-pdf-'));
    const file = path.join(dir, 'a.pdf');
    fs.writeFileSync(file, bytes);
    const words = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
    fs.rmSync(dir, { recursive: true });
    assert.ok(words.includes(NAME), 'the PDF is this enterprise\'s statement');
    const audit = await findAudit(admin, (e) => e.detail && e.detail.statement_id === st.id, { action: 'statement.mail' });
    assert.deepEqual(audit[0].detail.recipients.sort(), ['gone@example.com', 'zhou@example.com']);
    expectError(await sup.post(`/statements/${st.id}/send`), 409, 'statement_status');
  });

  test('重新发送 e-mails it again; the list shows the round failed when one of its messages did', async () => {
    const before = smtp.to('zhou@example.com').length;
    const r = await sup.post(`/statements/${st.id}/resend`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.status, 'sent', 'a re-send does not move the status');
    await waitFor(() => smtp.to('zhou@example.com').length === before + 1, { what: 'the second message', timeoutMs: 30000 });
    const s = (await m1.get(`/statements/${st.id}`)).body;
    assert.equal(s.mails.length, 4);
    const row = await waitFor(async () => {
      const [x] = (await m1.get(`/statements?enterprise_id=${st.enterprise_id}`)).body.items;
      return x.mail_status !== 'queued' ? x : null;
    }, { what: 'the latest delivery settled' });
    assert.equal(row.mail_status, 'failed', 'gone@example.com refused it');
  });
});
