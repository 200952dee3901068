// Assertions shared by the API tests.

import assert from 'node:assert/strict';
import { show } from './client.mjs';

const CJK = /[\u3400-\u9fff]/;

export function isChinese(s) {
  return typeof s === 'string' && CJK.test(s);
}

export function isEnglish(s) {
  return typeof s === 'string' && /[A-Za-z]{2,}/.test(s) && !CJK.test(s);
}

/** Messages must not leak internals. */
function assertNoLeak(r) {
  const t = r.text || '';
  for (const bad of [/sqlite/i, /\bSELECT\b/, /\bINSERT\b/, /\.c:\d+/, /\/work\//, /segmentation/i]) {
    assert.ok(!bad.test(t), `error body leaks internals (${bad}): ${show(r)}`);
  }
}

/**
 * Assert r is an error response {"error":{"code","message",["fields"]}}.
 * @param opts.lang   'zh' (default) or 'en': the language of message/fields
 * @param opts.fields field names that must be present in error.fields
 */
export function expectError(r, status, code, { lang = 'zh', fields } = {}) {
  assert.equal(r.status, status, `expected ${status} ${code}: ${show(r)}`);
  assert.ok(r.body && typeof r.body === 'object', `error body is not JSON: ${show(r)}`);
  const e = r.body.error;
  assert.ok(e && typeof e === 'object', `no "error" object: ${show(r)}`);
  assert.equal(e.code, code, `error code: ${show(r)}`);
  assert.equal(typeof e.message, 'string', `error.message: ${show(r)}`);
  assert.ok(e.message.length > 0, `empty error.message: ${show(r)}`);
  const langOk = lang === 'en' ? isEnglish : isChinese;
  assert.ok(langOk(e.message), `error.message should be ${lang === 'en' ? 'English' : 'Chinese'}: ${show(r)}`);
  const ct = r.headers.get('content-type') || '';
  assert.match(ct, /application\/json/, `error Content-Type: ${show(r)}`);
  if (fields) {
    assert.ok(e.fields && typeof e.fields === 'object', `no error.fields: ${show(r)}`);
    for (const f of fields) {
      assert.equal(typeof e.fields[f], 'string', `error.fields.${f} missing: ${show(r)}`);
      assert.ok(langOk(e.fields[f]), `error.fields.${f} should be ${lang === 'en' ? 'English' : 'Chinese'}: ${show(r)}`);
    }
  }
  assertNoLeak(r);
  return e;
}

export function expectStatus(r, status) {
  assert.equal(r.status, status, show(r));
  return r.body;
}
