// A tiny API client: keeps the hy_session cookie, remembers the CSRF token
// from login / me / password responses and sends it on state-changing
// requests, sends Accept-Language, and returns {status, headers, body, text}.

import assert from 'node:assert/strict';
import { TIME_SCALE, goodPassword } from './server.mjs';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Split a Set-Cookie header list (node 18 fetch may join them with ", "). */
export function setCookieList(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  if (!joined) return [];
  // Split on commas that start a new "name=" (not the comma inside Expires=).
  return joined.split(/,(?=\s*[A-Za-z0-9_\-.!#$%&'*+^`|~]+=)/).map((s) => s.trim());
}

/** Parse one Set-Cookie line into {name, value, attrs:{lowercased: value|true}}. */
export function parseSetCookie(line) {
  const parts = line.split(';').map((s) => s.trim());
  const [nv, ...rest] = parts;
  const eq = nv.indexOf('=');
  const name = nv.slice(0, eq).trim();
  const value = nv.slice(eq + 1).trim();
  const attrs = {};
  for (const a of rest) {
    if (!a) continue;
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name, value, attrs };
}

export class Client {
  /**
   * @param srv  a TestServer (or anything with baseUrl)
   * @param opts.lang  Accept-Language to send; undefined = none of our own
   *                   (node's fetch then sends "*").
   */
  constructor(srv, { lang } = {}) {
    this.srv = srv;
    this.lang = lang;
    this.cookies = new Map();
    this.csrf = null;
    this.lastSetCookies = [];
  }

  get baseUrl() {
    return this.srv.baseUrl;
  }

  url(p) {
    return this.baseUrl + (p.startsWith('/api/') ? p : `/api/v1${p}`);
  }

  /**
   * @param opts.csrf   false: do not send X-CSRF-Token; a string: send that one
   * @param opts.raw    a string body sent as-is (Content-Type application/json)
   * @param opts.headers extra headers
   * @param opts.lang   override Accept-Language for this request
   */
  async request(method, p, body, opts = {}) {
    method = method.toUpperCase();
    const headers = { Accept: 'application/json' };
    const lang = opts.lang !== undefined ? opts.lang : this.lang;
    if (lang) headers['Accept-Language'] = lang;
    if (this.cookies.size) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (UNSAFE.has(method) && opts.csrf !== false) {
      const tok = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (tok) headers['X-CSRF-Token'] = tok;
    }
    let payload;
    if (opts.raw !== undefined) {
      payload = opts.raw;
      headers['Content-Type'] = 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    Object.assign(headers, opts.headers || {});

    let res;
    try {
      res = await fetch(this.url(p), {
        method,
        headers,
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(20000 * TIME_SCALE),
      });
    } catch (e) {
      const ex = this.srv.exited ? ` (server exited: ${JSON.stringify(this.srv.exited)})` : '';
      throw new Error(`${method} ${p} failed: ${e.message}${e.cause ? ` / ${e.cause.message}` : ''}${ex}`);
    }
    const text = await res.text();
    let json;
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    this.lastSetCookies = setCookieList(res.headers);
    for (const line of this.lastSetCookies) {
      const c = parseSetCookie(line);
      const expired =
        c.value === '' ||
        (c.attrs['max-age'] !== undefined && Number(c.attrs['max-age']) <= 0) ||
        (typeof c.attrs.expires === 'string' && Date.parse(c.attrs.expires) < Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (json && typeof json === 'object' && typeof json.csrf_token === 'string') {
      this.csrf = json.csrf_token;
    }
    return { status: res.status, headers: res.headers, body: json, text, method, path: p };
  }

  get(p, opts) {
    return this.request('GET', p, undefined, opts);
  }
  post(p, body, opts) {
    return this.request('POST', p, body, opts);
  }
  put(p, body, opts) {
    return this.request('PUT', p, body, opts);
  }
  patch(p, body, opts) {
    return this.request('PATCH', p, body, opts);
  }
  delete(p, opts) {
    return this.request('DELETE', p, undefined, opts);
  }

  /** POST /auth/login; returns the response (no assertion). */
  login(login, password) {
    return this.post('/auth/login', { login, password });
  }

  /** Sign in and assert success. */
  async signIn(login, password) {
    const r = await this.login(login, password);
    assert.equal(r.status, 200, `login ${login}: ${r.text}`);
    assert.ok(this.cookies.has('hy_session'), `login ${login} set no hy_session cookie`);
    return r;
  }

  /** Forget the session and token. */
  reset() {
    this.cookies.clear();
    this.csrf = null;
  }
}

/** Describe a response for assertion messages. */
export function show(r) {
  return `${r.method} ${r.path} → ${r.status} ${r.text && r.text.slice(0, 500)}`;
}

/**
 * Sign in a user created with `user add` / POST /users, check the forced
 * password change is required, change it and record the new password in
 * srv.users. Returns the password-change response.
 */
export async function signInFresh(srv, client, login, password) {
  const u = srv.users[login] || (srv.users[login] = { login });
  if (password) u.password = password;
  const r = await client.signIn(login, u.password);
  assert.equal(r.body.must_change_password, true, `fresh user ${login} must change password: ${show(r)}`);
  const newPassword = goodPassword('Chg');
  const c = await client.post('/auth/password', { old_password: u.password, new_password: newPassword });
  assert.equal(c.status, 200, `forced change for ${login}: ${show(c)}`);
  assert.equal(c.body.must_change_password, false, show(c));
  u.password = newPassword;
  return c;
}

/** A new client signed in as an already set-up user. */
export async function clientFor(srv, login, opts) {
  const c = new Client(srv, opts);
  await c.signIn(login, srv.users[login].password);
  return c;
}

/** Move the server's test clock forward. */
export async function advanceClock(srv, seconds) {
  const anon = new Client(srv);
  const r = await anon.post('/_test/clock', { advance_seconds: seconds });
  assert.equal(r.status, 200, `advance clock: ${show(r)}`);
  assert.equal(typeof r.body.now, 'string', show(r));
  return r.body.now;
}

/**
 * A request through node:http with exactly the given headers (fetch always
 * adds Accept-Language: *). Tolerates the server answering before the whole
 * body was sent (as it may for 413). Resolves {status, headers, body, text}.
 */
export async function rawRequest(srv, { method = 'GET', path: p, headers = {}, body } = {}) {
  const http = await import('node:http');
  const url = new URL(srv.baseUrl + (p.startsWith('/api/') ? p : `/api/v1${p}`));
  return new Promise((resolve, reject) => {
    let settled = false;
    let writeError = null;
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', (e) => {
          if (!settled) {
            settled = true;
            reject(e);
          }
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
            else if (v !== undefined) h.set(k, String(v));
          }
          resolve({ status: res.statusCode, headers: h, body: json, text, method, path: p });
        });
      },
    );
    req.setTimeout(20000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => {
      // EPIPE / ECONNRESET while uploading: give the response a moment to arrive.
      writeError = e;
      setTimeout(() => {
        if (!settled) {
          settled = true;
          reject(new Error(`${method} ${p}: ${writeError.message} and no response`));
        }
      }, 1000);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
