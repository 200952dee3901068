// Helpers for tests that meet the approval flows (审批流, migration 0037).
import assert from 'node:assert/strict';
import { show } from './client.mjs';

/** The flow of key as an administrator reads it. */
export async function flowOf(admin, key) {
  const r = await admin.get('/approval-flows');
  assert.equal(r.status, 200, show(r));
  const f = r.body.items.find((x) => x.key === key);
  assert.ok(f, `flow ${key}`);
  return f;
}

/** Change flow key (enabled, steps, params, name) as an administrator. */
export async function setFlow(admin, key, patch) {
  const f = await flowOf(admin, key);
  const r = await admin.put(`/approval-flows/${f.id}`, { version: f.version, ...patch });
  assert.equal(r.status, 200, show(r));
  return r.body.flow;
}
