// Per-person rights (issue 13, PIPL arts. 45 and 47): the access report of
// one person (JSON and PDF: the profile in clear, records, tasks, history,
// who revealed and who exported, audited itself; supervisors and admins
// only, scoped), and retention of inactive customers (a dry run that
// changes nothing, a run that must name the dry run and its count, then
// anonymises exactly those, audited; the old phone and name find nobody).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import {
  Uniq,
  signInAll,
  resignIn,
  branchesByCode,
  createCustomer,
  getCustomer,
  searchIds,
  findAudit,
  runExport,
  fetchBytes,
  pollJob,
} from './lib/customers.mjs';

// Old activity happens on the first date, everything else on the second.
const THEN = '2020-03-02T10:00:00+08:00';
const NOW = '2026-11-23T10:00:00+08:00';

const pdfText = (bytes) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-pdf-'));
  const file = path.join(dir, 'r.pdf');
  fs.writeFileSync(file, bytes);
  // HONGYAN_KEEP_PDF=DIR keeps a copy to look at.
  if (process.env.HONGYAN_KEEP_PDF) fs.copyFileSync(file, path.join(process.env.HONGYAN_KEEP_PDF, `access-report-${bytes.length}.pdf`));
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(text.status, 0, `pdftotext: ${text.stderr}`);
  const pages = Number((/Pages:\s+(\d+)/.exec(info.stdout) || [])[1]);
  return { text: text.stdout, pages };
};

describe('per-person rights', () => {
  const srv = useServer({
    label: 'privacy',
    users: [
      { login: 'A9131', name: '隐私管理员', role: 'admin', branch: 'GD' },
      { login: 'S9131', name: '天河主管', role: 'supervisor', branch: 'GD-GZ-01' },
      { login: 'C9131', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'S9132', name: '福田主管', role: 'supervisor', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(91);
  const logins = ['A9131', 'S9131', 'C9131', 'S9132'];
  let admin, sup, clerk, szSup, branches;
  const C = {}; // person (active), old1, old2 (inactive), busy (old, active lately), fresh
  const phone = {};
  const name = { person: '隐私本人', old1: '沉寂客户甲', old2: '沉寂客户乙', busy: '老客新访', fresh: '新来客户' };

  const setClock = async (now) => {
    const r = await new Client(srv).post('/_test/clock', { now });
    assert.equal(r.status, 200, show(r));
  };
  const record = async (client, id, body) => {
    const r = await client.post(`/customers/${id}/interactions`, body);
    assert.equal(r.status, 201, show(r));
    return r.body;
  };

  test('set-up: customers with activity in 2020, some again in 2026', async () => {
    await setClock(THEN);
    ({ A9131: admin, S9131: sup, C9131: clerk, S9132: szSup } = await signInAll(srv, logins));
    branches = await branchesByCode(admin);
    const gz = branches['GD-GZ-01'].id;
    for (const key of ['person', 'old1', 'old2', 'busy']) {
      phone[key] = u.phone();
      C[key] = await createCustomer(clerk, { name: name[key], phone: phone[key], branch_id: gz });
    }
    await record(clerk, C.old1.id, { type: 'parcel', description: '旧包裹', amount: '12.00' });
    await setClock(NOW);
    for (const [login, c] of Object.entries({ A9131: admin, S9131: sup, C9131: clerk, S9132: szSup }))
      await resignIn(srv, c, login);
    phone.fresh = u.phone();
    C.fresh = await createCustomer(clerk, { name: name.fresh, phone: phone.fresh, branch_id: gz });
    const idNumber = u.idNumber();
    const r = await clerk.patch(`/customers/${C.person.id}`, {
      version: C.person.version,
      id_number: idNumber,
      address: '广州市天河区体育西路1号',
      family_members: [{ relation: '配偶', name: '隐私配偶', phone: u.phone() }],
    });
    assert.equal(r.status, 200, show(r));
    C.person = r.body.customer;
    C.person.clearId = idNumber;
    await record(clerk, C.person.id, {
      type: 'ems',
      description: '寄往上海的EMS',
      amount: '28.00',
      follow_up: { title: '回访本人', due_at: '2026-11-25' },
    });
    await record(clerk, C.busy.id, { type: 'parcel', description: '新包裹' });
  });

  test('the access report (JSON) holds the person in clear, records, tasks, reveals and exports by whom', async () => {
    const rv = await sup.post(`/customers/${C.person.id}/reveal`, {});
    assert.equal(rv.status, 200, show(rv));
    await runExport(admin, { entity: 'customer', format: 'csv', q: phone.person, columns: ['name', 'phone'] });

    const r = await sup.get(`/customers/${C.person.id}/access-report?format=json`);
    assert.equal(r.status, 200, show(r));
    const rep = r.body;
    assert.equal(rep.customer.name, name.person);
    assert.equal(rep.customer.phone, phone.person, 'the phone in clear');
    assert.equal(rep.customer.id_number, C.person.clearId, 'the ID number in clear');
    assert.equal(rep.customer.family_members[0].name, '隐私配偶');
    assert.match(rep.generated_at, /\+08:00$/);
    assert.deepEqual(rep.interactions.map((i) => i.description), ['寄往上海的EMS']);
    assert.equal(rep.interactions[0].amount_fen, 2800);
    assert.deepEqual(rep.tasks.map((t) => t.title), ['回访本人']);
    assert.ok(rep.history.some((h) => h.field === 'address'), JSON.stringify(rep.history));
    const reveal = rep.access.find((a) => a.action === 'customer.reveal');
    assert.ok(reveal, JSON.stringify(rep.access));
    assert.equal(reveal.login, 'S9131');
    assert.equal(reveal.user_name, '天河主管');
    assert.ok(rep.access.some((a) => a.action === 'customer.access_report' && a.login === 'S9131'));
    assert.equal(rep.exports.length, 1, JSON.stringify(rep.exports));
    assert.equal(rep.exports[0].login, 'A9131');
    assert.equal(rep.exports[0].count, 1);
    assert.deepEqual(rep.exports[0].downloads.map((d) => d.login), ['A9131']);
    assert.equal(rep.recorded.views, false, 'says that mere views are not recorded');

    // An export whose conditions do not find the person is not listed.
    await runExport(admin, { entity: 'customer', format: 'csv', q: phone.fresh, columns: ['name'] });
    const again = await sup.get(`/customers/${C.person.id}/access-report`);
    assert.equal(again.status, 200, show(again));
    assert.equal(again.body.exports.length, 1);
  });

  test('the access report as a PDF: pages, the person\'s name and records in Chinese, in English too', async () => {
    const f = await fetchBytes(sup, `/customers/${C.person.id}/access-report?format=pdf`);
    assert.equal(f.status, 200, f.bytes.toString('utf8', 0, 300));
    assert.equal(f.headers.get('content-type'), 'application/pdf');
    assert.equal(f.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const { text, pages } = pdfText(f.bytes);
    assert.ok(pages >= 1, `pages: ${pages}`);
    for (const s of ['个人信息报告', name.person, phone.person, '寄往上海的EMS', '回访本人', '天河主管', '2026-11-23'])
      assert.ok(text.includes(s), `"${s}" in the PDF:\n${text.slice(0, 2000)}`);
    assert.match(text, /\+08:00/);

    const en = new Client(srv, { lang: 'en' });
    await en.signIn('A9131', srv.users.A9131.password);
    const e = await fetchBytes(en, `/customers/${C.person.id}/access-report?format=pdf`);
    assert.equal(e.status, 200);
    const t = pdfText(e.bytes).text;
    assert.ok(t.includes('Personal data access report') && t.includes(name.person), t.slice(0, 1000));
  });

  test('the report is audited; clerks get 403, another branch 404, a bad format 422', async () => {
    const rows = await findAudit(admin, (e) => e.action === 'customer.access_report' && e.object_id === String(C.person.id));
    assert.ok(rows.length >= 3, JSON.stringify(rows));
    assert.ok(rows.some((e) => e.login === 'A9131' && e.detail && e.detail.format === 'pdf'));
    expectError(await clerk.get(`/customers/${C.person.id}/access-report`), 403, 'forbidden');
    expectError(await szSup.get(`/customers/${C.person.id}/access-report`), 404, 'not_found');
    expectError(await sup.get(`/customers/${C.person.id}/access-report?format=doc`), 422, 'validation_failed');
  });

  test('retention: clerks and supervisors may not; a policy that is off has no dry run', async () => {
    expectError(await clerk.post('/admin/retention/dry-run', {}), 403, 'forbidden');
    expectError(await sup.get('/admin/retention'), 403, 'forbidden');
    const off = await admin.post('/admin/retention/dry-run', {});
    expectError(off, 422, 'validation_failed', { fields: ['years'] });
    const g = await admin.get('/admin/retention');
    expectError(
      await admin.patch('/admin/retention', { years: -1, action: 'shred', version: g.body.policy.version }),
      422,
      'validation_failed',
      { fields: ['years', 'action'] },
    );
  });

  let dry;
  test('retention dry run: counts exactly the inactive customers and changes nothing', async () => {
    const g = await admin.get('/admin/retention');
    assert.equal(g.status, 200, show(g));
    assert.deepEqual(
      { years: g.body.policy.years, action: g.body.policy.action, daily: g.body.policy.daily },
      { years: 0, action: 'anonymise', daily: false },
    );
    const p = await admin.patch('/admin/retention', { years: 3, action: 'anonymise', daily: false, version: g.body.policy.version });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.body.policy.years, 3);

    const r = await admin.post('/admin/retention/dry-run', {});
    assert.equal(r.status, 201, show(r));
    dry = r.body.dry_run;
    assert.equal(dry.count, 2);
    assert.deepEqual(dry.sample.map((s) => s.id).sort((a, b) => a - b), [C.old1.id, C.old2.id].sort((a, b) => a - b));
    assert.equal(dry.status, 'dry_run');
    // Nothing changed: still found by name and phone, unchanged profile.
    assert.deepEqual(await searchIds(admin, phone.old1), [C.old1.id]);
    assert.equal((await getCustomer(admin, C.old2.id)).name, name.old2);
    const audit = await findAudit(admin, (e) => e.action === 'retention.dry_run');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.count, 2);
  });

  test('retention run: refused when the count does not match, then anonymises exactly those, audited', async () => {
    const bad = await admin.post('/admin/retention/run', { dry_run_id: dry.id, count: 3 });
    assert.equal(bad.status, 409, show(bad));
    assert.equal(bad.body.error.code, 'retention_refused');
    assert.match(bad.body.error.message, /重新试运行/);
    assert.equal((await getCustomer(admin, C.old1.id)).name, name.old1, 'nothing changed');

    const r = await admin.post('/admin/retention/run', { dry_run_id: dry.id, count: 2 });
    assert.equal(r.status, 202, show(r));
    const run = await pollJob(admin, `/admin/retention/runs/${dry.id}`, 'run');
    assert.equal(run.status, 'done', JSON.stringify(run));
    assert.equal(run.done, 2);
    assert.ok(run.finished_at);

    for (const key of ['old1', 'old2']) {
      const c = await getCustomer(admin, C[key].id);
      assert.equal(c.name, `已匿名客户 #${C[key].id}`);
      assert.equal(c.phone, '');
      assert.deepEqual(await searchIds(admin, phone[key]), [], `old phone of ${key} finds nobody`);
      assert.deepEqual(await searchIds(admin, name[key]), [], `old name of ${key} finds nobody`);
    }
    // The business record stays, with its amount, without its text.
    const tl = await admin.get(`/customers/${C.old1.id}/interactions`);
    assert.equal(tl.status, 200, show(tl));
    assert.equal(tl.body.items.length, 1);
    assert.equal(tl.body.items[0].amount, '12.00');
    assert.equal(tl.body.items[0].description, '');
    // The active ones are untouched.
    for (const key of ['person', 'busy', 'fresh']) assert.equal((await getCustomer(admin, C[key].id)).name, name[key]);

    const batches = await findAudit(admin, (e) => e.action === 'retention.anonymise');
    assert.deepEqual(batches.flatMap((e) => e.detail.customer_ids).sort((a, b) => a - b), [C.old1.id, C.old2.id].sort((a, b) => a - b));
    const started = await findAudit(admin, (e) => e.action === 'retention.run' && e.login === 'A9131');
    assert.equal(started.length, 1);
    const done = await findAudit(admin, (e) => e.action === 'retention.finished');
    assert.equal(done.length, 1);
    assert.equal(done[0].detail.done, 2);

    // A dry run runs once.
    const twice = await admin.post('/admin/retention/run', { dry_run_id: dry.id, count: 2 });
    assert.equal(twice.status, 409, show(twice));
    // Anonymised profiles are not taken again.
    const next = await admin.post('/admin/retention/dry-run', {});
    assert.equal(next.status, 201, show(next));
    assert.equal(next.body.dry_run.count, 0);
  });

  test('retention purge: the customer, its records, tasks and history are deleted for good, audited', async () => {
    await setClock(THEN);
    await resignIn(srv, clerk, 'C9131');
    phone.gone = u.phone();
    C.gone = await createCustomer(clerk, { name: '久别客户', phone: phone.gone, branch_id: branches['GD-GZ-01'].id });
    await record(clerk, C.gone.id, { type: 'parcel', description: '旧件', follow_up: { title: '回访久别客户', due_at: '2020-03-05' } });
    await setClock(NOW);
    for (const [login, c] of Object.entries({ A9131: admin, C9131: clerk })) await resignIn(srv, c, login);

    const g = await admin.get('/admin/retention');
    const p = await admin.patch('/admin/retention', { years: 3, action: 'purge', daily: false, version: g.body.policy.version });
    assert.equal(p.status, 200, show(p));
    const d = await admin.post('/admin/retention/dry-run', {});
    assert.equal(d.status, 201, show(d));
    assert.deepEqual(d.body.dry_run.sample.map((x) => x.id), [C.gone.id], 'anonymised profiles are not taken again');
    const before = await clerk.get('/tasks?view=all&limit=200');
    assert.ok(before.body.items.some((t) => t.customer_id === C.gone.id), 'the task is listed before');
    const recsBefore = await admin.get('/interactions?limit=200');
    assert.ok(recsBefore.body.items.some((i) => i.customer_id === C.gone.id), 'the record is listed before');
    const r = await admin.post('/admin/retention/run', { dry_run_id: d.body.dry_run.id, count: 1 });
    assert.equal(r.status, 202, show(r));
    const run = await pollJob(admin, `/admin/retention/runs/${d.body.dry_run.id}`, 'run');
    assert.equal(run.status, 'done', JSON.stringify(run));

    expectError(await admin.get(`/customers/${C.gone.id}`), 404, 'not_found');
    const recs = await admin.get('/interactions?limit=200');
    assert.equal(recs.status, 200, show(recs));
    assert.ok(!recs.body.items.some((i) => i.customer_id === C.gone.id), 'its records are gone');
    const tasks = await clerk.get('/tasks?view=all&limit=200');
    assert.equal(tasks.status, 200, show(tasks));
    assert.ok(!tasks.body.items.some((t) => t.customer_id === C.gone.id), 'its tasks are gone');
    const purged = await findAudit(admin, (e) => e.action === 'retention.purge');
    assert.deepEqual(purged.flatMap((e) => e.detail.customer_ids), [C.gone.id]);
    // The customers anonymised before are still there.
    assert.equal((await getCustomer(admin, C.old1.id)).name, `已匿名客户 #${C.old1.id}`);
  });

  test('retention daily: the scheduler runs the policy once a day as the system', async () => {
    const g = await admin.get('/admin/retention');
    const p = await admin.patch('/admin/retention', { years: 3, action: 'anonymise', daily: true, version: g.body.policy.version });
    assert.equal(p.status, 200, show(p));
    await setClock(THEN);
    await resignIn(srv, clerk, 'C9131');
    phone.late = u.phone();
    C.late = await createCustomer(clerk, { name: '自动清理客户', phone: phone.late, branch_id: branches['GD-GZ-01'].id });
    // The next day: the scheduler's hourly look finds the day's run due.
    await setClock('2026-11-24T10:00:00+08:00');
    await resignIn(srv, admin, 'A9131');
    await waitFor(async () => (await getCustomer(admin, C.late.id)).name === `已匿名客户 #${C.late.id}`, {
      timeoutMs: 20000,
      what: 'the daily run to anonymise the customer',
    });
    const runs = await findAudit(admin, (e) => e.action === 'retention.run' && e.login === 'system');
    assert.equal(runs.length, 1, JSON.stringify(runs));
    assert.equal(runs[0].detail.count, 1);
  });
});
