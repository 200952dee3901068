// Stub DingTalk and WeCom group robots on 127.0.0.1, strict as the real
// ones: the DingTalk stub recomputes the signature (HMAC-SHA256 of
// "timestamp\nsecret", Base64) and refuses a wrong one with errcode 310000
// and a timestamp more than an hour off; both refuse a payload of the
// wrong shape, and the WeCom stub an unknown key. Accepted messages are
// kept in `accepted`; every request in `requests`.

import http from 'node:http';
import crypto from 'node:crypto';

const isStrList = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');

function dingtalkShape(b) {
  return (
    b && b.msgtype === 'markdown' && b.markdown && typeof b.markdown.title === 'string' && b.markdown.title !== '' &&
    typeof b.markdown.text === 'string' && b.markdown.text !== '' && b.at && isStrList(b.at.atMobiles) && b.at.isAtAll === false
  );
}

function wecomShape(b) {
  if (!b) return false;
  if (b.msgtype === 'markdown') return b.markdown && typeof b.markdown.content === 'string' && b.markdown.content !== '';
  if (b.msgtype === 'text') return b.text && typeof b.text.content === 'string' && isStrList(b.text.mentioned_mobile_list);
  return false;
}

export class RobotStub {
  /**
   * @param kind   'dingtalk' or 'wecom'
   * @param secret DingTalk signing secret, or the WeCom key
   * @param failFirst  answer the first n well-formed requests with a failure
   */
  constructor(kind, secret, { failFirst = 0 } = {}) {
    this.kind = kind;
    this.secret = secret;
    this.failFirst = failFirst;
    this.requests = [];
    this.accepted = [];
    this.token = crypto.randomBytes(8).toString('hex');
  }

  get url() {
    return this.kind === 'dingtalk'
      ? `http://127.0.0.1:${this.port}/robot/send?access_token=${this.token}`
      : `http://127.0.0.1:${this.port}/cgi-bin/webhook/send`;
  }

  judge(u, body) {
    if (this.kind === 'dingtalk') {
      if (u.pathname !== '/robot/send' || u.searchParams.get('access_token') !== this.token) return { errcode: 300001, errmsg: 'token is not exist' };
      const ts = Number(u.searchParams.get('timestamp'));
      if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 3600 * 1000) return { errcode: 310000, errmsg: 'invalid timestamp' };
      const want = crypto.createHmac('sha256', this.secret).update(`${ts}\n${this.secret}`).digest('base64');
      if (u.searchParams.get('sign') !== want) return { errcode: 310000, errmsg: 'sign not match' };
      if (!dingtalkShape(body)) return { errcode: 40035, errmsg: 'bad message' };
    } else {
      if (u.pathname !== '/cgi-bin/webhook/send' || u.searchParams.get('key') !== this.secret) return { errcode: 93000, errmsg: 'invalid webhook url' };
      if (!wecomShape(body)) return { errcode: 40008, errmsg: 'invalid message type' };
    }
    return null;
  }

  async start() {
    this.server = http.createServer((req, res) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        const u = new URL(req.url, 'http://stub');
        let body = null;
        try {
          body = JSON.parse(data);
        } catch {
          body = null;
        }
        const entry = { url: req.url, body, headers: req.headers };
        this.requests.push(entry);
        let answer = req.method === 'POST' ? this.judge(u, body) : { errcode: 405, errmsg: 'post only' };
        if (!answer && this.failFirst > 0) {
          this.failFirst--;
          answer = { errcode: -1, errmsg: 'system busy' };
        }
        if (!answer) this.accepted.push(entry);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer || { errcode: 0, errmsg: 'ok' }));
      });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    if (this.server) await new Promise((resolve) => this.server.close(resolve));
  }
}
