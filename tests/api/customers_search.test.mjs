// Customer search (issue 3): the quick-search box (name fragments, pinyin
// full and initials with surname readings, phone full / last 4, customer
// number, ID number), the filter language (every operator family, nesting,
// tags, regions, created range, custom fields), its errors and resistance to
// SQL injection, keyset paging, sorting, saved segments and bulk tagging.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import {
  Uniq,
  makeIdNumber,
  signInAll,
  branchesByCode,
  me,
  createCustomer,
  getCustomer,
  listCustomers,
  listAllCustomers,
  searchIds,
  tagsByName,
  resignIn,
} from './lib/customers.mjs';

const sorted = (a) => [...a].sort((x, y) => x - y);

/** "2026-11-24T10:00:00+08:00" for an epoch in ms. */
function isoCst(ms) {
  return `${new Date(ms + 8 * 3600000).toISOString().slice(0, 19)}+08:00`;
}
function dateCst(ms) {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}

describe('customer search', () => {
  const srv = useServer({
    label: 'search',
    users: [
      { login: 'A9611', name: '搜索管理员', role: 'admin', branch: 'GD' },
      { login: 'M9611', name: '搜索经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9611', name: '搜索柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9612', name: '深圳柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(62);
  let admin, mgr, clerk, szClerk;
  let branches, tags, mgrMe;
  const P = {}; // name -> customer (as created)
  const phones = {};
  const idNums = {};
  let datasetIds;

  /** ids among the data set only (later tests add customers of their own). */
  const inSet = (ids) => sorted(ids.filter((id) => datasetIds.has(id)));
  const idsOf = (...names) => sorted(names.map((n) => P[n].id));

  async function q(text, client = admin) {
    return searchIds(client, text);
  }

  async function filterIds(filter, client = admin, extra = {}) {
    const { items, totals } = await listAllCustomers(client, { filter, limit: 200, ...extra });
    const ids = items.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'a filter result repeated a customer');
    if (typeof totals[0] === 'number') assert.equal(totals[0], ids.length, `total for ${JSON.stringify(filter)}`);
    return ids;
  }

  async function expectFilter(filter, names, client = admin) {
    const ids = await filterIds(filter, client);
    assert.deepEqual(
      inSet(ids).map((id) => Object.keys(P).find((n) => P[n].id === id)).sort(),
      [...names].sort(),
      `filter ${JSON.stringify(filter)}`,
    );
    return ids;
  }

  async function expectFilter422(filter, label) {
    const r = await admin.get(`/customers?filter=${encodeURIComponent(typeof filter === 'string' ? filter : JSON.stringify(filter))}`);
    expectError(r, 422, 'validation_failed', { fields: ['filter'] });
    assert.ok(r.body.error.fields.filter.length > 0, `${label}: ${show(r)}`);
    return r;
  }

  test('set-up: staff sign in; custom fields; a data set of customers', async () => {
    ({ A9611: admin, M9611: mgr, C9611: clerk, C9612: szClerk } = await signInAll(srv, ['A9611', 'M9611', 'C9611', 'C9612']));
    branches = await branchesByCode(admin);
    tags = await tagsByName(admin);
    mgrMe = await me(mgr);
    for (const f of [
      { entity: 'customer', key: 'hy_wechat', label: '微信号', label_en: 'WeChat', type: 'text' },
      { entity: 'customer', key: 'hy_points', label: '积分', label_en: 'Points', type: 'number' },
    ]) {
      const r = await admin.post('/fields', f);
      assert.equal(r.status, 201, show(r));
    }
    const gz01 = branches['GD-GZ-01'].id;
    const sz01 = branches['GD-SZ-01'].id;
    const T = (...names) => names.map((n) => tags[n].id);
    const specs = [
      ['张三', { id: ['440103', '1960-01-15', 'male'], level: '高价值', region: '广东省/广州市/天河区', occupation: '教师', address: '广州市天河区天河路1号', interests: ['集邮'], tag_ids: T('集邮爱好者'), owner_id: mgrMe.id, custom: { hy_wechat: 'zs1960', hy_points: 150 } }],
      ['张三丰', { id: ['440104', '1970-06-01', 'male'], level: '潜力', region: '广东省/广州市/越秀区', address: '广州市越秀区中山路2号', interests: ['太极', '集邮'], tag_ids: T('集邮爱好者', '理财需求'), owner_id: mgrMe.id, custom: { hy_points: 80 } }],
      ['欧阳明月', { id: ['440304', '1985-03-12', 'female'], level: '普通', region: '广东省/深圳市/福田区', occupation: '程序员', address: '深圳市福田区深南大道3号', tag_ids: T('国际寄递'), branch_id: sz01 }],
      ['曾国藩', { id: ['110105', '1950-11-26', 'male'], level: '高价值', region: '北京市/朝阳区', occupation: '退休', address: '北京市朝阳区建国路4号', tag_ids: T('集邮爱好者', '理财需求', '电商卖家'), custom: { hy_wechat: 'zgf', hy_points: 500 } }],
      ['单雄信', { id: ['110105', '1990-08-08', 'male'], level: '潜力', region: '北京市/朝阳区', occupation: '商人', address: '北京市朝阳区望京5号' }],
      ['仇英', { occupation: null }],
      ['王五', { id: ['440305', '2000-02-02', 'female'], level: '普通', region: '广东省/深圳市/南山区', occupation: '学生', address: '深圳市南山区科技园6号' }],
    ];
    for (const [name, s] of specs) {
      const phone = u.phone();
      const body = { name, phone, branch_id: s.branch_id || gz01 };
      if (s.id) body.id_number = makeIdNumber({ region: s.id[0], birthday: s.id[1], seq: 7, gender: s.id[2] });
      for (const k of ['level', 'region', 'occupation', 'address', 'interests', 'tag_ids', 'owner_id', 'custom']) {
        if (s[k] !== undefined && s[k] !== null) body[k] = s[k];
      }
      if (name === '王五') {
        // the same last 4 digits as 张三, another prefix
        const p1 = phones['张三'];
        body.phone = `1${p1[1] === '9' ? '8' : '9'}${p1.slice(2, 7).split('').reverse().join('')}${p1.slice(7)}`;
        assert.notEqual(body.phone, p1);
      }
      P[name] = await createCustomer(admin, body);
      phones[name] = body.phone;
      idNums[name] = body.id_number;
    }
    datasetIds = new Set(Object.values(P).map((c) => c.id));
  });

  // ---- quick search ------------------------------------------------------

  test('quick search: a 2-character fragment anywhere in the name', async () => {
    assert.deepEqual(inSet(await q('三丰')), idsOf('张三丰'), '三丰 (end of a 3-character name)');
    assert.deepEqual(inSet(await q('阳明')), idsOf('欧阳明月'), '阳明 (middle of a 4-character name)');
    assert.deepEqual(inSet(await q('明月')), idsOf('欧阳明月'));
    assert.deepEqual(inSet(await q('张三')), idsOf('张三', '张三丰'));
    assert.deepEqual(inSet(await q('国藩')), idsOf('曾国藩'));
    assert.deepEqual(inSet(await q('雄信')), idsOf('单雄信'));
    assert.deepEqual(inSet(await q('曾')), idsOf('曾国藩'), 'one Chinese character');
    assert.deepEqual(inSet(await q('英')), idsOf('仇英'));
    assert.deepEqual(await q('不存在'), []);
    const body = await listCustomers(admin, { q: '三丰' });
    assert.equal(body.total, 1);
  });

  test('quick search: pinyin in full and initials, as a prefix', async () => {
    assert.deepEqual(inSet(await q('zhangsan')), idsOf('张三', '张三丰'));
    assert.deepEqual(inSet(await q('zhangsanfeng')), idsOf('张三丰'));
    assert.deepEqual(inSet(await q('zs')), idsOf('张三', '张三丰'), 'zs → 张三');
    assert.deepEqual(inSet(await q('zsf')), idsOf('张三丰'));
    assert.deepEqual(inSet(await q('ZS')), idsOf('张三', '张三丰'), 'initials are case-insensitive');
    assert.deepEqual(inSet(await q('ouyangmingyue')), idsOf('欧阳明月'));
    assert.deepEqual(inSet(await q('oymy')), idsOf('欧阳明月'));
    assert.deepEqual(inSet(await q('wangwu')), idsOf('王五'));
    assert.deepEqual(await q('xyzq'), []);
    const c = await getCustomer(admin, P['欧阳明月'].id);
    assert.equal(c.name_pinyin, 'ouyangmingyue');
    assert.equal(c.name_initials, 'oymy');
  });

  test('quick search: polyphonic surnames read as surnames — 曾 zeng, 单 shan, 仇 qiu', async () => {
    for (const [name, full, ini, wrongFull, wrongIni] of [
      ['曾国藩', 'zengguofan', 'zgf', 'cengguofan', 'cgf'],
      ['单雄信', 'shanxiongxin', 'sxx', 'danxiongxin', 'dxx'],
      ['仇英', 'qiuying', 'qy', 'chouying', 'cy'],
    ]) {
      const c = await getCustomer(admin, P[name].id);
      assert.equal(c.name_pinyin, full, `${name} pinyin`);
      assert.equal(c.name_initials, ini, `${name} initials`);
      assert.deepEqual(inSet(await q(full)), idsOf(name), `${full} → ${name}`);
      assert.deepEqual(inSet(await q(ini)), idsOf(name), `${ini} → ${name}`);
      assert.deepEqual(inSet(await q(wrongFull)), [], `${wrongFull} is not ${name}`);
      assert.deepEqual(inSet(await q(wrongIni)), [], `${wrongIni} is not ${name}`);
    }
    assert.deepEqual(inSet(await q('zeng')), idsOf('曾国藩'), 'pinyin prefix of the surname');
  });

  test('quick search: phone in full, or its last 4 digits', async () => {
    assert.deepEqual(await q(phones['单雄信']), [P['单雄信'].id]);
    assert.deepEqual(inSet(await q(phones['单雄信'].slice(-4))), idsOf('单雄信'));
    assert.deepEqual(inSet(await q(phones['张三'].slice(-4))), idsOf('张三', '王五'), 'last 4 shared by two customers');
    assert.deepEqual(await q(phones['王五']), [P['王五'].id], 'the full number finds only its owner');
    // a number nobody has
    const none = `1${phones['仇英'][1]}${'0'.repeat(9)}`;
    assert.deepEqual(await q(none), []);
  });

  test('quick search: customer number and ID number', async () => {
    assert.deepEqual(await q(P['曾国藩'].customer_no), [P['曾国藩'].id]);
    assert.deepEqual(await q(idNums['欧阳明月']), [P['欧阳明月'].id]);
    assert.deepEqual(await q(idNums['张三']), [P['张三'].id]);
    // the 15-digit form of 张三's number (born 1960) finds the upgraded one
    const id15 = idNums['张三'].slice(0, 6) + idNums['张三'].slice(8, 17);
    assert.deepEqual(await q(id15), [P['张三'].id]);
  });

  test('quick search results are masked and carry total', async () => {
    const body = await listCustomers(admin, { q: 'zs' });
    assert.equal(body.total, body.items.length);
    for (const c of body.items) assert.match(c.phone, /^1\d\d\*{4}\d{4}$/);
    assert.ok(!JSON.stringify(body).includes(phones['张三']));
  });

  // ---- the filter language ----------------------------------------------

  test('filter: eq, ne, in, nin', async () => {
    await expectFilter({ field: 'level', op: 'eq', value: '高价值' }, ['张三', '曾国藩']);
    const ne = inSet(await filterIds({ field: 'level', op: 'ne', value: '高价值' }));
    for (const n of ['张三丰', '欧阳明月', '单雄信', '王五']) assert.ok(ne.includes(P[n].id), `ne misses ${n}`);
    for (const n of ['张三', '曾国藩']) assert.ok(!ne.includes(P[n].id), `ne includes ${n}`);
    await expectFilter({ field: 'level', op: 'in', value: ['潜力', '普通'] }, ['张三丰', '欧阳明月', '单雄信', '王五']);
    const nin = inSet(await filterIds({ field: 'level', op: 'nin', value: ['高价值', '潜力'] }));
    for (const n of ['欧阳明月', '王五']) assert.ok(nin.includes(P[n].id), `nin misses ${n}`);
    for (const n of ['张三', '曾国藩', '张三丰', '单雄信']) assert.ok(!nin.includes(P[n].id), `nin includes ${n}`);
    await expectFilter({ field: 'gender', op: 'eq', value: 'female' }, ['欧阳明月', '王五']);
    await expectFilter({ field: 'customer_no', op: 'eq', value: P['单雄信'].customer_no }, ['单雄信']);
    await expectFilter({ field: 'phone', op: 'eq', value: phones['仇英'] }, ['仇英']);
    await expectFilter({ field: 'owner_id', op: 'eq', value: mgrMe.id }, ['张三', '张三丰']);
  });

  test('filter: lt, lte, gt, gte, between on dates', async () => {
    await expectFilter({ field: 'birthday', op: 'lt', value: '1960-01-15' }, ['曾国藩']);
    await expectFilter({ field: 'birthday', op: 'lte', value: '1960-01-15' }, ['曾国藩', '张三']);
    await expectFilter({ field: 'birthday', op: 'gt', value: '1985-03-12' }, ['单雄信', '王五']);
    await expectFilter({ field: 'birthday', op: 'gte', value: '1985-03-12' }, ['欧阳明月', '单雄信', '王五']);
    await expectFilter({ field: 'birthday', op: 'between', value: ['1960-01-01', '1980-12-31'] }, ['张三', '张三丰']);
  });

  test('filter: contains and starts_with (region "广东省/广州市" matches its districts)', async () => {
    await expectFilter({ field: 'name', op: 'contains', value: '三' }, ['张三', '张三丰']);
    await expectFilter({ field: 'region', op: 'starts_with', value: '广东省/广州市' }, ['张三', '张三丰']);
    await expectFilter({ field: 'region', op: 'starts_with', value: '广东省' }, ['张三', '张三丰', '欧阳明月', '王五']);
    await expectFilter({ field: 'region', op: 'eq', value: '北京市/朝阳区' }, ['曾国藩', '单雄信']);
    await expectFilter({ field: 'region', op: 'eq', value: '广东省/广州市' }, []);
    await expectFilter({ field: 'name', op: 'starts_with', value: '张' }, ['张三', '张三丰']);
    await expectFilter({ field: 'occupation', op: 'contains', value: '程序' }, ['欧阳明月']);
  });

  test('filter: is_null and not_null', async () => {
    await expectFilter({ field: 'occupation', op: 'is_null' }, ['张三丰', '仇英']);
    await expectFilter({ field: 'occupation', op: 'not_null' }, ['张三', '欧阳明月', '曾国藩', '单雄信', '王五']);
    await expectFilter({ field: 'birthday', op: 'is_null' }, ['仇英']);
  });

  test('filter: tags has / has_any / has_all by name and by id; interests has', async () => {
    await expectFilter({ field: 'tags', op: 'has', value: '集邮爱好者' }, ['张三', '张三丰', '曾国藩']);
    await expectFilter({ field: 'tags', op: 'has', value: tags['集邮爱好者'].id }, ['张三', '张三丰', '曾国藩']);
    await expectFilter({ field: 'tags', op: 'has_any', value: ['国际寄递', '电商卖家'] }, ['欧阳明月', '曾国藩']);
    await expectFilter({ field: 'tags', op: 'has_all', value: ['集邮爱好者', '理财需求'] }, ['张三丰', '曾国藩']);
    await expectFilter({ field: 'tags', op: 'has_all', value: [tags['集邮爱好者'].id, tags['电商卖家'].id] }, ['曾国藩']);
    await expectFilter({ field: 'interests', op: 'has', value: '集邮' }, ['张三', '张三丰']);
    await expectFilter({ field: 'interests', op: 'has_all', value: ['集邮', '太极'] }, ['张三丰']);
  });

  test('filter: and / or / not, nested', async () => {
    // "one click finds all 集邮爱好者 in 朝阳区"
    await expectFilter(
      { and: [{ field: 'tags', op: 'has', value: '集邮爱好者' }, { field: 'region', op: 'starts_with', value: '北京市/朝阳区' }] },
      ['曾国藩'],
    );
    await expectFilter(
      { or: [{ field: 'level', op: 'eq', value: '普通' }, { field: 'name', op: 'eq', value: '仇英' }] },
      ['欧阳明月', '王五', '仇英'],
    );
    const not = inSet(await filterIds({ not: { field: 'level', op: 'eq', value: '高价值' } }));
    assert.ok(!not.includes(P['张三'].id) && !not.includes(P['曾国藩'].id), 'not excludes the matches');
    assert.ok(not.includes(P['单雄信'].id));
    await expectFilter(
      {
        and: [
          { field: 'region', op: 'starts_with', value: '广东省' },
          { or: [{ field: 'tags', op: 'has', value: '国际寄递' }, { not: { field: 'birthday', op: 'lt', value: '1965-01-01' } }] },
        ],
      },
      ['张三丰', '欧阳明月', '王五'],
    );
  });

  test('filter: branch_id means the branch and everything below it', async () => {
    await expectFilter({ field: 'branch_id', op: 'eq', value: branches['GD-SZ'].id }, ['欧阳明月']);
    await expectFilter({ field: 'branch_id', op: 'eq', value: branches['GD-SZ-01'].id }, ['欧阳明月']);
    await expectFilter({ field: 'branch_id', op: 'eq', value: branches['GD-GZ'].id }, ['张三', '张三丰', '曾国藩', '单雄信', '仇英', '王五']);
    await expectFilter(
      { field: 'branch_id', op: 'eq', value: branches.GD.id },
      ['张三', '张三丰', '欧阳明月', '曾国藩', '单雄信', '仇英', '王五'],
    );
  });

  test('filter: created_at and updated_at within_days / older_than_days', async () => {
    const all = Object.keys(P);
    await expectFilter({ field: 'created_at', op: 'within_days', value: 1 }, all);
    await expectFilter({ field: 'created_at', op: 'older_than_days', value: 1 }, []);
    await expectFilter({ field: 'updated_at', op: 'within_days', value: 7 }, all);
  });

  test('filter: custom fields by their definition\'s type', async () => {
    await expectFilter({ field: 'custom.hy_wechat', op: 'eq', value: 'zs1960' }, ['张三']);
    await expectFilter({ field: 'custom.hy_wechat', op: 'not_null' }, ['张三', '曾国藩']);
    await expectFilter({ field: 'custom.hy_points', op: 'gt', value: 100 }, ['张三', '曾国藩']);
    await expectFilter({ field: 'custom.hy_points', op: 'between', value: [50, 200] }, ['张三', '张三丰']);
    // numeric, not text, comparison: 80 < 150 although "80" > "150"
    await expectFilter({ field: 'custom.hy_points', op: 'lt', value: 100 }, ['张三丰']);
  });

  test('filter errors: malformed JSON 400; unknown field, operator or bad value 422 with fields.filter', async () => {
    expectError(await admin.get(`/customers?filter=${encodeURIComponent('{"field":')}`), 400, 'bad_request');
    const en = new Client(srv, { lang: 'en' });
    await en.signIn('A9611', srv.users.A9611.password);
    const r = await en.get(`/customers?filter=${encodeURIComponent(JSON.stringify({ field: 'nope', op: 'eq', value: 1 }))}`);
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['filter'] });

    await expectFilter422({ field: 'nope', op: 'eq', value: 1 }, 'unknown field');
    await expectFilter422({ field: 'custom.nokey', op: 'eq', value: 1 }, 'unknown custom field');
    await expectFilter422({ field: 'name', op: 'like', value: '%' }, 'unknown operator');
    await expectFilter422({ field: 'birthday', op: 'between', value: ['1960-01-01'] }, 'between with one bound');
    await expectFilter422({ field: 'level', op: 'in', value: '高价值' }, 'in without an array');
    await expectFilter422({ field: 'birthday', op: 'gt', value: 'yesterday' }, 'not a date');
    await expectFilter422({ field: 'created_at', op: 'within_days', value: 'abc' }, 'not a number of days');
    await expectFilter422({ field: 'custom.hy_points', op: 'gt', value: 'many' }, 'not a number for a number field');
    await expectFilter422({ field: 'name', op: 'eq' }, 'missing value');
    await expectFilter422({ and: 'x' }, 'and without a list');
    await expectFilter422({ foo: [] }, 'not a condition');
    let deep = { field: 'name', op: 'eq', value: '张三' };
    for (let i = 0; i < 9; i++) deep = { not: deep };
    await expectFilter422(deep, 'nesting deeper than 8');
    const many = { or: Array.from({ length: 101 }, (_, i) => ({ field: 'name', op: 'eq', value: `名${i}` })) };
    await expectFilter422(many, 'more than 100 conditions');
    // 100 conditions are fine
    const hundred = { or: Array.from({ length: 100 }, (_, i) => ({ field: 'name', op: 'eq', value: i ? `名${i}` : '仇英' })) };
    await expectFilter(hundred, ['仇英']);
  });

  test('SQL injection in field names, operators, values, q and sort: 422/400 or harmless, and the table still works', async () => {
    const before = (await listCustomers(admin, { limit: 1 })).total;
    for (const field of [
      'name; DROP TABLE customers; --',
      "name' OR '1'='1",
      'name) OR 1=1 --',
      'custom.x") OR 1=1 --',
      "custom.hy_wechat' OR 1=1 --",
      'customers.name',
      '1',
    ]) {
      await expectFilter422({ field, op: 'eq', value: 'x' }, `field ${field}`);
    }
    await expectFilter422({ field: 'name', op: "eq; DROP TABLE customers; --", value: 'x' }, 'operator');
    for (const value of ["' OR '1'='1", "张三' OR 1=1 --", '"; DROP TABLE customers; --', '%', '_', '\\', "'); DELETE FROM customers; --"]) {
      for (const op of ['eq', 'contains', 'starts_with']) {
        const ids = await filterIds({ field: 'name', op, value });
        assert.deepEqual(ids, [], `name ${op} ${value} matched ${ids.length}`);
      }
    }
    for (const text of ["' OR 1=1 --", "'; DROP TABLE customers; --", '%', '_%_', '" OR ""="']) {
      const r = await admin.get(`/customers?q=${encodeURIComponent(text)}`);
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.body.items, [], `q=${text} matched: ${show(r)}`);
    }
    for (const sort of ['name; DROP TABLE customers', 'name desc', '(select 1)', 'password_hash', '-id;--']) {
      const r = await admin.get(`/customers?sort=${encodeURIComponent(sort)}`);
      expectError(r, 422, 'validation_failed', { fields: ['sort'] });
      assert.ok(!/sqlite|SELECT|syntax/i.test(r.text), show(r));
    }
    const cursor = await admin.get(`/customers?cursor=${encodeURIComponent("x' OR 1=1 --")}`);
    expectError(cursor, 422, 'validation_failed', { fields: ['cursor'] });
    const after = await listCustomers(admin, { limit: 1 });
    assert.equal(after.total, before, 'the customer table changed');
    assert.deepEqual(inSet(await q('三丰')), idsOf('张三丰'), 'search still works');
  });

  // ---- paging and sorting ----------------------------------------------

  test('keyset paging with limit=2 visits every customer once, in the same order as one big page', async () => {
    for (const sort of ['name', '-name', 'created_at', '-updated_at', 'customer_no', '-customer_no']) {
      const big = await listCustomers(admin, { sort, limit: 200 });
      const { items, pages, totals } = await listAllCustomers(admin, { sort, limit: 2 });
      const ids = items.map((c) => c.id);
      assert.equal(new Set(ids).size, ids.length, `sort=${sort}: a customer appeared twice`);
      assert.equal(ids.length, big.total, `sort=${sort}: visited ${ids.length} of ${big.total}`);
      assert.deepEqual(ids, big.items.map((c) => c.id), `sort=${sort}: order differs from one page`);
      assert.ok(pages >= Math.ceil(big.total / 2), `sort=${sort}: ${pages} pages`);
      for (const t of totals) if (t !== undefined) assert.equal(t, big.total, 'total is the same on every page');
    }
    // with a filter too
    const f = { field: 'region', op: 'starts_with', value: '广东省' };
    const all = await listAllCustomers(admin, { filter: f, sort: 'name', limit: 2 });
    assert.deepEqual(inSet(all.items.map((c) => c.id)), idsOf('张三', '张三丰', '欧阳明月', '王五'));
    // count=none may omit total but still pages
    const nc = await listCustomers(admin, { limit: 2, count: 'none' });
    assert.equal(nc.items.length, 2);
    assert.equal(typeof nc.next_cursor, 'string');
  });

  test('keyset paging does not repeat or skip rows when a customer is added between pages', async () => {
    const first = await listCustomers(admin, { sort: 'created_at', limit: 2 });
    await createCustomer(admin, { name: '翻页插入', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    const seen = first.items.map((c) => c.id);
    let cursor = first.next_cursor;
    for (let i = 0; cursor && i < 100; i++) {
      const pg = await listCustomers(admin, { sort: 'created_at', limit: 2, cursor });
      seen.push(...pg.items.map((c) => c.id));
      cursor = pg.next_cursor;
    }
    assert.equal(new Set(seen).size, seen.length, 'a row was repeated');
    const total = (await listCustomers(admin, { limit: 1 })).total;
    assert.equal(seen.length, total, 'the row added after page 1 (at the end of created_at order) is seen once');
  });

  test('sort by name: ascending and descending are mirror images, in pinyin order', async () => {
    const asc = (await listCustomers(admin, { sort: 'name', limit: 200 })).items;
    const desc = (await listCustomers(admin, { sort: '-name', limit: 200 })).items;
    assert.deepEqual(desc.map((c) => c.id), [...asc].reverse().map((c) => c.id));
    const byKey = (key) => asc.every((c, i) => i === 0 || String(asc[i - 1][key]) <= String(c[key]));
    assert.ok(byKey('name_pinyin'), `not in pinyin order: ${asc.map((c) => c.name)}`);
    // 王五 (wangwu) before 张三 (zhangsan), though 张 U+5F20 < 王 U+738B
    const at = (name) => asc.findIndex((c) => c.name === name);
    assert.ok(at('王五') >= 0 && at('王五') < at('张三'), `王五 not before 张三: ${asc.map((c) => c.name)}`);
    const ds = (await listCustomers(admin, { sort: '-updated_at', limit: 200 })).items;
    for (let i = 1; i < ds.length; i++) assert.ok(Date.parse(ds[i - 1].updated_at) >= Date.parse(ds[i].updated_at), '-updated_at order');
  });

  test('a limit outside 1..200 is refused with 422 on limit; 200 itself is accepted', async () => {
    for (const limit of ['1000', '201', '0', '-1', '20x']) {
      expectError(await admin.get(`/customers?limit=${limit}`), 422, 'validation_failed', { fields: ['limit'] });
    }
    const r = await admin.get('/customers?limit=200');
    assert.equal(r.status, 200, show(r));
    assert.ok(Array.isArray(r.body.items) && r.body.items.length <= 200, show(r));
  });

  // ---- segments -------------------------------------------------------

  test('segments: create shared, list and apply in the branch; private ones stay private; owner edits', async () => {
    const filter = { and: [{ field: 'tags', op: 'has', value: '集邮爱好者' }, { field: 'region', op: 'starts_with', value: '北京市/朝阳区' }] };
    const r = await mgr.post('/segments', { name: '朝阳区集邮爱好者', entity: 'customer', filter, shared: true });
    assert.equal(r.status, 201, show(r));
    const seg = r.body.segment;
    assert.equal(seg.name, '朝阳区集邮爱好者');
    assert.equal(seg.entity, 'customer');
    assert.equal(seg.shared, true);
    assert.equal(seg.owner_id, mgrMe.id);
    assert.deepEqual(seg.filter, filter);

    const priv = await mgr.post('/segments', { name: '我的拼音客户', entity: 'customer', q: 'zs', shared: false });
    assert.equal(priv.status, 201, show(priv));

    // applying = one click
    const applied = await listCustomers(mgr, { segment_id: seg.id });
    assert.deepEqual(applied.items.map((c) => c.id), [P['曾国藩'].id]);
    const appliedQ = await listCustomers(mgr, { segment_id: priv.body.segment.id });
    assert.deepEqual(inSet(appliedQ.items.map((c) => c.id)), idsOf('张三', '张三丰'));

    // the clerk of the same branch sees the shared one, not the private one
    const l = await clerk.get('/segments?entity=customer');
    assert.equal(l.status, 200, show(l));
    const mine = l.body.items.find((s) => s.id === seg.id);
    assert.ok(mine, `shared segment not listed for the branch: ${show(l)}`);
    assert.equal(mine.owner_name, '搜索经理');
    assert.ok(!l.body.items.some((s) => s.id === priv.body.segment.id), 'a private segment leaked');
    const byClerk = await listCustomers(clerk, { segment_id: seg.id });
    assert.deepEqual(byClerk.items.map((c) => c.id), [P['曾国藩'].id]);

    // another branch does not see it
    const sz = await szClerk.get('/segments?entity=customer');
    assert.equal(sz.status, 200, show(sz));
    assert.ok(!sz.body.items.some((s) => s.id === seg.id), 'segment shared outside its branch');
    const szApply = await szClerk.get(`/customers?segment_id=${seg.id}`);
    // a segment the caller may not see does not exist for him
    expectError(szApply, 404, 'not_found');

    // only the owner (or an admin) changes it
    assert.equal(typeof seg.version, 'number', show(r));
    const patchBody = { name: '朝阳区集邮客户', version: seg.version };
    expectError(await clerk.patch(`/segments/${seg.id}`, patchBody), 403, 'forbidden');
    expectError(await clerk.delete(`/segments/${seg.id}`), 403, 'forbidden');
    const p = await mgr.patch(`/segments/${seg.id}`, patchBody);
    assert.equal(p.status, 200, show(p));
    assert.equal(p.body.segment.name, '朝阳区集邮客户');

    // a segment with a bad filter is refused
    const bad = await mgr.post('/segments', { name: '坏分群', entity: 'customer', filter: { field: 'nope', op: 'eq', value: 1 } });
    expectError(bad, 422, 'validation_failed');
    expectError(await mgr.post('/segments', { name: '', entity: 'customer', filter }), 422, 'validation_failed', { fields: ['name'] });

    const d = await mgr.delete(`/segments/${priv.body.segment.id}`);
    assert.equal(d.status, 200, show(d));
    const after = await mgr.get('/segments?entity=customer');
    assert.ok(!after.body.items.some((s) => s.id === priv.body.segment.id), 'deleted segment still listed');
    assert.ok(after.body.items.some((s) => s.id === seg.id));
  });

  // ---- bulk tagging ---------------------------------------------------

  test('bulk tags: add on a filter, on a quick search and on ids; remove; counts', async () => {
    const follow = tags['需重点跟进'].id;
    const care = tags['生日关怀'].id;
    // restricted to the data set, in case the demo database holds customers too
    const mine = { field: 'name', op: 'in', value: Object.keys(P) };
    const careCount = async () => {
      const g = await mgr.get('/tag-groups');
      assert.equal(g.status, 200, show(g));
      return g.body.items.flatMap((x) => x.tags).find((x) => x.id === care).customer_count;
    };
    const care0 = await careCount();
    const r = await mgr.post('/customers/bulk-tags', {
      filter: { and: [mine, { field: 'region', op: 'starts_with', value: '北京市/朝阳区' }] },
      add: [follow],
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.updated, 2);
    await expectFilter({ field: 'tags', op: 'has', value: '需重点跟进' }, ['曾国藩', '单雄信']);

    const r2 = await mgr.post('/customers/bulk-tags', { q: 'zs', filter: mine, add: [follow, care] });
    assert.equal(r2.status, 200, show(r2));
    assert.equal(r2.body.updated, 2);
    await expectFilter({ field: 'tags', op: 'has_all', value: ['需重点跟进', '生日关怀'] }, ['张三', '张三丰']);

    const r3 = await mgr.post('/customers/bulk-tags', { ids: [P['仇英'].id], add: [care] });
    assert.equal(r3.body.updated, 1, show(r3));

    const r4 = await mgr.post('/customers/bulk-tags', {
      filter: { and: [mine, { field: 'tags', op: 'has', value: '需重点跟进' }] },
      remove: [follow],
    });
    assert.equal(r4.status, 200, show(r4));
    assert.equal(r4.body.updated, 4);
    await expectFilter({ field: 'tags', op: 'has', value: '需重点跟进' }, []);
    await expectFilter({ field: 'tags', op: 'has', value: '生日关怀' }, ['张三', '张三丰', '仇英']);

    // the tag group counts follow
    assert.equal(await careCount(), care0 + 3);

    // the manager of GD-GZ-01 cannot tag a customer of GD-SZ-01 by id
    const r5 = await mgr.post('/customers/bulk-tags', { ids: [P['欧阳明月'].id], add: [care] });
    // an id outside the scope counts as a missing one: 200, nothing updated
    assert.equal(r5.status, 200, show(r5));
    assert.equal(r5.body.updated, 0, show(r5));
    const om = await getCustomer(admin, P['欧阳明月'].id);
    assert.ok(!om.tags.some((x) => x.id === care), 'tagged a customer out of scope');

    expectError(await mgr.post('/customers/bulk-tags', { ids: [P['张三'].id], add: [987654] }), 422, 'validation_failed');
    expectError(await mgr.post('/customers/bulk-tags', { filter: { field: 'nope', op: 'eq', value: 1 }, add: [care] }), 422, 'validation_failed');
  });

  // ---- created range with the test clock (last: moves time) -------------

  test('filter: created_at range (ISO timestamps and dates) with the test clock moved 3 days on', async () => {
    const now0 = Date.parse(await advanceClock(srv, 0));
    const older = (await listCustomers(admin, { limit: 1 })).total;
    await advanceClock(srv, 3 * 86400);
    await resignIn(srv, admin, 'A9611');
    const later = await createCustomer(admin, { name: '时间旅人', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    const expectIds = async (filter, want, label) => {
      const ids = await filterIds(filter);
      if (Array.isArray(want)) assert.deepEqual(sorted(ids), sorted(want), label);
      else want(ids, label);
    };
    await expectIds({ field: 'created_at', op: 'gte', value: isoCst(now0 + 86400000) }, [later.id], 'gte ISO');
    await expectIds({ field: 'created_at', op: 'gt', value: isoCst(now0 + 2 * 86400000) }, [later.id], 'gt ISO');
    await expectIds(
      { field: 'created_at', op: 'lt', value: isoCst(now0 + 86400000) },
      (ids, label) => assert.equal(ids.length, older, label),
      'lt ISO',
    );
    await expectIds(
      { field: 'created_at', op: 'between', value: [isoCst(now0 + 2 * 86400000), isoCst(now0 + 4 * 86400000)] },
      [later.id],
      'between ISO',
    );
    await expectIds({ field: 'created_at', op: 'gte', value: dateCst(now0 + 2 * 86400000) }, [later.id], 'gte date');
    await expectIds(
      { field: 'created_at', op: 'between', value: [dateCst(now0 - 86400000), dateCst(now0 + 86400000)] },
      (ids, label) => {
        assert.equal(ids.length, older, label);
        assert.ok(!ids.includes(later.id), label);
      },
      'between dates',
    );
    await expectIds({ field: 'created_at', op: 'within_days', value: 1 }, [later.id], 'within_days 1');
    await expectIds(
      { field: 'created_at', op: 'older_than_days', value: 2 },
      (ids, label) => {
        assert.equal(ids.length, older, label);
        assert.ok(ids.includes(P['张三'].id), label);
      },
      'older_than_days 2',
    );
  });
});

// A quick search counts at most HONGYAN_QUICK_COUNT_CAP matches (10,000 in
// production; 3 here) and then says so; the page, its order and its paging
// are those of an uncapped search. Lists without q keep exact totals.
describe('quick search totals', () => {
  const srv = useServer({
    label: 'search-cap',
    users: [{ login: 'A9621', name: '计数管理员', role: 'admin', branch: 'GD' }],
    env: { HONGYAN_QUICK_COUNT_CAP: '3' },
  });
  const test = srv.it;
  const u = new Uniq(63);
  let admin;
  const zhou = [];
  let pair = [];
  let pairPhones = [];

  test('set-up: six customers named 周…, two sharing the last 4 digits of a phone', async () => {
    ({ A9621: admin } = await signInAll(srv, ['A9621']));
    const gz01 = (await branchesByCode(admin))['GD-GZ-01'].id;
    for (const name of ['周伟', '周敏', '周静', '周丽', '周强', '周磊']) {
      zhou.push(await createCustomer(admin, { name, phone: u.phone(), branch_id: gz01 }));
    }
    const p1 = u.phone();
    const p2 = `1${p1[1] === '9' ? '8' : '9'}${p1.slice(2)}`;
    pairPhones = [p1, p2];
    pair = [
      await createCustomer(admin, { name: '林一', phone: p1, branch_id: gz01 }),
      await createCustomer(admin, { name: '林二', phone: p2, branch_id: gz01 }),
    ];
  });

  test('more matches than the cap: total is the cap, total_capped is set, every page still comes', async () => {
    const want = zhou.map((c) => c.id).sort((a, b) => a - b);
    for (const q of ['zhou', 'zh', '周', 'ZHOU']) {
      const { items, totals, pages } = await listAllCustomers(admin, { q, limit: 2 });
      const ids = items.map((c) => c.id);
      assert.deepEqual([...ids].sort((a, b) => a - b), want, `q=${q}: every 周 once`);
      assert.ok(pages >= 3, `q=${q}: ${pages} pages`);
      for (const t of totals) assert.equal(t, 3, `q=${q}: total is the cap`);
      const first = await listCustomers(admin, { q, limit: 2 });
      assert.equal(first.total_capped, true, `q=${q}: total_capped`);
      // newest first, across the page boundaries (the first page of "zh"
      // walks the customers newest first; later pages sort the matches)
      const stamps = items.map((c) => [c.updated_at, c.id]);
      for (let i = 1; i < stamps.length; i++) {
        const [a, b] = [stamps[i - 1], stamps[i]];
        assert.ok(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]), `q=${q}: order at ${i}: ${JSON.stringify(stamps)}`);
      }
    }
  });

  test('up to the cap the total is exact and not marked', async () => {
    const one = await listCustomers(admin, { q: 'zhouwei' });
    assert.equal(one.total, 1);
    assert.equal(one.total_capped, undefined);
    assert.deepEqual(one.items.map((c) => c.id), [zhou[0].id]);
    for (const q of [pairPhones[1], pair[1].customer_no]) {
      const exact = await listCustomers(admin, { q });
      assert.equal(exact.total, 1, `q=${q}`);
      assert.deepEqual(exact.items.map((c) => c.id), [pair[1].id], `q=${q}`);
    }
    // more matches than the page, fewer than the cap: counted exactly
    const last4 = await listCustomers(admin, { q: zhouLast4(), limit: 1 });
    assert.equal(last4.total, 2, 'two customers share the last 4 digits');
    assert.equal(last4.items.length, 1);
    assert.equal(typeof last4.next_cursor, 'string');
    const rest = await listCustomers(admin, { q: zhouLast4(), limit: 1, cursor: last4.next_cursor });
    assert.equal(rest.total, 2, 'the second page counts the same');
    assert.deepEqual(
      [last4.items[0].id, rest.items[0].id].sort((a, b) => a - b),
      pair.map((c) => c.id).sort((a, b) => a - b),
    );
    const none = await listCustomers(admin, { q: 'zhou', count: 'none' });
    assert.equal(none.total, undefined, 'count=none: no total');
  });

  test('a list without q counts exactly, past the cap', async () => {
    const all = await listCustomers(admin, { limit: 1 });
    assert.ok(all.total >= 8, `total ${all.total}`);
    assert.equal(all.total_capped, undefined);
    const filtered = await listCustomers(admin, { filter: JSON.stringify({ field: 'name', op: 'starts_with', value: '周' }) });
    assert.equal(filtered.total, 6, 'a filter is never capped');
    assert.equal(filtered.total_capped, undefined);
  });

  function zhouLast4() {
    return pairPhones[0].slice(-4);
  }
});
