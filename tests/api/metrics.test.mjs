// GET /api/v1/metrics, what Prometheus scrapes: requests counted by route
// pattern (never by the ids in paths) and status class, latency
// histograms, the outbox, job, event and scheduler figures. A scraper has
// no session: a bearer token (HONGYAN_METRICS_TOKEN) or, without one, a
// client on this machine only, also when a trusted proxy forwards it.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { rawRequest } from './lib/client.mjs';
import { waitFor } from './lib/wait.mjs';
import { signInAll, createCustomer } from './lib/customers.mjs';

/** Prometheus text → Map(sample line's name{labels} → number). */
function parse(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('metrics without a token: this machine only', () => {
  const srv = useServer({
    label: 'metrics',
    users: [{ login: 'C7401', name: '指标柜员', role: 'clerk', branch: 'GD-GZ-01' }],
    env: { HONGYAN_TRUSTED_PROXIES: '127.0.0.1' },
  });
  const test = srv.it;

  test('requests are counted by route and status class, with latency histograms', async () => {
    const { C7401: clerk } = await signInAll(srv, ['C7401']);
    const c = await createCustomer(clerk, { name: '指标客户', phone: '13800007401', gender: 'female' });
    for (let i = 0; i < 3; i++) assert.equal((await clerk.get(`/customers/${c.id}`)).status, 200);
    assert.equal((await clerk.get('/customers/999999')).status, 404);

    const r = await rawRequest(srv, { path: '/api/v1/metrics' });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const m = parse(r.text);
    const route = 'route="GET /api/v1/customers/{id}"';
    assert.equal(m.get(`hongyan_http_requests_total{${route},code="2xx"}`), 3);
    assert.equal(m.get(`hongyan_http_requests_total{${route},code="4xx"}`), 1);
    assert.equal(m.get(`hongyan_http_request_duration_seconds_count{${route}}`), 4);
    assert.equal(m.get(`hongyan_http_request_duration_seconds_bucket{${route},le="+Inf"}`), 4);
    const five = m.get(`hongyan_http_request_duration_seconds_bucket{${route},le="5"}`);
    assert.ok(five <= 4 && five >= m.get(`hongyan_http_request_duration_seconds_bucket{${route},le="0.001"}`));
    assert.ok(![...m.keys()].some((k) => k.includes(`/customers/${c.id}`)), 'no id in any label');
    assert.equal(m.get('hongyan_info{db="' + (process.env.HONGYAN_TEST_PG ? 'postgres' : 'sqlite') + '"}'), 1);
    for (const g of ['hongyan_outbox_backlog', 'hongyan_jobs_queued', 'hongyan_events_backlog'])
      assert.ok(m.get(g) >= 0, `${g} = ${m.get(g)}`);
    // -1 until the scheduler's first round (a second after the start)
    const { lag } = await waitFor(async () => {
      const v = parse((await rawRequest(srv, { path: '/api/v1/metrics' })).text).get('hongyan_scheduler_lag_seconds');
      return v >= 0 ? { lag: v } : null;
    }, { what: 'the scheduler\'s first round' });
    assert.ok(lag < 30, `scheduler lag ${lag}`);
    assert.ok(m.get('hongyan_process_resident_memory_bytes') > 1e6);
  });

  test('a client elsewhere, forwarded by the trusted proxy, is refused', async () => {
    const r = await rawRequest(srv, { path: '/api/v1/metrics', headers: { 'X-Forwarded-For': '203.0.113.9' } });
    assert.equal(r.status, 403);
  });
});

describe('metrics with a token', () => {
  const srv = useServer({ label: 'metrics-token', env: { HONGYAN_METRICS_TOKEN: 'scrape-secret-7401' } });
  const test = srv.it;

  test('only the bearer of the token is answered, also on this machine', async () => {
    assert.equal((await rawRequest(srv, { path: '/api/v1/metrics' })).status, 403);
    const wrong = await rawRequest(srv, { path: '/api/v1/metrics', headers: { Authorization: 'Bearer scrape-secret-740' } });
    assert.equal(wrong.status, 403);
    const right = await rawRequest(srv, { path: '/api/v1/metrics', headers: { Authorization: 'Bearer scrape-secret-7401' } });
    assert.equal(right.status, 200);
    assert.match(right.text, /^# HELP hongyan_info/m);
  });
});
