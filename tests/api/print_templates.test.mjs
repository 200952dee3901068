// Statement print templates (打印模板, issue 18): an admin edits the
// shared default (columns, their order and labels, a hidden block, bank
// details, footer, logo) and the statement PDF follows it (checked with
// pdftotext / pdfinfo / pdftoppm); an enterprise's own template wins over
// the default; bad input (an unknown block, a file that is no PNG, a PNG
// over 1 MB) is refused in zh / en and changes nothing; the preview is a
// PNG of page 1 with the page count; the XLSX of a statement holds every
// line with money as numbers.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { useServer } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, fetchBytes } from './lib/customers.mjs';
import { feed, makeKey, s10, iso } from './lib/waybills.mjs';
import { waitFor } from './lib/wait.mjs';

const GZ = '广东省/广州市/天河区';
const DESTS = ['北京市/北京市/朝阳区', '广东省/广州市/越秀区', '上海市/上海市/浦东新区', '四川省/成都市/武侯区'];

// A PNG of w x h pixels (RGB, noise when noisy: it does not compress).
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
function makePng(w, h, noisy) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = noisy ? crypto.randomBytes((w * 3 + 1) * h) : Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0; // filter: none
    if (!noisy) for (let x = 0; x < w * 3; x++) raw[y * (w * 3 + 1) + 1 + x] = x % 3 === 0 ? 200 : 30;
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// The PDF's text (pdftotext -layout), page count, and page 1 rendered.
function readPdf(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-print-'));
  const file = path.join(dir, 's.pdf');
  fs.writeFileSync(file, bytes);
  if (process.env.HONGYAN_KEEP_PDF) fs.copyFileSync(file, path.join(process.env.HONGYAN_KEEP_PDF, `print-${Date.now()}.pdf`));
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
  const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout)[1]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout);
  const ppm = spawnSync('pdftoppm', ['-png', '-r', '30', '-f', '1', '-l', '1', file, path.join(dir, 'p')]);
  const rendered = fs.readdirSync(dir).filter((n) => n.endsWith('.png')).length;
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(ppm.status, 0, 'pdftoppm renders page 1');
  assert.equal(rendered, 1);
  // flat: without the spaces pdftotext puts (or not) between glyphs
  return { text, flat: text.replace(/\s+/g, ''), pages, width: Number(size[1]), height: Number(size[2]) };
}

// The sheets of an XLSX (unzip -p): their XML by name.
function readXlsx(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-xlsx-'));
  const file = path.join(dir, 's.xlsx');
  fs.writeFileSync(file, bytes);
  const get = (name) => spawnSync('unzip', ['-p', file, name], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const out = { workbook: get('xl/workbook.xml'), sheet1: get('xl/worksheets/sheet1.xml'), sheet2: get('xl/worksheets/sheet2.xml'), shared: get('xl/sharedStrings.xml') };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

// The rows of a worksheet as arrays of cell values by column (numbers
// for <v>, text for inline or shared strings, '' for a blank cell).
function sheetRows(xml, shared) {
  const strings = [...(shared || '').matchAll(/<si>(.*?)<\/si>/gs)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  return [...xml.matchAll(/<row [^>]*>(.*?)<\/row>/gs)].map((row) => {
    const out = [];
    for (const [, col, attrs, inner] of row[1].matchAll(/<c r="([A-Z])\d+"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      const i = col.charCodeAt(0) - 65;
      while (out.length < i) out.push('');
      if (inner === undefined) out.push('');
      else if (/t="s"/.test(attrs)) out.push(strings[Number(/<v>(.*?)<\/v>/.exec(inner)[1])]);
      else if (/t="inlineStr"/.test(attrs)) out.push(inner.replace(/<[^>]+>/g, ''));
      else out.push(Number(/<v>(.*?)<\/v>/.exec(inner)[1]));
    }
    return out;
  });
}

describe('print templates: the PDF laid out from them, the preview, the XLSX', () => {
  const srv = useServer({
    label: 'print-templates',
    users: [
      { login: 'A9391', name: '模板管理员', role: 'admin', branch: 'GD' },
      { login: 'S9391', name: '模板主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9391', name: '模板经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9392', name: '深圳模板经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, m2, key, big, small, bigSt, smallSt, def;
  const N = 120;

  const statementOf = (ent) => waitFor(async () => (await m1.get(`/statements?enterprise_id=${ent.id}`)).body.items[0], { what: `the statement of ${ent.name}`, timeoutMs: 30000 });
  const pdfOf = async (st) => {
    const got = await fetchBytes(m1, `/statements/${st.id}/pdf`);
    assert.equal(got.status, 200);
    return readPdf(got.bytes);
  };
  const preview = async (id, draft, lang) => {
    const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': admin.csrf, Cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (lang) headers['Accept-Language'] = lang;
    const res = await fetch(admin.url(`/print-templates/${id}/preview`), { method: 'POST', headers, body: JSON.stringify(draft || {}) });
    return { status: res.status, type: res.headers.get('content-type'), pages: Number(res.headers.get('x-page-count')), bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const upload = (id, kind, bytes, lang) => admin.post(`/print-templates/${id}/${kind}`, undefined, { raw: bytes, headers: { 'Content-Type': 'image/png' }, lang });
  // The header line of the waybill table: its labels left to right.
  const tableHeader = (text, first) => text.split('\n').find((l) => l.includes(first));

  test('set-up: a 月结 enterprise with 120 waybills last month and one with 3', async () => {
    ({ A9391: admin, S9391: sup, M9391: m1, M9392: m2 } = await signInAll(srv, ['A9391', 'S9391', 'M9391', 'M9392']));
    key = await makeKey(admin, '模板对接');
    const now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    const d = new Date((now + 8 * 3600) * 1000);
    d.setUTCDate(0);
    const [y, m] = d.toISOString().slice(0, 7).split('-').map(Number);
    const start = Date.UTC(y, m - 1, 2, 2) / 1000;
    const make = async (name, n, serial) => {
      const r = await m1.post('/enterprises', { name, tier: 'key', status: 'active' });
      assert.equal(r.status, 201, show(r));
      const ent = r.body.enterprise;
      const lines = [];
      for (let k = 0; k < n; k++) lines.push({ waybill_no: s10(serial + k), enterprise_id: ent.id, product: 'standard', origin: GZ, destination: DESTS[k % 4], weight: ((5 + (k % 9) * 7) / 10).toFixed(1), collected_at: iso(start + k * 900) });
      const f = await feed(srv, '/waybills:batch', key.secret, lines);
      assert.equal(f.body.created, n, show(f));
      assert.equal((await sup.put(`/enterprises/${ent.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1, payment_days: 20 })).status, 200);
      return ent;
    };
    big = await make('广州模板测试有限公司', N, 93910000);
    small = await make('广州小单有限公司', 3, 93919000);
    bigSt = await statementOf(big);
    smallSt = await statementOf(small);
    assert.equal(bigSt.waybill_count, N);
  });

  test('the shared default exists: every block once, the default columns; admins only', async () => {
    const r = await admin.get('/print-templates');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.items.length, 1);
    assert.equal(r.body.items[0].enterprise_id, null);
    def = (await admin.get(`/print-templates/${r.body.items[0].id}`)).body;
    assert.deepEqual(def.blocks.map((b) => b.key), ['header', 'customer', 'summary', 'products', 'departments', 'lines', 'total', 'terms', 'bank', 'seal', 'footer']);
    assert.deepEqual(def.columns.map((c) => c.field), ['waybill_no', 'collected_at', 'product', 'destination', 'weight', 'amount', 'why']);
    expectError(await sup.get('/print-templates'), 403, 'forbidden');
    expectError(await m1.put(`/print-templates/${def.id}`, { version: def.version, footer: 'x' }), 403, 'forbidden');
  });

  test('the default PDF: Chinese text, the default columns in order, total and 大写, every page numbered of the count', async () => {
    const pdf = await pdfOf(bigSt);
    assert.ok(pdf.text.includes('广州模板测试有限公司') && pdf.text.includes('按产品汇总'), 'Chinese text and the products block');
    assert.match(tableHeader(pdf.text, '运单号'), /运单号\s+揽收日\s+产品\s+目的地\s+重量\S*\s+金额\(元\)\s+分区/);
    assert.ok(pdf.text.includes(`合计金额：${bigSt.total} 元`) && pdf.text.includes(`大写：${bigSt.total_words}`));
    for (let n = 1; n <= pdf.pages; n++) assert.ok(pdf.flat.includes(`第${n}页/共${pdf.pages}页`), `page ${n} of ${pdf.pages}`);
    assert.ok(pdf.pages >= 3, `120 lines run over pages: ${pdf.pages}`);
    for (let k = 0; k < N; k++) assert.ok(pdf.text.includes(s10(93910000 + k)), `line ${k} listed`);
    assert.ok(Math.abs(pdf.width - 595.3) < 1, 'A4');
  });

  test('an admin edits the default: columns reordered and renamed, products hidden, bank and footer; the PDF follows, audited', async () => {
    const body = {
      version: def.version,
      columns: [
        { field: 'amount', label: '费用（元）', width: 15 },
        { field: 'waybill_no', label: '', width: 25 },
        { field: 'department', label: '', width: 15 },
        { field: 'destination', label: '寄达地', width: 30 },
      ],
      blocks: def.blocks.map((b) => ({ ...b, visible: b.key === 'products' ? false : b.visible, label: b.key === 'lines' ? '邮件清单' : b.label })),
      bank: { bank: '中国工商银行广州天河支行', account: '3602000109000123456', holder: '鸿雁邮政广州分公司' },
      footer: '本对账单由鸿雁系统生成，盖章后有效。',
      company: '中国邮政集团有限公司广州市分公司',
    };
    const r = await admin.put(`/print-templates/${def.id}`, body);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.version, def.version + 1);
    def = r.body;
    const pdf = await pdfOf(bigSt);
    assert.match(tableHeader(pdf.text, '费用（元）'), /费用（元）\s+运单号\s+部门\s+寄达地/, 'the labels in the template order');
    assert.ok(!pdf.text.includes('按产品汇总'), 'the hidden block is absent');
    assert.ok(!pdf.text.includes('分区'), 'a dropped column is absent');
    for (const s of ['邮件清单', '开户行：中国工商银行广州天河支行', '账号：3602000109000123456', '户名：鸿雁邮政广州分公司', '本对账单由鸿雁系统生成，盖章后有效。', '中国邮政集团有限公司广州市分公司'])
      assert.ok(pdf.text.includes(s), `${s} printed`);
    assert.ok(pdf.text.includes(`合计金额：${bigSt.total} 元`), 'the total unchanged');
    const audit = await findAudit(admin, (e) => e.object_id === String(def.id), { action: 'print_template.update' });
    assert.equal(audit.length, 1);
  });

  test('A5 landscape changes the page and so the page count; every page still numbered of it', async () => {
    const a4 = await pdfOf(bigSt);
    let r = await admin.put(`/print-templates/${def.id}`, { version: def.version, page_size: 'A5', orientation: 'landscape' });
    assert.equal(r.status, 200, show(r));
    const a5 = await pdfOf(bigSt);
    assert.ok(Math.abs(a5.width - 595.3) < 1 && Math.abs(a5.height - 419.5) < 1, `A5 landscape: ${a5.width} x ${a5.height}`);
    assert.ok(a5.pages > a4.pages, `a smaller page takes more pages: ${a5.pages} > ${a4.pages}`);
    for (let n = 1; n <= a5.pages; n++) assert.ok(a5.flat.includes(`第${n}页/共${a5.pages}页`), `page ${n} of ${a5.pages}`);
    r = await admin.put(`/print-templates/${def.id}`, { version: r.body.version, page_size: 'A4', orientation: 'portrait' });
    assert.equal(r.status, 200, show(r));
    def = r.body;
  });

  test('an enterprise\'s own template wins over the default; the others keep the default; deleting it falls back', async () => {
    let r = await admin.post('/print-templates', { enterprise_id: big.id });
    assert.equal(r.status, 201, show(r));
    const own = r.body;
    assert.equal(own.enterprise_id, big.id);
    assert.deepEqual(own.columns.map((c) => c.label), def.columns.map((c) => c.label), 'a copy of the default');
    expectError(await admin.post('/print-templates', { enterprise_id: big.id }), 422, 'validation_failed', { fields: ['enterprise_id'] });
    r = await admin.put(`/print-templates/${own.id}`, { version: own.version, columns: [{ field: 'waybill_no', label: '邮件号', width: 30 }, { field: 'amount', label: '应付（元）', width: 20 }] });
    assert.equal(r.status, 200, show(r));
    const mine = await pdfOf(bigSt);
    assert.match(tableHeader(mine.text, '邮件号'), /邮件号\s+应付（元）/);
    const other = await pdfOf(smallSt);
    assert.ok(!other.text.includes('邮件号') && other.text.includes('费用（元）'), 'another enterprise keeps the default');
    expectError(await admin.delete(`/print-templates/${def.id}`), 409, 'conflict');
    assert.equal((await admin.delete(`/print-templates/${own.id}`)).status, 200);
    assert.ok((await pdfOf(bigSt)).text.includes('费用（元）'), 'back on the default');
  });

  test('bad input refused in zh / en with nothing changed: unknown block, unknown column, width, not a PNG, over 1 MB', async () => {
    const before = (await admin.get(`/print-templates/${def.id}`)).body;
    let r = await admin.put(`/print-templates/${def.id}`, { version: def.version, blocks: [{ key: 'qr_code', visible: true }], footer: '不应保存' });
    expectError(r, 422, 'validation_failed', { fields: ['blocks'] });
    r = await admin.put(`/print-templates/${def.id}`, { version: def.version, blocks: [{ key: 'qr_code' }] }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['blocks'] });
    r = await admin.put(`/print-templates/${def.id}`, { version: def.version, columns: [{ field: 'password', label: 'x' }], page_size: 'A3' });
    expectError(r, 422, 'validation_failed', { fields: ['columns', 'page_size'] });
    r = await admin.put(`/print-templates/${def.id}`, { version: def.version, columns: [{ field: 'amount', width: 100 }] }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['columns'] });
    r = await upload(def.id, 'logo', Buffer.from('GIF89a not a png at all'));
    expectError(r, 422, 'validation_failed', { fields: ['file'] });
    r = await upload(def.id, 'seal', Buffer.from('%PDF-1.4'), 'en');
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['file'] });
    const huge = makePng(800, 800, true);
    assert.ok(huge.length > 1 << 20, `a noise PNG over 1 MB: ${huge.length}`);
    r = await upload(def.id, 'logo', huge);
    const e = expectError(r, 422, 'validation_failed', { fields: ['file'] });
    assert.match(e.fields.file, /1 MB/);
    const after = (await admin.get(`/print-templates/${def.id}`)).body;
    assert.deepEqual(after, before, 'nothing changed');
    expectError(await admin.get(`/print-templates/${def.id}/logo`), 404, 'not_found');
  });

  test('a logo and a seal: stored, served back, drawn in the PDF (page 1 renders), removable', async () => {
    const logo = makePng(120, 40, false);
    let r = await upload(def.id, 'logo', logo);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.logo, true);
    r = await upload(def.id, 'seal', makePng(90, 90, false));
    assert.equal(r.body.seal, true, show(r));
    const blocks = r.body.blocks.map((b) => ({ ...b, visible: b.key === 'seal' ? true : b.visible }));
    r = await admin.put(`/print-templates/${def.id}`, { version: r.body.version, blocks });
    assert.equal(r.status, 200, show(r));
    def = r.body;
    const back = await fetchBytes(admin, `/print-templates/${def.id}/logo`);
    assert.equal(back.status, 200);
    assert.ok(back.bytes.equals(logo), 'the same bytes back');
    const got = await fetchBytes(m1, `/statements/${smallSt.id}/pdf`);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.includes(Buffer.from('/Subtype /Image')), 'the images are in the PDF');
    readPdf(got.bytes);
    const audit = await findAudit(admin, (e) => e.object_id === String(def.id), { action: 'print_template.logo' });
    assert.equal(audit.length, 1);
    r = await admin.delete(`/print-templates/${def.id}/seal`);
    assert.equal(r.body.seal, false, show(r));
    def = r.body;
  });

  test('the preview: a PNG of page 1 and the page count; a draft changes it and is not kept', async () => {
    const stored = await preview(def.id);
    assert.equal(stored.status, 200);
    assert.equal(stored.type, 'image/png');
    assert.ok(stored.bytes.subarray(1, 4).equals(Buffer.from('PNG')));
    assert.ok(stored.pages >= 2, `the sample runs over pages: ${stored.pages}`);
    const blocks = def.blocks.map((b) => ({ ...b, visible: b.key === 'lines' ? false : b.visible }));
    const draft = await preview(def.id, { blocks });
    assert.equal(draft.status, 200);
    assert.equal(draft.pages, 1, 'without the waybill table one page');
    assert.ok(!draft.bytes.equals(stored.bytes), 'the image changed');
    const bad = await preview(def.id, { blocks: [{ key: 'nope' }] }, 'en');
    assert.equal(bad.status, 422);
    assert.equal((await admin.get(`/print-templates/${def.id}`)).body.version, def.version, 'a preview stores nothing');
  });

  test('the XLSX: a summary and a lines sheet, every line, amounts as numbers summing to the total; scoped', async () => {
    const got = await fetchBytes(m1, `/statements/${bigSt.id}/xlsx`);
    assert.equal(got.status, 200);
    assert.match(got.headers.get('content-type'), /spreadsheetml/);
    const x = readXlsx(got.bytes);
    assert.match(x.workbook, /name="汇总"/);
    assert.match(x.workbook, /name="明细"/);
    const lines = sheetRows(x.sheet2, x.shared);
    assert.deepEqual(lines[0], ['运单号', '揽收时间', '部门', '产品', '目的地', '重量(kg)', '金额(元)', '计费说明']);
    assert.equal(lines.length, N + 1);
    const full = await m1.get(`/statements/${bigSt.id}?limit=500`);
    const byNo = new Map(full.body.lines.map((l) => [l.waybill_no, l]));
    let fen = 0;
    for (const row of lines.slice(1)) {
      assert.equal(typeof row[6], 'number', 'the amount is a number');
      assert.equal(typeof row[5], 'number', 'the weight is a number');
      const l = byNo.get(row[0]);
      assert.ok(l, `${row[0]} is a line of the statement`);
      assert.equal(row[6].toFixed(2), l.amount);
      fen += Math.round(row[6] * 100);
    }
    assert.equal((fen / 100).toFixed(2), bigSt.total);
    const summary = sheetRows(x.sheet1, x.shared);
    const total = summary.find((r) => r[0] === '合计金额(元)');
    assert.equal(total[1].toFixed(2), bigSt.total);
    assert.ok(summary.some((r) => r[0] === '大写' && r[1] === bigSt.total_words));
    assert.match(x.sheet2, /s="\d+"><v>/, 'number cells carry a format');
    expectError(await m2.get(`/statements/${bigSt.id}/xlsx`), 404, 'not_found');
  });
});
