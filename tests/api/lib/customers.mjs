// Helpers for the customer API tests (issue 3): valid ID numbers and mobile
// numbers, set-up of signed-in clients, paging, job polling, downloads and
// minimal CSV / XLSX readers (no npm dependencies; node >= 18).

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { TIME_SCALE } from './server.mjs';
import { Client, signInFresh, show } from './client.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Resident ID numbers (GB 11643-1999) and mobile numbers

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** MOD 11-2 check character for the first 17 digits. */
export function idCheckChar(first17) {
  assert.match(first17, /^\d{17}$/);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/**
 * A valid 18-character ID number.
 * @param region   6-digit administrative code (first two: a province)
 * @param birthday 'YYYY-MM-DD'
 * @param seq      0..99: the two order digits before the gender digit
 * @param gender   'male' (odd 17th digit) or 'female' (even)
 */
export function makeIdNumber({ region = '440103', birthday = '1985-03-12', seq = 1, gender = 'male' } = {}) {
  const ymd = birthday.replace(/-/g, '');
  const g = gender === 'female' ? 2 * (seq % 5) : 2 * (seq % 5) + 1;
  const first17 = `${region}${ymd}${String(Math.floor(seq) % 100).padStart(2, '0')}${g}`;
  return first17 + idCheckChar(first17);
}

/** The same number with a wrong check character. */
export function wrongCheck(id18) {
  const good = id18[17];
  const bad = good === '0' ? '1' : good === 'X' ? '0' : String((Number(good) + 1) % 10);
  return id18.slice(0, 17) + bad;
}

/** Upgrade a legacy 15-digit number the way GB 11643 does (19YY, check char). */
export function upgrade15(id15) {
  assert.match(id15, /^\d{15}$/);
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + idCheckChar(first17);
}

/** Birthday and gender that an 18-character number encodes. */
export function idFacts(id18) {
  return {
    birthday: `${id18.slice(6, 10)}-${id18.slice(10, 12)}-${id18.slice(12, 14)}`,
    gender: Number(id18[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/** "13812341234" -> "138****1234" */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A valid unified social credit code (GB 32100-2015) from 17 characters. */
export function uscc(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return first17 + USCC_CHARS[(31 - (sum % 31)) % 31];
}
export function maskPhone(p) {
  return `${p.slice(0, 3)}****${p.slice(-4)}`;
}

/** "11010519491231002X" -> "110105********002X" */
export function maskId(id) {
  return `${'*'.repeat(id.length - 4)}${id.slice(-4)}`;
}

/**
 * Unique valid mobile numbers / ID numbers for one test file. Each file runs
 * its own server, so a per-file base is enough; the base keeps files apart
 * anyway in case a server is ever shared.
 */
export class Uniq {
  constructor(base) {
    this.base = base; // 0..99
    this.n = 0;
  }

  /** 11 digits: 1, a second digit 3..9, then base and a counter. */
  phone() {
    this.n += 1;
    const second = 3 + (this.n % 7);
    return `1${second}${String(this.base).padStart(2, '0')}${String(this.n * 7919 % 10000000).padStart(7, '0')}`;
  }

  /** A valid ID number with a distinct birthday per call. */
  idNumber({ region = '440106', gender = 'male' } = {}) {
    this.n += 1;
    const d = new Date(Date.UTC(1950 + (this.base % 40), 0, 1) + this.n * 86400000 * 3);
    const birthday = d.toISOString().slice(0, 10);
    return makeIdNumber({ region, birthday, seq: (this.n * 13) % 100, gender });
  }
}

// ---------------------------------------------------------------------------
// Set-up

/**
 * Sign in every user created by useServer({users}) (forced password change
 * included). Returns {login: Client}. Extra options go to the Client.
 */
export async function signInAll(srv, logins, opts) {
  const out = {};
  for (const login of logins) {
    const c = new Client(srv, opts);
    await signInFresh(srv, c, login);
    out[login] = c;
  }
  return out;
}

/** Sign a client in again with its current password (after the clock moved). */
export async function resignIn(srv, client, login) {
  client.reset();
  await client.signIn(login, srv.users[login].password);
}

/** code -> branch, through GET /branches (admin). */
export async function branchesByCode(admin) {
  const r = await admin.get('/branches');
  assert.equal(r.status, 200, show(r));
  return Object.fromEntries(r.body.items.map((b) => [b.code, b]));
}

/** The signed-in user ({id, branch_id, …}). */
export async function me(client) {
  const r = await client.get('/auth/me');
  assert.equal(r.status, 200, show(r));
  return r.body.user;
}

/** POST /customers expecting 201; returns the customer. */
export async function createCustomer(client, body) {
  const r = await client.post('/customers', body);
  assert.equal(r.status, 201, `create customer: ${show(r)}`);
  assert.ok(r.body && r.body.customer && r.body.customer.id, `no customer in ${show(r)}`);
  return r.body.customer;
}

/** GET /customers/{id} expecting 200; returns the customer. */
export async function getCustomer(client, id) {
  const r = await client.get(`/customers/${id}`);
  assert.equal(r.status, 200, `get customer ${id}: ${show(r)}`);
  return r.body.customer;
}

/** Build the /customers query string from {q, filter, sort, limit, …}. */
export function customersQuery(params = {}) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    sp.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const s = sp.toString();
  return s ? `/customers?${s}` : '/customers';
}

/** One page of GET /customers, asserting 200. */
export async function listCustomers(client, params = {}) {
  const r = await client.get(customersQuery(params));
  assert.equal(r.status, 200, show(r));
  assert.ok(Array.isArray(r.body.items), `items: ${show(r)}`);
  return r.body;
}

/**
 * Every item of GET /customers following next_cursor (bounded: at most
 * maxPages pages). Returns {items, pages, totals}.
 */
export async function listAllCustomers(client, params = {}, { maxPages = 500 } = {}) {
  const items = [];
  const totals = [];
  let cursor;
  let pages = 0;
  for (;;) {
    pages += 1;
    assert.ok(pages <= maxPages, `more than ${maxPages} pages for ${JSON.stringify(params)}`);
    const body = await listCustomers(client, { ...params, cursor });
    items.push(...body.items);
    totals.push(body.total);
    if (!body.next_cursor) break;
    assert.equal(typeof body.next_cursor, 'string', 'next_cursor must be a string or null');
    assert.notEqual(body.next_cursor, cursor, 'next_cursor did not advance');
    cursor = body.next_cursor;
  }
  return { items, pages, totals };
}

/** ids of a quick search (first page, limit 200). */
export async function searchIds(client, q, extra = {}) {
  const body = await listCustomers(client, { q, limit: 200, ...extra });
  return body.items.map((c) => c.id);
}

/** Tags by name: {name: {id, group_id, group}} from GET /tags. */
export async function tagsByName(client) {
  const r = await client.get('/tags');
  assert.equal(r.status, 200, show(r));
  return Object.fromEntries(r.body.items.map((t) => [t.name, t]));
}

/**
 * Newest audit entries matching pred (GET /audit-log, admin), scanning at
 * most `pages` pages of 200.
 */
export async function findAudit(admin, pred, { action, pages = 5 } = {}) {
  const found = [];
  let cursor;
  for (let i = 0; i < pages; i++) {
    const sp = new URLSearchParams({ limit: '200' });
    if (action) sp.set('action', action);
    if (cursor) sp.set('cursor', cursor);
    const r = await admin.get(`/audit-log?${sp}`);
    assert.equal(r.status, 200, show(r));
    for (const e of r.body.items) if (pred(e)) found.push(e);
    if (!r.body.next_cursor) break;
    cursor = r.body.next_cursor;
  }
  return found;
}

/**
 * Poll GET path until body[key].status is "done" or "failed" (or anything
 * not "running"/"uploaded"/"queued"/"pending"), at most timeoutMs.
 */
export async function pollJob(client, path, key, { timeoutMs = 60000 } = {}) {
  const deadline = Date.now() + timeoutMs * TIME_SCALE;
  let last;
  let delay = 50;
  while (Date.now() < deadline) {
    last = await client.get(path);
    assert.equal(last.status, 200, `poll ${path}: ${show(last)}`);
    const job = last.body && last.body[key];
    assert.ok(job && typeof job === 'object', `poll ${path}: no "${key}" in ${show(last)}`);
    if (!['running', 'uploaded', 'queued', 'pending'].includes(job.status)) return job;
    await sleep(delay);
    delay = Math.min(500, delay * 2);
  }
  assert.fail(`${path} still not finished after ${timeoutMs} ms: ${last && show(last)}`);
}

// ---------------------------------------------------------------------------
// Imports and exports

/** POST /imports?entity=customer with the raw CSV bytes. */
export function uploadCsv(client, bytes, { entity = 'customer', lang } = {}) {
  return client.request('POST', `/imports?entity=${entity}`, undefined, {
    raw: Buffer.from(bytes),
    headers: { 'Content-Type': 'text/csv' },
    lang,
  });
}

/**
 * GET a path with the client's cookie and return the raw bytes:
 * {status, headers, bytes (Buffer)}.
 */
export async function fetchBytes(client, p) {
  const headers = {};
  if (client.cookies.size) headers.Cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (client.lang) headers['Accept-Language'] = client.lang;
  const url = p.startsWith('http') ? p : client.url(p);
  const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(60000 * TIME_SCALE) });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, path: p };
}

/** Start an export, wait for it, download it. Returns {job, file, start}. */
export async function runExport(client, body, { timeoutMs = 60000 } = {}) {
  const start = await client.post('/exports', body);
  assert.equal(start.status, 202, `start export: ${show(start)}`);
  assert.ok(start.body.export && start.body.export.id, show(start));
  const id = start.body.export.id;
  const job = await pollJob(client, `/exports/${id}`, 'export', { timeoutMs });
  assert.equal(job.status, 'done', `export ${id} ended ${JSON.stringify(job)}`);
  const file = await fetchBytes(client, `/exports/${id}/download`);
  assert.equal(file.status, 200, `download export ${id}: ${file.status} ${file.bytes.toString('utf8', 0, 300)}`);
  return { id, job, file, start };
}

// ---------------------------------------------------------------------------
// CSV

const BOM = '\ufeff';

export function hasUtf8Bom(buf) {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
}

/** RFC 4180 parser: quoted fields, "" escapes, CRLF or LF. Strips a BOM. */
export function parseCsv(text) {
  if (text.startsWith(BOM)) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Quote one CSV cell when needed. */
export function csvCell(v) {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** rows (arrays) -> CSV text with CRLF line ends. */
export function toCsv(rows) {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------
// XLSX (a zip of XML parts): just enough to read the first worksheet.

/** Entries of a zip archive: {name: Buffer}. Stored and deflated entries. */
export function unzip(buf) {
  // End of central directory: signature 0x06054b50, within the last 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'not a zip file (no end of central directory)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // zip64: locator just before the EOCD
    const loc = eocd - 20;
    assert.equal(buf.readUInt32LE(loc), 0x07064b50, 'zip64 locator');
    const z64 = Number(buf.readBigUInt64LE(loc + 8));
    assert.equal(buf.readUInt32LE(z64), 0x06064b50, 'zip64 end of central directory');
    count = Number(buf.readBigUInt64LE(z64 + 32));
    cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const out = {};
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    let csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extra field for sizes/offset
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const usizeRaw = buf.readUInt32LE(p + 24);
        if (usizeRaw === 0xffffffff) q += 8;
        if (csize === 0xffffffff) {
          csize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (local === 0xffffffff) local = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    const lName = buf.readUInt16LE(local + 26);
    const lExtra = buf.readUInt16LE(local + 28);
    const start = local + 30 + lName + lExtra;
    const data = buf.subarray(start, start + csize);
    if (method === 0) out[name] = Buffer.from(data);
    else if (method === 8) out[name] = zlib.inflateRawSync(data);
    else assert.fail(`zip entry ${name}: unsupported method ${method}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function xmlUnescape(s) {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Text of all <t> elements inside an XML fragment (rich text runs joined). */
function textOf(fragment) {
  let s = '';
  const re = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g;
  let m;
  while ((m = re.exec(fragment))) s += xmlUnescape(m[1] || '');
  return s;
}

function colIndex(ref) {
  const letters = /^([A-Z]+)/.exec(ref)[1];
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The first worksheet of an XLSX file as an array of rows of strings
 * (shared strings, inline strings, numbers, booleans). Also returns
 * {formulas: number of <f> elements} so tests can check none were written.
 */
export function readXlsx(buf) {
  assert.ok(buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b, 'XLSX must be a zip (PK…)');
  const files = unzip(buf);
  assert.ok(files['[Content_Types].xml'], 'XLSX without [Content_Types].xml');
  const shared = [];
  if (files['xl/sharedStrings.xml']) {
    const xml = files['xl/sharedStrings.xml'].toString('utf8');
    const re = /<si>([\s\S]*?)<\/si>|<si\/>/g;
    let m;
    while ((m = re.exec(xml))) shared.push(textOf(m[1] || ''));
  }
  // First sheet: from workbook rels if present, else the lowest sheetN.xml.
  let sheetName = Object.keys(files)
    .filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n))
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)[1]) - Number(/(\d+)\.xml$/.exec(b)[1]))[0];
  assert.ok(sheetName, `no worksheet in XLSX (entries: ${Object.keys(files).join(', ')})`);
  const xml = files[sheetName].toString('utf8');
  const rows = [];
  const rowRe = /<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g;
  let rm;
  let rowNo = 0;
  while ((rm = rowRe.exec(xml))) {
    const rAttr = /\br="(\d+)"/.exec(rm[0].slice(0, rm[0].indexOf('>')));
    rowNo = rAttr ? Number(rAttr[1]) - 1 : rowNo;
    const cells = [];
    const cellRe = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
    let cm;
    let col = 0;
    while ((cm = cellRe.exec(rm[1] || ''))) {
      const attrs = cm[1];
      const inner = cm[2] || '';
      const ref = /\br="([A-Z]+\d+)"/.exec(attrs);
      if (ref) col = colIndex(ref[1]);
      const t = (/\bt="([^"]+)"/.exec(attrs) || [])[1];
      let v = '';
      if (t === 's') v = shared[Number((/<v>([\s\S]*?)<\/v>/.exec(inner) || [])[1])] ?? '';
      else if (t === 'inlineStr') v = textOf((/<is>([\s\S]*?)<\/is>/.exec(inner) || [])[1] || '');
      else if (t === 'b') v = ((/<v>([\s\S]*?)<\/v>/.exec(inner) || [])[1] || '') === '1' ? 'TRUE' : 'FALSE';
      else v = xmlUnescape((/<v>([\s\S]*?)<\/v>/.exec(inner) || [])[1] || '');
      cells[col] = v;
      col += 1;
    }
    for (let k = 0; k < cells.length; k++) if (cells[k] === undefined) cells[k] = '';
    rows[rowNo] = cells;
    rowNo += 1;
  }
  for (let k = 0; k < rows.length; k++) if (rows[k] === undefined) rows[k] = [];
  // XLSX stores no element for a blank cell; pad to the header's width the
  // way a spreadsheet shows it.
  const width = rows.length ? rows[0].length : 0;
  for (const row of rows) while (row.length < width) row.push('');
  const formulas = (xml.match(/<f[\s>]/g) || []).length;
  return { rows, formulas, files };
}

/** Today's date in China (UTC+8) as YYYY-MM-DD, shifted by `days`. */
export function cstDate(days = 0, from = Date.now()) {
  return new Date(from + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);
}
