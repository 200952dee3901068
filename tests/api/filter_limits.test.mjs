// Filter trees have a cost limit (issue 13, findings 11 and 12): groups
// count as well as conditions, and a list value counts its values, so a
// tree of a thousand empty groups or of a hundred 50-tag conditions is
// refused with a clear 422 in the list, in exports and
// when saving a segment (a saved segment is valid by construction).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, tagsByName } from './lib/customers.mjs';

describe('filter limits', () => {
  const srv = useServer({ label: 'filter-limits', users: [{ login: 'M9951', name: '过滤经理', role: 'manager', branch: 'GD-GZ-01' }] });
  const test = srv.it;
  let mgr, trees;

  test('set-up', async () => {
    ({ M9951: mgr } = await signInAll(srv, ['M9951']));
    const tagIds = Object.values(await tagsByName(mgr)).map((t) => t.id);
    const ids = Array.from({ length: 50 }, (_, i) => tagIds[i % tagIds.length]);
    trees = {
      emptyGroups: { or: Array.from({ length: 1000 }, () => ({ and: [] })) },
      manyTags: { and: Array.from({ length: 100 }, () => ({ field: 'tags', op: 'has_any', value: ids })) },
    };
  });

  test('the list, an export and a segment refuse each tree with 422 on filter', async () => {
    for (const [name, tree] of Object.entries(trees)) {
      const list = await mgr.get(`/customers?filter=${encodeURIComponent(JSON.stringify(tree))}`);
      expectError(list, 422, 'validation_failed', { fields: ['filter'] });
      const seg = await mgr.post('/segments', { name: `太复杂${name}`, entity: 'customer', filter: tree });
      expectError(seg, 422, 'validation_failed', { fields: ['filter'] });
      const exp = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], filter: tree });
      expectError(exp, 422, 'validation_failed', { fields: ['filter'] });
    }
    const segs = await mgr.get('/segments');
    assert.equal(segs.status, 200, show(segs));
    assert.equal(segs.body.items.filter((s) => s.name.startsWith('太复杂')).length, 0);
  });

  test('a tree inside the limit still answers', async () => {
    const ok = { or: [{ and: [] }, { field: 'name', op: 'contains', value: '张' }] };
    const r = await mgr.get(`/customers?filter=${encodeURIComponent(JSON.stringify(ok))}`);
    assert.equal(r.status, 200, show(r));
  });

  test('a long multibyte field name gets its message, cut at a character boundary', async () => {
    const name = '字段'.repeat(40); // 240 bytes of UTF-8
    const e = expectError(
      await mgr.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: name, op: 'eq', value: 1 }))}`),
      422,
      'validation_failed',
      { fields: ['filter'] },
    );
    assert.match(e.fields.filter, /^筛选条件格式不正确: (字段)+字?$/);
  });
});
