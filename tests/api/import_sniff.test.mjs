// Import files are sniffed (issue 13, finding 16): a PNG or a UTF-16LE file
// without its byte-order mark uploaded as "gbk"; a NUL byte in a cell cut
// it short silently. Files that are not text are refused at upload, in the
// user's language; a NUL in a cell fails that row, with its row number.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, uploadCsv, pollJob } from './lib/customers.mjs';

describe('import sniffing', () => {
  const srv = useServer({ label: 'import-sniff', users: [{ login: 'M9981', name: '导入经理', role: 'manager', branch: 'GD-GZ-01' }] });
  const test = srv.it;
  let mgr;

  test('a PNG and a UTF-16LE file without BOM are refused at upload with 422 on file', async () => {
    ({ M9981: mgr } = await signInAll(srv, ['M9981']));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR')]);
    const utf16 = Buffer.from('姓名,手机号\n张三,13800009981\n', 'utf16le');
    for (const [name, bytes] of [['png', png], ['utf16le', utf16]]) {
      const e = expectError(await uploadCsv(mgr, bytes), 422, 'validation_failed', { fields: ['file'] });
      assert.match(e.fields.file, /不是文本/, `${name}: ${e.fields.file}`);
    }
    const en = expectError(await uploadCsv(mgr, png, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['file'] });
    assert.match(en.fields.file, /not a text CSV/);
  });

  test('a NUL byte in a cell fails that row with its row number; the other rows go in', async () => {
    const head = Buffer.from('姓名,手机号\n');
    const rows = [Buffer.from('好行甲,13800009982\n'), Buffer.from('坏\0行,13800009983\n'), Buffer.from('好行乙,13800009984\n')];
    // The NUL sits past the first chunk the sniffer reads, as in a real file.
    const pad = Buffer.from(Array.from({ length: 3000 }, (_, i) => `填充${i},1390${String(i).padStart(7, '0')}\n`).join(''));
    const up = await uploadCsv(mgr, Buffer.concat([head, pad, ...rows]));
    assert.equal(up.status, 201, show(up));
    const run = await mgr.post(`/imports/${up.body.import.id}/run`, { mapping: { 姓名: 'name', 手机号: 'phone' }, dry_run: true, on_duplicate: 'skip' });
    assert.equal(run.status, 202, show(run));
    const job = await pollJob(mgr, `/imports/${up.body.import.id}`, 'import');
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.failed, 1, JSON.stringify(job.errors));
    const [err] = job.errors;
    assert.equal(Number(err.row), 3000 + 2 + 1, 'the bad row is the file\'s line 3003 (header = line 1)');
    assert.match(err.message, /空字符/);
  });
});
