// Waiting on a condition, never on a clock: poll cond() until it returns a
// truthy value (which waitFor returns), at most timeoutMs (scaled by
// HONGYAN_TEST_TIME_SCALE for slow builds), then fail naming what was awaited.

import assert from 'node:assert/strict';
import { TIME_SCALE } from './server.mjs';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond, { timeoutMs = 10000, intervalMs = 25, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs * TIME_SCALE;
  let delay = intervalMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() >= deadline) assert.fail(`timed out after ${timeoutMs * TIME_SCALE} ms waiting for ${what}`);
    await pause(delay);
    delay = Math.min(250, delay * 2);
  }
}
