// A real IMAP server for the service-mailbox tests: Debian's dovecot,
// started on 127.0.0.1 at a free port with a configuration, a passwd-file
// user and a Maildir in a temporary directory, no TLS, logging to a file
// there; stopped and removed after the test. The system dovecot service
// plays no part (it need not run, and this one shares nothing with it).
//
// Mail arrives as a local delivery agent drops it: an RFC 5322 file
// written into the Maildir's tmp/ and renamed into new/.
//
// As a normal user dovecot runs wholly as that user. As root (containers)
// it keeps its own system users for its processes, and the mailbox belongs
// to "nobody", since dovecot refuses to open mail as root.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.mjs';

const DOVECOT = '/usr/sbin/dovecot';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Dovecot {
  constructor({ user = 'service', password = 'Mail-secret-42' } = {}) {
    this.user = user;
    this.password = password;
    this.seq = 0;
  }

  async start() {
    if (!fs.existsSync(DOVECOT)) {
      throw new Error(
        `dovecot is not installed (${DOVECOT}): the mailbox tests need a real IMAP server.\n` +
          'Install it with: sudo apt-get install dovecot-imapd (or sh scripts/install-deps.sh)',
      );
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-dovecot-'));
    fs.chmodSync(this.dir, 0o755);
    this.port = await freePort();
    this.maildir = path.join(this.dir, 'Maildir');
    for (const d of ['new', 'cur', 'tmp']) fs.mkdirSync(path.join(this.maildir, d), { recursive: true });
    fs.mkdirSync(path.join(this.dir, 'run'));
    fs.mkdirSync(path.join(this.dir, 'home'));
    this.logPath = path.join(this.dir, 'dovecot.log');
    fs.writeFileSync(path.join(this.dir, 'passwd'), `${this.user}:{PLAIN}${this.password}::::\n`);
    const root = process.getuid() === 0;
    const me = os.userInfo();
    const group = root ? 'nogroup' : groupName(me.gid);
    const conf = [
      `base_dir = ${this.dir}/run`,
      `state_dir = ${this.dir}/run`,
      `log_path = ${this.logPath}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      'first_valid_uid = 1',
      // a wrong password is answered at once, not after the usual 2 s
      'auth_failure_delay = 0',
      root ? 'default_internal_user = dovecot' : `default_internal_user = ${me.username}`,
      root ? 'default_login_user = dovenull' : `default_login_user = ${me.username}`,
      root ? '' : `default_internal_group = ${group}`,
      `mail_location = maildir:${this.maildir}`,
      'passdb {',
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${this.dir}/passwd`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=${root ? 'nobody' : me.uid} gid=${root ? 'nogroup' : me.gid} home=${this.dir}/home`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${this.port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      // only root may chroot
      root ? '' : '  chroot =',
      '}',
      '',
    ].join('\n');
    this.confPath = path.join(this.dir, 'dovecot.conf');
    fs.writeFileSync(this.confPath, conf);
    if (root) for (const d of [this.maildir, path.join(this.dir, 'home')]) chownTree(d, 'nobody');
    this.proc = spawn(DOVECOT, ['-F', '-c', this.confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    this.proc.stdout.on('data', (d) => (this.output += d));
    this.proc.stderr.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 15000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`dovecot exited at start:\n${this.output}\n${this.log()}`);
      try {
        const greeting = await this.session([]);
        if (greeting.startsWith('* OK')) break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`dovecot did not answer on ${this.port}: ${e.message}\n${this.log()}`);
      }
      await sleep(50);
    }
    return this;
  }

  get url() {
    return `imap://127.0.0.1:${this.port}/INBOX`;
  }

  /** Settings for a Hongyan server that reads this mailbox. */
  env(extra = {}) {
    return {
      HONGYAN_IMAP_URL: this.url,
      HONGYAN_IMAP_USER: this.user,
      HONGYAN_IMAP_PASSWORD: this.password,
      HONGYAN_IMAP_STARTTLS: 'off',
      ...extra,
    };
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '(no dovecot log)';
    }
  }

  /** Drop a message (text or Buffer, CRLF line ends) into the mailbox. */
  deliver(raw) {
    const name = `${Date.now()}.M${++this.seq}P${process.pid}.hongyan-test`;
    const tmp = path.join(this.maildir, 'tmp', name);
    fs.writeFileSync(tmp, raw);
    if (process.getuid() === 0) fs.chownSync(tmp, uidOf('nobody'), fs.statSync(this.maildir).gid);
    fs.renameSync(tmp, path.join(this.maildir, 'new', name));
  }

  /**
   * Run IMAP commands as the mailbox's user (LOGIN first, LOGOUT last) and
   * answer everything the server said, the greeting first.
   */
  session(commands) {
    const all = [`a0 LOGIN "${this.user}" "${this.password}"`, ...commands, 'z LOGOUT'];
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.port, '127.0.0.1');
      let text = '';
      let sent = false;
      sock.setTimeout(5000, () => sock.destroy(new Error('IMAP timeout')));
      sock.on('data', (d) => {
        text += d.toString('latin1');
        if (!sent && text.includes('\r\n')) {
          sent = true;
          sock.write(all.map((c) => `${c}\r\n`).join(''));
        }
      });
      sock.on('error', reject);
      sock.on('close', () => resolve(text));
    });
  }

  /** The flags of every message in INBOX: [{uid, flags: [...]}]. */
  async flags() {
    const out = await this.session(['s SELECT INBOX', 'f UID FETCH 1:* (UID FLAGS)']);
    const rows = [];
    for (const m of out.matchAll(/^\* \d+ FETCH \((.*)\)\r$/gm)) {
      const uid = Number(/UID (\d+)/.exec(m[1])[1]);
      const flags = /FLAGS \(([^)]*)\)/.exec(m[1])[1].split(' ').filter(Boolean);
      rows.push({ uid, flags });
    }
    return rows;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await this.exited;
    }
    if (this.dir && !process.env.HONGYAN_KEEP_TMP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function uidOf(name) {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  assert.ok(line, `no user ${name}`);
  return Number(line.split(':')[2]);
}

function groupName(gid) {
  const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
  return line ? line.split(':')[0] : String(gid);
}

function chownTree(p, user) {
  const uid = uidOf(user);
  const gid = Number(
    fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('nogroup:')).split(':')[2],
  );
  const walk = (q) => {
    fs.chownSync(q, uid, gid);
    if (fs.statSync(q).isDirectory()) for (const n of fs.readdirSync(q)) walk(path.join(q, n));
  };
  walk(p);
}

/** A message as a mail client would send it (CRLF line ends). */
export function rfc822({ from = '张三 <zhangsan@example.com>', to = 'service@hongyan.test', subject, messageId, date = 'Thu, 03 Dec 2026 10:00:00 +0800', headers = [], body = '', contentType = 'text/plain; charset=UTF-8', encoding = '8bit' }) {
  const lines = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    `Content-Transfer-Encoding: ${encoding}`,
    ...headers,
    '',
    body,
  ];
  return lines.join('\r\n').replace(/\r?\n/g, '\r\n');
}

/** A multipart/mixed message with a text part and attachments [{name, type, bytes}]. */
export function multipart({ from, subject, messageId, text, attachments }) {
  const boundary = 'hy-boundary-42';
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n`,
    ...attachments.map(
      (a) =>
        `--${boundary}\r\nContent-Type: ${a.type}; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from(a.bytes).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
    ),
    `--${boundary}--\r\n`,
  ];
  return rfc822({ from, subject, messageId, contentType: `multipart/mixed; boundary="${boundary}"`, encoding: '7bit', body: parts.join('') });
}
