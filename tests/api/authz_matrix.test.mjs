// The authorization matrix, generated from the route tables: every route of
// /api/v1/openapi.json × every role (and no sign-in) × an object of another
// branch (or another user). A route added without scoping fails here: its
// {param} must be classified below, and then an object it cannot see must
// answer exactly as one that does not exist.
//
// For each route and caller:
// - no sign-in → 401 unauthorized (public routes excepted);
// - a role without every permission in the route's x-permissions → 403;
// - a role with them, on a route whose {id} names a branch- or
//   owner-scoped object: the answer for another branch's (user's) object
//   has the same status and error code as for an id that does not exist,
//   and is not a success;
// - never a 500.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show, advanceClock } from './lib/client.mjs';
import { signInAll, branchesByCode, createCustomer, tagsByName, uploadCsv, runExport } from './lib/customers.mjs';
import { feed, makeKey, s10, iso } from './lib/waybills.mjs';
import { waitFor } from './lib/wait.mjs';

const MISSING = 987654321;

// {id} routes and the object of another branch or user they are tried with.
const SCOPED = [
  [/^\/customers\/\{id\}/, 'customer'],
  [/^\/interactions\/\{id\}/, 'interaction'],
  [/^\/tasks\/\{id\}/, 'task'],
  [/^\/segments\/\{id\}/, 'segment'],
  [/^\/imports\/\{id\}/, 'import'],
  [/^\/exports\/\{id\}/, 'export'],
  // an enterprise and everything under it (contacts, departments, tags,
  // business records and to-dos)
  [/^\/enterprises\/\{id\}/, 'enterprise'],
  // a waybill (by number) and a stuck-shipment alert: their enterprise's
  [/^\/waybills\/\{number\}/, 'waybill'],
  [/^\/waybill-alerts\/\{id\}/, 'waybill_alert'],
  // a service ticket and its status, replies, assignment, attachments
  [/^\/tickets\/\{id\}/, 'ticket'],
  // a monthly statement and its versions: its enterprise's
  [/^\/statements\/\{id\}/, 'statement'],
  // an approval request: its requester's, its approvers' and the admins'
  [/^\/approvals\/\{id\}/, 'approval'],
  // a saved report and a custom dashboard: their owner's until shared
  [/^\/reports\/\{id\}/, 'report'],
  [/^\/report-dashboards\/\{id\}/, 'report_dashboard'],
];
// {param} routes whose object belongs to no branch: configuration and staff
// (admin only), dictionaries and entity descriptions (shared by everyone),
// and the calendar feed, which a secret token opens.
const NOT_SCOPED = [
  /^\/branches\/\{id\}$/,
  /^\/dictionaries\/\{code\}/,
  /^\/fields\/\{id\}/,
  /^\/reminder-rules\/\{id\}$/,
  // rules and message templates act for the whole organisation (admin
  // only); a rule's branch scope is what it watches, not who may edit it
  /^\/rules\/\{id\}/,
  /^\/message-templates\/\{id\}$/,
  /^\/tag-groups\/\{id\}$/,
  /^\/tags\/\{id\}$/,
  /^\/users\/\{id\}/,
  /^\/calendar\/\{token\}$/,
  /^\/meta\/entities\/\{name\}$/,
  // form layouts are per kind of record (reading one needs the entity's
  // read right, the versions and a save the admin)
  /^\/form-layouts\/\{entity\}/,
  // retention runs are of the whole organisation (admin only)
  /^\/admin\/retention\/runs\/\{id\}$/,
  // integrations' keys and stuck-shipment thresholds (admin only)
  /^\/api-keys\/\{id\}/,
  /^\/waybill-thresholds\/\{id\}$/,
  // the business calendar is the organisation's (reading a year: anyone
  // signed in; changing it: the admin)
  /^\/work-calendar\/\{year\}$/,
  // SLA policies of the whole organisation (admin only)
  /^\/sla-policies\/\{tier\}\/\{priority\}$/,
  // notification robots serve a branch but are settings (admin only)
  /^\/notify\/robots\/\{id\}/,
  // webhook subscriptions and their deliveries are settings of the whole
  // organisation (admin only)
  /^\/webhooks\/\{id\}/,
  /^\/webhook-deliveries\/\{id\}/,
  // the service mailbox's messages belong to the organisation until a
  // ticket takes them (admin only)
  /^\/mail\/messages\/\{id\}/,
  // the list price table is one for the whole organisation (reading it
  // takes enterprises.read, changing it billing.write); contract rules sit
  // under their enterprise and are scoped with it
  /^\/price-lists\/\{id\}$/,
  // statement print templates: the organisation's default and enterprises'
  // own, configuration edited by the admin only
  /^\/print-templates\/\{id\}/,
  // the survey behind a link: its random token is the credential
  /^\/surveys\/\{token\}$/,
  // the contact portal: a portal session only (every staff role gets 403);
  // a contact's sight is its own tickets, proven in portal.test.mjs
  /^\/portal\/tickets\/\{id\}/,
  // approval flows are the organisation's settings (admin only)
  /^\/approval-flows\/\{id\}$/,
];

describe('authorization matrix', () => {
  const srv = useServer({
    label: 'authz',
    users: [
      { login: 'A9701', name: '矩阵管理员', role: 'admin', branch: 'GD' },
      { login: 'C9701', name: '矩阵柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9701', name: '矩阵经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'S9701', name: '矩阵主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C9702', name: '深圳柜员', role: 'clerk', branch: 'GD-SZ-01' },
      { login: 'M9702', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let routes;
  let callers; // [{label, client, perms}]
  const other = {}; // kind → id of an object the callers must not see
  let tagId;

  test('set-up: another branch has a customer, a business record, a task, a segment, an import and an export', async () => {
    const c = await signInAll(srv, ['A9701', 'C9701', 'M9701', 'S9701', 'C9702', 'M9702']);
    const admin = c.A9701;
    const sz = c.C9702;
    const branches = await branchesByCode(admin);
    tagId = Object.values(await tagsByName(admin))[0].id;
    const cust = await createCustomer(sz, { name: '深圳客户', phone: '13800009701', branch_id: branches['GD-SZ-01'].id });
    other.customer = cust.id;
    let r = await sz.post(`/customers/${cust.id}/interactions`, { type: 'ems', occurred_at: '2026-11-01T10:00:00+08:00', description: '寄件' });
    assert.equal(r.status, 201, show(r));
    other.interaction = (r.body.interaction || r.body).id;
    r = await sz.post('/tasks', { title: '回访深圳客户', due_at: '2026-12-20', customer_id: cust.id });
    assert.equal(r.status, 201, show(r));
    other.task = (r.body.task || r.body).id;
    r = await sz.post('/segments', { name: '深圳私有分群', entity: 'customer', q: '深圳', shared: false });
    assert.equal(r.status, 201, show(r));
    other.segment = (r.body.segment || r.body).id;
    r = await c.M9702.post('/reports', { name: '深圳私有报表', definition: { source: 'customers', measures: [{ fn: 'count' }] } });
    assert.equal(r.status, 201, show(r));
    other.report = r.body.id;
    r = await c.M9702.post('/report-dashboards', { name: '深圳私有看板', layout: [{ i: 'a', report_id: other.report, x: 0, y: 0, w: 6, h: 6 }] });
    assert.equal(r.status, 201, show(r));
    other.report_dashboard = r.body.id;
    r = await uploadCsv(sz, Buffer.from('姓名,手机号\n深圳导入,13800009702\n'));
    assert.equal(r.status, 201, show(r));
    other.import = r.body.import.id;
    other.export = (await runExport(sz, { entity: 'customer', format: 'csv', columns: ['customer_no', 'name'] })).id;
    r = await admin.post('/enterprises', { name: '深圳大客户', branch_id: branches['GD-SZ-01'].id });
    assert.equal(r.status, 201, show(r));
    other.enterprise = r.body.enterprise.id;
    r = await admin.post(`/enterprises/${other.enterprise}/contacts`, { name: '深圳联系人', mobile: '13800009703' });
    assert.equal(r.status, 201, show(r));
    // A waybill of that enterprise stalled at a processing centre hours ago:
    // the scheduler's next pass raises its alert.
    const key = await makeKey(admin, '矩阵对接');
    const now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    const no = s10(97010001);
    r = await feed(srv, '/waybills:batch', key.secret, [{ waybill_no: no, enterprise_id: other.enterprise, product: 'medical', destination: '北京市', weight: 1, collected_at: iso(now - 6 * 3600) }]);
    assert.equal(r.body.created, 1, show(r));
    r = await feed(srv, '/waybill-events:batch', key.secret, [{ waybill_no: no, at: iso(now - 3 * 3600), event_type: 'arrived', node_code: 'SZ-PC-01', node_type: 'processing' }]);
    assert.equal(r.body.created, 1, show(r));
    other.waybill_alert = await waitFor(async () => (await admin.get(`/waybill-alerts?waybill_no=${no}`)).body.items[0]?.id, { what: 'the alert of the other branch' });
    // 月结 from the first of the month: the scheduler makes last month's statement
    r = await admin.put(`/enterprises/${other.enterprise}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 });
    assert.equal(r.status, 200, show(r));
    other.statement = await waitFor(async () => (await admin.get(`/statements?enterprise_id=${other.enterprise}`)).body.items[0]?.id, { what: 'the statement of the other branch', timeoutMs: 20000 });
    for (const [k, v] of Object.entries(other)) assert.ok(Number.isInteger(v) && v > 0, `${k} id: ${v}`);
    other.waybill = no;
    r = await sz.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '深圳客户咨询', customer_id: cust.id });
    assert.equal(r.status, 201, show(r));
    other.ticket = r.body.ticket.id;
    // an erasure the admin asked for waits for the demo admin: the other
    // callers neither asked nor decide it
    r = await admin.post(`/customers/${cust.id}/erase`, {});
    assert.equal(r.status, 202, show(r));
    other.approval = r.body.approval_id;

    const doc = await new Client(srv).get('/openapi.json');
    assert.equal(doc.status, 200, show(doc));
    routes = [];
    for (const [p, ops] of Object.entries(doc.body.paths))
      for (const [method, op] of Object.entries(ops)) routes.push({ path: p, method: method.toUpperCase(), perms: op['x-permissions'], any: !!op['x-permissions-any'], public: !op.security });
    assert.ok(routes.length > 50, `only ${routes.length} routes`);
    callers = [{ label: 'no sign-in', client: new Client(srv), perms: null }];
    for (const [login, label] of [['C9701', 'clerk'], ['M9701', 'manager'], ['S9701', 'supervisor'], ['A9701', 'admin']]) {
      const me = await c[login].get('/auth/me');
      callers.push({ label, client: c[login], perms: new Set(me.body.permissions), admin: label === 'admin' });
    }
  });

  test('every {param} route is classified as scoped or not', () => {
    const unclassified = routes
      .filter((r) => r.path.includes('{') && !SCOPED.some(([re]) => re.test(r.path)) && !NOT_SCOPED.some((re) => re.test(r.path)))
      .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(unclassified, [], 'classify these routes in SCOPED or NOT_SCOPED');
  });

  const fill = (path, id) =>
    path
      .replace('{id}', String(id))
      .replace('{number}', String(id))
      .replace('{tag_id}', String(tagId))
      .replace('{code}', 'region')
      .replace('{token}', 'no-such-token')
      .replace('{name}', 'customer')
      .replace(/\{[a-z_]+\}/g, '1');

  test('every route × every caller: 401 without sign-in, 403 without the permission, never a 500', async () => {
    const problems = [];
    let asked = 0;
    for (const route of routes) {
      if (route.public) continue;
      const scoped = SCOPED.find(([re]) => re.test(route.path));
      const path = fill(route.path, scoped ? other[scoped[1]] : 1);
      for (const { label, client, perms } of callers) {
        const allowed = perms && (route.any ? route.perms.some((p) => perms.has(p)) : route.perms.every((p) => perms.has(p)));
        // A caller that passes the gate is not sent to change configuration
        // or another user's objects here; the scoped check below covers those.
        if (allowed && route.method !== 'GET') continue;
        if (allowed && scoped) continue;
        const r = await client.request(route.method, path, route.method === 'GET' ? undefined : {});
        asked++;
        const want = !perms ? [401, 'unauthorized'] : !allowed ? [403, 'forbidden'] : null;
        if (r.status >= 500) problems.push(`${label} ${route.method} ${path}: ${r.status}`);
        else if (want && (r.status !== want[0] || r.body?.error?.code !== want[1]))
          problems.push(`${label} ${route.method} ${path}: ${r.status} ${r.body?.error?.code}, want ${want.join(' ')}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(asked > 150, `only ${asked} requests asked`);
  });

  test("another branch's object answers exactly as one that does not exist, on every scoped route", async () => {
    const problems = [];
    const kinds = new Set();
    let compared = 0;
    for (const route of routes) {
      const scoped = SCOPED.find(([re]) => re.test(route.path));
      if (!scoped) continue;
      for (const { label, client, perms, admin } of callers) {
        if (!perms || admin || !(route.any ? route.perms.some((p) => perms.has(p)) : route.perms.every((p) => perms.has(p)))) continue;
        const body = route.method === 'GET' ? undefined : {};
        const theirs = await client.request(route.method, fill(route.path, other[scoped[1]]), body);
        const none = await client.request(route.method, fill(route.path, MISSING), body);
        compared++;
        kinds.add(scoped[1]);
        const same = theirs.status === none.status && theirs.body?.error?.code === none.body?.error?.code;
        if (!same || theirs.status < 400)
          problems.push(
            `${label} ${route.method} ${route.path}: another's ${scoped[1]} → ${theirs.status} ${theirs.body?.error?.code ?? ''}, ` +
              `a missing one → ${none.status} ${none.body?.error?.code ?? ''}`,
          );
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > 60, `only ${compared} comparisons`);
    assert.deepEqual([...kinds].sort(), ['approval', 'customer', 'enterprise', 'export', 'import', 'report', 'report_dashboard', 'segment', 'statement', 'task', 'ticket', 'waybill', 'waybill_alert']);
  });

  test('after all that, the other branch still has every object unchanged', async () => {
    const admin = callers.find((c) => c.admin).client;
    const r = await admin.get(`/customers/${other.customer}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.customer.name, '深圳客户');
    const t = await admin.get(`/tasks/${other.task}`);
    assert.equal(t.status, 200, show(t));
    assert.equal((t.body.task || t.body).status, 'open');
    const e = await admin.get(`/enterprises/${other.enterprise}/contacts`);
    assert.equal(e.status, 200, show(e));
    assert.deepEqual(e.body.items.map((c) => c.name), ['深圳联系人']);
  });
});
