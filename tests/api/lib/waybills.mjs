// Helpers of the waybill tests: valid numbers (UPU S10 and domestic), the
// NDJSON feeds through an API key, and an API key made by an admin.

import assert from 'node:assert/strict';
import { show } from './client.mjs';
import { TIME_SCALE } from './server.mjs';

const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];
const check = (sum) => {
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
};

/** A UPU S10 number from 8 serial digits: EA + digits + check + CN. */
export function s10(serial, prefix = 'EA', country = 'CN') {
  const d = String(serial).padStart(8, '0');
  const sum = [...d].reduce((s, ch, i) => s + Number(ch) * WEIGHTS[i], 0);
  return `${prefix}${d}${check(sum)}${country}`;
}

/** A domestic 13-digit number from 12 digits (weights continued cyclically). */
export function domestic(first12) {
  const d = String(first12).padStart(12, '0');
  const sum = [...d].reduce((s, ch, i) => s + Number(ch) * WEIGHTS[i % 8], 0);
  return `${d}${check(sum)}`;
}

/** The same number with its check digit made wrong. */
export function wrongDigit(no) {
  const i = /^\d{13}$/.test(no) ? 12 : 10;
  const bad = String((Number(no[i]) + 1) % 10);
  return no.slice(0, i) + bad + no.slice(i + 1);
}

/** POST an NDJSON body (lines: objects or raw strings) with a bearer key. */
export async function feed(srv, path, key, lines, { lang } = {}) {
  const body = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const headers = { 'Content-Type': 'application/x-ndjson', Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (lang) headers['Accept-Language'] = lang;
  const res = await fetch(`${srv.baseUrl}/api/v1${path}`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(120000 * TIME_SCALE),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: json, text, method: 'POST', path };
}

/** An API key with scopes, made by admin; returns {id, secret}. */
export async function makeKey(admin, name, scopes = ['waybills.write']) {
  const r = await admin.post('/api-keys', { name, scopes });
  assert.equal(r.status, 201, show(r));
  return { id: r.body.api_key.id, secret: r.body.secret, row: r.body.api_key };
}

/** ISO time at +08:00 of Unix seconds t. */
export function iso(t) {
  const d = new Date((t + 8 * 3600) * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}
