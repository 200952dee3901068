// A minimal SMTP server that keeps what it receives, for the tests of
// e-mail with attachments: EHLO / MAIL / RCPT / DATA / RSET / QUIT in plain
// text (the server under test runs with HONGYAN_SMTP_STARTTLS=off). A
// recipient listed in `refuse` is answered 550, as a real server refuses
// an unknown mailbox, so a failed delivery can be seen too.

import net from 'node:net';

export class SmtpSink {
  constructor({ refuse = [] } = {}) {
    this.refuse = new Set(refuse);
    this.messages = [];
  }

  async start() {
    this.server = net.createServer((sock) => this.session(sock));
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  /** The environment that points the server under test here. */
  env() {
    return { HONGYAN_SMTP_URL: `smtp://127.0.0.1:${this.port}`, HONGYAN_SMTP_FROM: 'billing@hongyan.test', HONGYAN_SMTP_STARTTLS: 'off' };
  }

  session(sock) {
    let buf = '';
    let data = null;
    let env = { from: '', to: [] };
    const say = (line) => sock.write(line + '\r\n');
    say('220 sink.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            this.messages.push({ from: env.from, to: env.to, raw: Buffer.from(data.join('\r\n'), 'latin1').toString('utf8') });
            data = null;
            env = { from: '', to: [] };
            say('250 queued');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') say('250-sink.test\r\n250 8BITMIME');
        else if (cmd === 'MAIL') (env.from = line.replace(/^.*?<(.*)>.*$/, '$1')), say('250 ok');
        else if (cmd === 'RCPT') {
          const to = line.replace(/^.*?<(.*)>.*$/, '$1');
          if (this.refuse.has(to)) say('550 5.1.1 no such mailbox here');
          else env.to.push(to), say('250 ok');
        } else if (cmd === 'DATA') (data = []), say('354 go on');
        else if (cmd === 'RSET') (env = { from: '', to: [] }), say('250 ok');
        else if (cmd === 'QUIT') say('221 bye'), sock.end();
        else say('250 ok');
      }
    });
    sock.on('error', () => {});
  }

  /** The messages sent to address. */
  to(address) {
    return this.messages.filter((m) => m.to.includes(address));
  }

  async stop() {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The parts of a multipart message: [{headers (lowercase names), body}]. */
export function mimeParts(raw) {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw);
  if (!boundary) return [];
  return raw
    .split('--' + boundary[1])
    .slice(1, -1)
    .map((p) => {
      const [head, ...rest] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      const headers = {};
      for (const h of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
        const k = h.indexOf(':');
        if (k > 0) headers[h.slice(0, k).trim().toLowerCase()] = h.slice(k + 1).trim();
      }
      return { headers, body: rest.join('\r\n\r\n') };
    });
}

/** A Subject header of RFC 2047 encoded-words, decoded. */
export function decodeSubject(raw) {
  const m = /^Subject:(.*(?:\r\n[ \t].*)*)/im.exec(raw);
  if (!m) return '';
  return m[1]
    .replace(/\r\n[ \t]/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => {
      const e = /^=\?UTF-8\?B\?(.*)\?=$/i.exec(w);
      return e ? Buffer.from(e[1], 'base64') : Buffer.from(w + ' ');
    })
    .reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0))
    .toString('utf8');
}
