// Exports of a saved segment (issue 13, finding 9): a segment that does not
// exist, or that the caller may not use, is refused (never read as "no
// segment", which would export everything in scope), and the audit entry
// records what was exported: the segment and its conditions, the columns,
// and the exact number of rows.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, findAudit, runExport, parseCsv } from './lib/customers.mjs';

describe('segment exports', () => {
  const srv = useServer({
    label: 'export-seg',
    users: [
      { login: 'A9901', name: '导出管理员', role: 'admin', branch: 'GD' },
      { login: 'M9901', name: '导出经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9902', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(99);
  let admin, mgr, szMgr, mine, theirs;

  test('set-up: three customers, two of them 集邮; a private segment each for two managers', async () => {
    ({ A9901: admin, M9901: mgr, M9902: szMgr } = await signInAll(srv, ['A9901', 'M9901', 'M9902']));
    const gz = (await branchesByCode(admin))['GD-GZ-01'].id;
    for (const name of ['集邮甲', '集邮乙', '寄件丙']) await createCustomer(mgr, { name, phone: u.phone(), branch_id: gz });
    let r = await mgr.post('/segments', { name: '集邮的', entity: 'customer', q: '集邮', shared: false });
    assert.equal(r.status, 201, show(r));
    mine = r.body.segment.id;
    r = await szMgr.post('/segments', { name: '深圳私有', entity: 'customer', q: '集邮', shared: false });
    assert.equal(r.status, 201, show(r));
    theirs = r.body.segment.id;
  });

  test('a missing segment, or another user\'s private one, is refused with 422 on segment_id and starts no export', async () => {
    for (const id of [987654, theirs]) {
      const r = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], segment_id: id });
      expectError(r, 422, 'validation_failed', { fields: ['segment_id'] });
    }
    const r = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], segment_id: 'x' });
    expectError(r, 422, 'validation_failed', { fields: ['segment_id'] });
    assert.deepEqual(await findAudit(admin, (e) => e.login === 'M9901', { action: 'export.create' }), []);
  });

  test('an export of the own segment has its rows, and the audit entry names the segment, its conditions, the columns and the count', async () => {
    const { id, file } = await runExport(mgr, { entity: 'customer', format: 'csv', columns: ['name'], segment_id: mine });
    const rows = parseCsv(file.bytes.toString('utf8').replace(/^\ufeff/, ''));
    assert.deepEqual(rows.slice(1).map((x) => x[0]).sort(), ['集邮乙', '集邮甲']);
    const [entry] = await findAudit(admin, (e) => String(e.object_id) === String(id), { action: 'export.create' });
    assert.ok(entry, 'audit entry of the export');
    assert.equal(entry.detail.segment_id, mine);
    assert.equal(entry.detail.segment.q, '集邮');
    assert.deepEqual(entry.detail.columns, ['name']);
    assert.equal(entry.detail.count, 2);
  });
});
