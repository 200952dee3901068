// Customer profiles (issue 3): create / read / update with optimistic
// locking, validation messages in Chinese and English (GB 11643 ID numbers,
// mobile numbers, birthday and gender derived from the ID), duplicates,
// merge, soft delete and restore, PIPL erasure, field-level history,
// masking and audited reveal, seeded tags.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { setFlow } from './lib/approvals.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError, isChinese } from './lib/expect.mjs';
import {
  Uniq,
  makeIdNumber,
  idCheckChar,
  wrongCheck,
  upgrade15,
  maskPhone,
  maskId,
  signInAll,
  branchesByCode,
  me,
  createCustomer,
  getCustomer,
  listCustomers,
  listAllCustomers,
  searchIds,
  tagsByName,
  findAudit,
} from './lib/customers.mjs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;
const MASKED_PHONE = /^1\d\d\*{4}\d{4}$/;

describe('customers', () => {
  const srv = useServer({
    label: 'customers',
    users: [
      { login: 'A9601', name: '客户管理员', role: 'admin', branch: 'GD' },
      { login: 'S9601', name: '客户主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9601', name: '客户经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9601', name: '柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(61);
  let admin, sup, mgr, clerk, clerkEn;
  let branches;
  let clerkMe, mgrMe;
  let tags;

  async function count(client = admin) {
    const body = await listCustomers(client, { limit: 1 });
    assert.equal(typeof body.total, 'number', 'total must be a number');
    return body.total;
  }

  test('set-up: staff sign in', async () => {
    ({ A9601: admin, S9601: sup, M9601: mgr, C9601: clerk } = await signInAll(srv, ['A9601', 'S9601', 'M9601', 'C9601']));
    clerkEn = new Client(srv, { lang: 'en' });
    await clerkEn.signIn('C9601', srv.users.C9601.password);
    branches = await branchesByCode(admin);
    clerkMe = await me(clerk);
    mgrMe = await me(mgr);
    tags = await tagsByName(admin);
    // erasures here are the operation's own; its approval flow is tested in approvals.test.mjs
    await setFlow(admin, 'customer_erasure', { enabled: false });
  });

  test('without a session: 401; without the CSRF token: 403 csrf_failed', async () => {
    const anon = new Client(srv);
    expectError(await anon.get('/customers'), 401, 'unauthorized');
    expectError(await anon.get('/customers/1'), 401, 'unauthorized');
    expectError(await anon.post('/customers', { name: '匿名', phone: u.phone() }), 401, 'unauthorized');
    const before = await count();
    expectError(await clerk.post('/customers', { name: '无令牌', phone: u.phone() }, { csrf: false }), 403, 'csrf_failed');
    assert.equal(await count(), before, 'a request without CSRF token created a customer');
  });

  test('the seeded tag groups and tags exist', async () => {
    const r = await clerk.get('/tag-groups');
    assert.equal(r.status, 200, show(r));
    const groups = Object.fromEntries(r.body.items.map((g) => [g.name, g]));
    const want = {
      价值分层: ['高价值客户', '潜力客户', '普通客户'],
      业务偏好: ['集邮爱好者', '理财需求', '国际寄递', '电商卖家'],
      服务需求: ['需重点跟进', '投诉历史', '生日关怀'],
    };
    for (const [g, names] of Object.entries(want)) {
      assert.ok(groups[g], `tag group ${g} missing: ${show(r)}`);
      assert.ok(Array.isArray(groups[g].tags), show(r));
      const have = groups[g].tags.map((t) => t.name);
      for (const n of names) assert.ok(have.includes(n), `tag ${n} missing in ${g}: ${have}`);
      for (const t of groups[g].tags) {
        assert.equal(typeof t.id, 'number');
        assert.equal(typeof t.customer_count, 'number', `customer_count of ${t.name}`);
      }
    }
    for (const n of Object.values(want).flat()) {
      assert.ok(tags[n], `GET /tags lacks ${n}`);
      assert.ok(Object.keys(want).includes(tags[n].group), `GET /tags ${n}.group = ${tags[n].group}`);
    }
  });

  test('create with name and phone only: 201 with number, pinyin, masked phone, version, creator branch', async () => {
    const phone = u.phone();
    const c = await createCustomer(clerk, { name: '张三', phone });
    assert.equal(c.name, '张三');
    assert.equal(c.name_pinyin, 'zhangsan');
    assert.equal(c.name_initials, 'zs');
    assert.equal(c.phone, maskPhone(phone), 'phone is masked in the create response');
    assert.equal(typeof c.customer_no, 'string');
    assert.ok(c.customer_no.length >= 4, `customer_no ${c.customer_no}`);
    assert.equal(typeof c.version, 'number');
    assert.equal(c.branch_id, clerkMe.branch_id, 'branch defaults to the creator\'s branch');
    assert.equal(c.deleted, false);
    assert.equal(c.id_number, null);
    assert.equal(c.gender, null);
    assert.equal(c.birthday, null);
    assert.deepEqual(c.tags, []);
    assert.ok(ISO.test(c.created_at), `created_at ${c.created_at}`);
    assert.ok(ISO.test(c.updated_at), `updated_at ${c.updated_at}`);
    const got = await getCustomer(clerk, c.id);
    assert.equal(got.customer_no, c.customer_no);
    assert.equal(got.phone, maskPhone(phone));
    assert.equal(got.version, c.version);
  });

  test('the standard\'s example 11010519491231002X: birthday 1949-12-31 (12-31 to a clerk), gender female, masked **************002X', async () => {
    const c = await createCustomer(clerk, { name: '王秀英', phone: u.phone(), id_number: '11010519491231002X' });
    assert.equal(c.birthday, '12-31', 'a clerk sees the birthday without the year the mask hides');
    assert.equal((await getCustomer(mgr, c.id)).birthday, '1949-12-31');
    assert.equal(c.gender, 'female');
    assert.equal(c.id_number, '**************002X');
    const r = await mgr.post(`/customers/${c.id}/reveal`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.id_number, '11010519491231002X');
  });

  test('lower-case x is accepted and stored upper-case; a birthday and gender that agree with the ID are accepted', async () => {
    const id = makeIdNumber({ region: '440104', birthday: '1990-07-08', seq: 12, gender: 'female' });
    const idX = id.endsWith('X') ? id : makeIdNumber({ region: '440104', birthday: '1990-07-08', seq: 17, gender: 'male' });
    const c = await createCustomer(clerk, {
      name: '李小红',
      phone: u.phone(),
      id_number: idX.toLowerCase(),
      birthday: `${idX.slice(6, 10)}-${idX.slice(10, 12)}-${idX.slice(12, 14)}`,
      gender: Number(idX[16]) % 2 ? 'male' : 'female',
    });
    const r = await mgr.post(`/customers/${c.id}/reveal`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.id_number, idX.toUpperCase());
  });

  test('a legacy 15-digit ID number is accepted and upgraded to 18 characters', async () => {
    const id15 = '440103850312123';
    const id18 = upgrade15(id15);
    assert.equal(id18.slice(0, 17), '44010319850312123');
    const c = await createCustomer(clerk, { name: '赵旧证', phone: u.phone(), id_number: id15 });
    assert.equal((await getCustomer(mgr, c.id)).birthday, '1985-03-12');
    assert.equal(c.gender, 'male', '17th digit 3 is odd: male');
    assert.equal(c.id_number, maskId(id18));
    const r = await mgr.post(`/customers/${c.id}/reveal`, {});
    assert.equal(r.body.id_number, id18, show(r));
    // The upgraded number is the one duplicates are checked against.
    const dup = await clerk.post('/customers', { name: '赵旧证二', phone: u.phone(), id_number: id18 });
    const e = expectError(dup, 409, 'duplicate');
    assert.ok(e.duplicates.some((d) => d.id === c.id && d.match === 'id_number'), show(dup));
  });

  test('a phone written +86 138-… with spaces and hyphens is normalised to 11 digits', async () => {
    const phone = u.phone();
    const typed = `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`;
    const c = await createCustomer(clerk, { name: '钱多多', phone: typed });
    assert.equal(c.phone, maskPhone(phone));
    const r = await mgr.post(`/customers/${c.id}/reveal`, {});
    assert.equal(r.body.phone, phone, show(r));
  });

  // A valid ID not used by any customer: the standard's example with another order code.
  const freshId = makeIdNumber({ region: '110105', birthday: '1949-12-31', seq: 55, gender: 'female' });

  const badCases = (phone) => ({
    missingName: { body: { phone }, field: 'name', zh: /必填|姓名/, en: /required|name/i },
    blankName: { body: { name: '   ', phone }, field: 'name', zh: /必填|姓名/, en: /required|name/i },
    missingPhone: { body: { name: '缺手机' }, field: 'phone', zh: /必填|手机/, en: /required|phone|mobile/i },
    phone10: { body: { name: '十位号', phone: phone.slice(0, 10) }, field: 'phone', zh: /11/, en: /11/ },
    phoneNot1: { body: { name: '错号段', phone: `2${phone.slice(1)}` }, field: 'phone', zh: /1/, en: /1/ },
    wrongCheck: {
      body: { name: '错校验', phone, id_number: wrongCheck('11010519491231002X') },
      field: 'id_number',
      zh: /校验/,
      en: /check/i,
    },
    idLength: { body: { name: '短证号', phone, id_number: '1101051949123100' }, field: 'id_number', zh: /身份证|位/, en: /ID|digit|character|length/i },
    idBadDate: {
      body: { name: '错日期', phone, id_number: `44010319900230123${idCheckChar('44010319900230123')}` },
      field: 'id_number',
      zh: /身份证|日期|出生/,
      en: /ID|date|birth/i,
    },
    birthdayContradicts: {
      body: { name: '生日错', phone, id_number: freshId, birthday: '1950-01-01' },
      field: 'birthday',
      zh: /身份证/,
      en: /ID/i,
    },
    genderContradicts: {
      body: { name: '性别错', phone, id_number: freshId, gender: 'male' },
      field: 'gender',
      zh: /身份证|性别/,
      en: /ID|gender/i,
    },
    badBirthday: { body: { name: '无此日', phone, birthday: '2001-02-29' }, field: 'birthday', zh: /日期|生日/, en: /date|birthday/i },
  });

  test('validation: each bad value answers 422 with a Chinese field message and creates nothing', async () => {
    const before = await count();
    for (const [label, c] of Object.entries(badCases(u.phone()))) {
      const r = await clerk.post('/customers', c.body);
      const e = expectError(r, 422, 'validation_failed', { fields: [c.field] });
      assert.match(e.fields[c.field], c.zh, `${label}: ${show(r)}`);
    }
    assert.equal(await count(), before, 'an invalid customer was created');
  });

  test('validation: the same messages in English with Accept-Language: en', async () => {
    const before = await count();
    for (const [label, c] of Object.entries(badCases(u.phone()))) {
      const r = await clerkEn.post('/customers', c.body);
      const e = expectError(r, 422, 'validation_failed', { lang: 'en', fields: [c.field] });
      assert.match(e.fields[c.field], c.en, `${label}: ${show(r)}`);
    }
    assert.equal(await count(), before);
  });

  test('validation: the contract\'s messages for the common mistakes', async () => {
    const r = await clerk.post('/customers', {
      phone: '1381234123',
      id_number: wrongCheck('11010519491231002X'),
    });
    const e = expectError(r, 422, 'validation_failed', { fields: ['name', 'phone', 'id_number'] });
    // The contract's examples, word for word at the start (a hint may follow).
    assert.ok(e.fields.name.startsWith('必填项'), show(r));
    assert.ok(e.fields.phone.startsWith('手机号应为11位数字，以1开头'), show(r));
    assert.ok(e.fields.id_number.startsWith('身份证号校验位不正确'), show(r));
    const r2 = await clerk.post('/customers', { name: '生日错', phone: u.phone(), id_number: freshId, birthday: '1950-01-01' });
    const e2 = expectError(r2, 422, 'validation_failed', { fields: ['birthday'] });
    assert.ok(e2.fields.birthday.startsWith('生日与身份证号不一致'), show(r2));
  });

  test('validation: every problem of one request is reported at once', async () => {
    const r = await clerk.post('/customers', { name: '', phone: '123', id_number: wrongCheck('11010519491231002X'), birthday: 'x' });
    const e = expectError(r, 422, 'validation_failed', { fields: ['name', 'phone', 'id_number', 'birthday'] });
    assert.ok(isChinese(e.message), show(r));
  });

  test('malformed JSON: 400 bad_request; unknown level or gender: 422', async () => {
    expectError(await clerk.post('/customers', undefined, { raw: '{"name":' }), 400, 'bad_request');
    expectError(await clerk.post('/customers', undefined, { raw: '[1,2]' }), 400, 'bad_request');
    expectError(await clerk.post('/customers', { name: '等级错', phone: u.phone(), level: '钻石' }), 422, 'validation_failed', { fields: ['level'] });
    expectError(await clerk.post('/customers', { name: '性别码错', phone: u.phone(), gender: 'x' }), 422, 'validation_failed', { fields: ['gender'] });
  });

  test('detail returns every field; family members are stored with masked phones', async () => {
    const phone = u.phone();
    const famPhone = u.phone();
    const id = u.idNumber({ gender: 'female' });
    const c = await createCustomer(clerk, {
      name: '陈美玲',
      phone,
      id_number: id,
      address: '广州市天河区天河路100号',
      region: '广东省/广州市/天河区',
      occupation: '教师',
      interests: ['集邮', '书法'],
      business_prefs: ['ems'],
      level: '高价值',
      service_level: 'A',
      birthday_lunar: false,
      family_members: [{ relation: '配偶', name: '林建国', phone: famPhone, birthday: '1960-05-01' }],
      tag_ids: [tags['集邮爱好者'].id],
      owner_id: mgrMe.id,
    });
    const d = await getCustomer(clerk, c.id);
    assert.equal(d.name, '陈美玲');
    assert.equal(d.gender, 'female');
    assert.equal(d.address, '广州市天河区天河路100号');
    assert.equal(d.region, '广东省/广州市/天河区');
    assert.equal(d.occupation, '教师');
    assert.deepEqual(d.interests, ['集邮', '书法']);
    assert.deepEqual(d.business_prefs, ['ems']);
    assert.equal(d.level, '高价值');
    assert.equal(d.service_level, 'A');
    assert.equal(d.owner_id, mgrMe.id);
    assert.equal(d.owner_name, '客户经理甲');
    assert.equal(d.branch_id, branches['GD-GZ-01'].id);
    assert.equal(d.branch_name, '天河路营业所');
    assert.deepEqual(d.custom, {});
    assert.equal(d.tags.length, 1);
    assert.equal(d.tags[0].name, '集邮爱好者');
    assert.equal(d.tags[0].group, '业务偏好');
    assert.equal(d.family_members.length, 1);
    assert.equal(d.family_members[0].relation, '配偶');
    assert.equal(d.family_members[0].name, '林建国');
    assert.equal(d.family_members[0].phone, maskPhone(famPhone));
    assert.equal(d.family_members[0].birthday, '1960-05-01');
  });

  test('a customer number is unique and never reused, not even after delete or erase', async () => {
    const seen = new Set();
    const made = [];
    for (let i = 0; i < 4; i++) {
      const c = await createCustomer(clerk, { name: `编号${'甲乙丙丁'[i]}`, phone: u.phone() });
      assert.ok(!seen.has(c.customer_no), `customer_no ${c.customer_no} given twice`);
      seen.add(c.customer_no);
      made.push(c);
    }
    expectStatusOk(await clerk.delete(`/customers/${made[3].id}`));
    expectStatusOk(await admin.post(`/customers/${made[2].id}/erase`, {}));
    for (let i = 0; i < 3; i++) {
      const c = await createCustomer(clerk, { name: `新编号${i}`, phone: u.phone() });
      assert.ok(!seen.has(c.customer_no), `customer_no ${c.customer_no} reused`);
      seen.add(c.customer_no);
    }
  });

  function expectStatusOk(r) {
    assert.equal(r.status, 200, show(r));
    return r.body;
  }

  test('PATCH with the current version updates and bumps the version; a stale version answers 409 stale_version', async () => {
    const c = await createCustomer(clerk, { name: '孙悟', phone: u.phone() });
    const a = await clerk.patch(`/customers/${c.id}`, { version: c.version, occupation: '司机' });
    assert.equal(a.status, 200, show(a));
    assert.equal(a.body.customer.occupation, '司机');
    assert.ok(a.body.customer.version > c.version, 'version must increase');
    // a second editor who read the old version
    const b = await mgr.patch(`/customers/${c.id}`, { version: c.version, occupation: '厨师' });
    const e = expectError(b, 409, 'stale_version');
    assert.ok(isChinese(e.message));
    const bEn = await clerkEn.patch(`/customers/${c.id}`, { version: c.version, occupation: '厨师' });
    expectError(bEn, 409, 'stale_version', { lang: 'en' });
    const d = await getCustomer(clerk, c.id);
    assert.equal(d.occupation, '司机', 'the stale write must not land');
    assert.equal(d.version, a.body.customer.version);
  });

  test('PATCH validates like create: bad phone or ID is 422 and changes nothing', async () => {
    const c = await createCustomer(clerk, { name: '周改', phone: u.phone() });
    expectError(await clerk.patch(`/customers/${c.id}`, { version: c.version, phone: '12345' }), 422, 'validation_failed', {
      fields: ['phone'],
    });
    expectError(
      await clerk.patch(`/customers/${c.id}`, { version: c.version, id_number: wrongCheck('11010519491231002X') }),
      422,
      'validation_failed',
      { fields: ['id_number'] },
    );
    expectError(await clerk.patch(`/customers/${c.id}`, { version: c.version, name: '' }), 422, 'validation_failed', {
      fields: ['name'],
    });
    const d = await getCustomer(clerk, c.id);
    assert.equal(d.version, c.version);
    assert.equal(d.name, '周改');
    // Setting an ID derives birthday and gender.
    const id = makeIdNumber({ region: '440305', birthday: '1977-11-02', seq: 44, gender: 'female' });
    const ok = await clerk.patch(`/customers/${c.id}`, { version: c.version, id_number: id });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.customer.birthday, '11-02');
    assert.equal((await getCustomer(mgr, c.id)).birthday, '1977-11-02');
    assert.equal(ok.body.customer.gender, 'female');
  });

  test('GET / PATCH of an unknown id: 404 not_found', async () => {
    expectError(await clerk.get('/customers/987654321'), 404, 'not_found');
    expectError(await clerk.patch('/customers/987654321', { version: 1, name: '无' }), 404, 'not_found');
    expectError(await clerk.get('/customers/abc'), 404, 'not_found');
  });

  test('duplicates: same phone or same ID number answers 409 with the matches; confirm_duplicate creates anyway', async () => {
    const phone = u.phone();
    const id = u.idNumber();
    const a = await createCustomer(clerk, { name: '重复甲', phone, id_number: id });

    const byPhone = await clerk.post('/customers', { name: '重复乙', phone });
    const e1 = expectError(byPhone, 409, 'duplicate');
    assert.ok(Array.isArray(e1.duplicates), show(byPhone));
    const m1 = e1.duplicates.find((d) => d.id === a.id);
    assert.ok(m1, `existing profile not listed: ${show(byPhone)}`);
    assert.equal(m1.match, 'phone');
    assert.equal(m1.customer_no, a.customer_no);
    assert.equal(m1.name, '重复甲');

    const byId = await clerk.post('/customers', { name: '重复丙', phone: u.phone(), id_number: id });
    const e2 = expectError(byId, 409, 'duplicate');
    const m2 = e2.duplicates.find((d) => d.id === a.id);
    assert.ok(m2 && m2.match === 'id_number', show(byId));

    const enDup = await clerkEn.post('/customers', { name: '重复乙', phone });
    expectError(enDup, 409, 'duplicate', { lang: 'en' });

    // The form's typing-time check.
    const q = await clerk.get(`/customers/duplicates?phone=${phone}`);
    assert.equal(q.status, 200, show(q));
    assert.ok(q.body.items.some((d) => d.id === a.id && d.match === 'phone'), show(q));
    const q2 = await clerk.get(`/customers/duplicates?id_number=${id}`);
    assert.ok(q2.body.items.some((d) => d.id === a.id && d.match === 'id_number'), show(q2));
    const q3 = await clerk.get(`/customers/duplicates?phone=${u.phone()}`);
    assert.deepEqual(q3.body.items, [], show(q3));

    const before = await count();
    const b = await clerk.post('/customers', { name: '重复乙', phone, confirm_duplicate: true });
    assert.equal(b.status, 201, show(b));
    assert.equal(await count(), before + 1);
    assert.notEqual(b.body.customer.customer_no, a.customer_no);

    // Updating to another customer's phone is a duplicate as well.
    const other = await createCustomer(clerk, { name: '重复丁', phone: u.phone() });
    const up = await clerk.patch(`/customers/${other.id}`, { version: other.version, phone });
    const e3 = expectError(up, 409, 'duplicate');
    assert.ok(e3.duplicates.some((d) => d.id === a.id), show(up));
  });

  test('merge: only supervisor/admin; tags move to the survivor, the duplicate is soft-deleted, audited', async () => {
    const phone = u.phone();
    const keep = await createCustomer(clerk, { name: '合并留', phone, occupation: '医生', tag_ids: [tags['高价值客户'].id] });
    const dup = await createCustomer(clerk, {
      name: '合并去',
      phone,
      occupation: '护士',
      confirm_duplicate: true,
      tag_ids: [tags['集邮爱好者'].id, tags['理财需求'].id],
    });

    expectError(await clerk.post(`/customers/${keep.id}/merge`, { duplicate_id: dup.id }), 403, 'forbidden');
    expectError(await mgr.post(`/customers/${keep.id}/merge`, { duplicate_id: dup.id }), 403, 'forbidden');
    const self = await sup.post(`/customers/${keep.id}/merge`, { duplicate_id: keep.id });
    expectError(self, 422, 'validation_failed', { fields: ['duplicate_id'] });
    expectError(await sup.post(`/customers/${keep.id}/merge`, { duplicate_id: 987654321 }), 404, 'not_found');

    const r = await sup.post(`/customers/${keep.id}/merge`, { duplicate_id: dup.id });
    assert.equal(r.status, 200, show(r));
    const s = r.body.customer;
    assert.equal(s.id, keep.id);
    assert.equal(s.name, '合并留', 'the survivor keeps its values');
    assert.equal(s.occupation, '医生');
    const names = s.tags.map((t) => t.name).sort();
    assert.deepEqual(names, ['理财需求', '集邮爱好者', '高价值客户'].sort(), `tags after merge: ${show(r)}`);

    // The duplicate left the normal list and quick search, and sits in the recycle bin.
    const ids = await searchIds(sup, phone);
    assert.deepEqual(ids, [keep.id], `search by phone after merge: ${ids}`);
    const bin = await listAllCustomers(sup, { deleted: 1, limit: 200 });
    const inBin = bin.items.find((c) => c.id === dup.id);
    assert.ok(inBin, 'merged duplicate is in the recycle bin');
    assert.equal(inBin.deleted, true);
    if ('merged_into' in inBin) assert.equal(inBin.merged_into, keep.id);

    const audit = await findAudit(admin, (e) => /merge/.test(e.action) && [keep.id, dup.id].includes(Number(e.object_id)));
    assert.ok(audit.length >= 1, 'merge audited');
    assert.equal(audit[0].login, 'S9601');
  });

  test('soft delete: gone from list and search, in the recycle bin for supervisors, restorable', async () => {
    const phone = u.phone();
    const c = await createCustomer(clerk, { name: '回收站', phone });
    const del = await clerk.delete(`/customers/${c.id}`);
    assert.equal(del.status, 200, show(del));
    assert.equal(del.body.ok, true);

    assert.deepEqual(await searchIds(clerk, phone), []);
    const all = await listAllCustomers(admin, { limit: 200 });
    assert.ok(!all.items.some((x) => x.id === c.id), 'deleted customer still listed');

    expectError(await clerk.get(`/customers?deleted=1`), 403, 'forbidden');
    const bin = await listAllCustomers(sup, { deleted: 1, limit: 200 });
    const found = bin.items.find((x) => x.id === c.id);
    assert.ok(found, 'deleted customer not in the recycle bin');
    assert.equal(found.deleted, true);

    expectError(await clerk.post(`/customers/${c.id}/restore`, {}), 403, 'forbidden');
    const rs = await sup.post(`/customers/${c.id}/restore`, {});
    assert.equal(rs.status, 200, show(rs));
    assert.equal(rs.body.customer.deleted, false);
    assert.deepEqual(await searchIds(clerk, phone), [c.id]);
    const audit = await findAudit(admin, (e) => /delete/.test(e.action) && Number(e.object_id) === c.id);
    assert.ok(audit.length >= 1, 'soft delete audited');
    const raudit = await findAudit(admin, (e) => /restore/.test(e.action) && Number(e.object_id) === c.id);
    assert.ok(raudit.length >= 1, 'restore audited');
  });

  /** SQLite: the name fragments stored for customer id, sorted (null on PostgreSQL). */
  // The name fragments stored for a customer, on SQLite and PostgreSQL alike.
  function gramsOf(id) {
    return srv.queryDb(`SELECT gram FROM customer_name_grams WHERE customer_id = ${Number(id)} ORDER BY gram`).map((row) => row[0]);
  }

  test('a rename moves the name search: the old fragments no longer find the customer, the new ones do', async () => {
    const c = await createCustomer(clerk, { name: '欧阳改名', phone: u.phone() });
    assert.ok((await searchIds(clerk, '阳改')).includes(c.id));
    const p = await clerk.patch(`/customers/${c.id}`, { version: c.version, name: '司徒新立' });
    assert.equal(p.status, 200, show(p));
    assert.ok(!(await searchIds(clerk, '阳改')).includes(c.id), 'the old name still finds it');
    assert.ok(!(await searchIds(clerk, '欧阳')).includes(c.id), 'the old surname still finds it');
    assert.ok((await searchIds(clerk, '徒新')).includes(c.id), 'the new name does not find it');
    for (const ch of ['司', '徒', '新', '立'])
      assert.ok((await searchIds(clerk, ch)).includes(c.id), `one character of the new name: ${ch}`);
    assert.ok(!(await searchIds(clerk, '改')).includes(c.id), 'one character of the old name still finds it');
    assert.deepEqual(gramsOf(c.id), ['司徒', '徒新', '新立', '立'].sort(), 'exactly the new name\'s fragments');
  });

  test('PIPL erasure: admin only; personal data blanked for good, record kept, audited', async () => {
    const phone = u.phone();
    const id = u.idNumber();
    const famPhone = u.phone();
    const c = await createCustomer(clerk, {
      name: '擦除对象',
      phone,
      id_number: id,
      address: '广州市越秀区北京路1号',
      occupation: '会计',
      family_members: [{ relation: '子女', name: '擦除家属', phone: famPhone }],
    });
    // leave a trace in the history
    const p = await clerk.patch(`/customers/${c.id}`, { version: c.version, address: '广州市越秀区北京路2号' });
    assert.equal(p.status, 200, show(p));

    expectError(await clerk.post(`/customers/${c.id}/erase`, {}), 403, 'forbidden');
    expectError(await sup.post(`/customers/${c.id}/erase`, {}), 403, 'forbidden');
    const r = await admin.post(`/customers/${c.id}/erase`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.ok, true);

    const d = await admin.get(`/customers/${c.id}`);
    assert.equal(d.status, 200, `erased record is kept: ${show(d)}`);
    const e = d.body.customer;
    assert.equal(e.name, '已擦除');
    assert.ok(!e.phone, `phone: ${e.phone}`);
    assert.ok(!e.id_number, `id_number: ${e.id_number}`);
    assert.ok(!e.address, `address: ${e.address}`);
    assert.ok(!e.birthday, `birthday: ${e.birthday}`);
    assert.deepEqual(e.family_members, [], 'family members erased');

    // the erased record can still be revealed and its history read: both hold nothing of what was erased
    const rv = await admin.post(`/customers/${c.id}/reveal`, {});
    assert.equal(rv.status, 200, show(rv));
    assert.ok(!rv.text.includes(phone) && !rv.text.includes(id) && !rv.text.includes(famPhone), `reveal after erase: ${show(rv)}`);
    const h = await admin.get(`/customers/${c.id}/history?limit=200`);
    assert.equal(h.status, 200, show(h));
    for (const s of ['擦除对象', '北京路1号', '北京路2号', phone, id, '擦除家属']) {
      assert.ok(!h.text.includes(s), `history still holds "${s}" after erasure: ${show(h)}`);
    }
    assert.deepEqual(await searchIds(admin, phone), [], 'erased phone still searchable');
    assert.deepEqual(await searchIds(admin, '擦除对象'), [], 'erased name still searchable');
    assert.deepEqual(gramsOf(c.id), [], 'no name fragment of the erased name is left');
    const dq = await admin.get(`/customers/duplicates?phone=${phone}`);
    assert.ok(!dq.body.items.some((x) => x.id === c.id), 'erased phone still reported as duplicate');

    const audit = await findAudit(admin, (x) => /erase/.test(x.action) && Number(x.object_id) === c.id);
    assert.ok(audit.length >= 1, 'erasure audited');
    assert.equal(audit[0].login, 'A9601');
    assert.ok(!JSON.stringify(audit).includes(phone), 'the audit entry must not keep the erased phone');
  });

  test('history lists field changes newest first with who changed them; phone values masked', async () => {
    const phone1 = u.phone();
    const phone2 = u.phone();
    const c = await createCustomer(clerk, { name: '历史甲', phone: phone1, occupation: '农民' });
    const a = await clerk.patch(`/customers/${c.id}`, { version: c.version, occupation: '工人', address: '新地址1号' });
    assert.equal(a.status, 200, show(a));
    const b = await mgr.patch(`/customers/${c.id}`, { version: a.body.customer.version, name: '历史乙', phone: phone2 });
    assert.equal(b.status, 200, show(b));

    const r = await clerk.get(`/customers/${c.id}/history?limit=50`);
    assert.equal(r.status, 200, show(r));
    const items = r.body.items;
    assert.ok(Array.isArray(items));
    const by = (f) => items.find((x) => x.field === f);
    for (const f of ['occupation', 'address', 'name', 'phone']) assert.ok(by(f), `no history entry for ${f}: ${show(r)}`);
    assert.equal(by('occupation').old_value, '农民');
    assert.equal(by('occupation').new_value, '工人');
    assert.equal(by('occupation').login, 'C9601');
    assert.equal(by('occupation').user_name, '柜员甲');
    assert.equal(by('occupation').user_id, clerkMe.id);
    assert.equal(by('name').old_value, '历史甲');
    assert.equal(by('name').new_value, '历史乙');
    assert.equal(by('name').login, 'M9601');
    assert.equal(by('phone').old_value, maskPhone(phone1));
    assert.equal(by('phone').new_value, maskPhone(phone2));
    assert.ok(!r.text.includes(phone1) && !r.text.includes(phone2), 'history leaks a clear phone');
    for (const x of items) {
      assert.ok(ISO.test(x.at), `at ${x.at}`);
      assert.equal(typeof x.id, 'number');
    }
    // newest first: the manager's changes come before the clerk's
    assert.ok(items.indexOf(by('name')) < items.indexOf(by('occupation')), 'history is not newest first');
    // a field that did not change has no entry from these updates
    assert.ok(!items.some((x) => x.field === 'gender' && x.login), `unexpected gender entry: ${show(r)}`);

    // paging with limit=1
    const seen = new Set();
    let cursor;
    for (let i = 0; i < 50; i++) {
      const pg = await clerk.get(`/customers/${c.id}/history?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(pg.status, 200, show(pg));
      assert.ok(pg.body.items.length <= 1);
      for (const x of pg.body.items) {
        assert.ok(!seen.has(x.id), 'history page repeated an entry');
        seen.add(x.id);
      }
      cursor = pg.body.next_cursor;
      if (!cursor) break;
    }
    assert.equal(seen.size, items.length, 'paging the history visits every entry once');
  });

  test('masking: list and detail show 138****1234 and **************002X for every role', async () => {
    const phone = u.phone();
    const id = u.idNumber();
    const c = await createCustomer(clerk, { name: '遮蔽测试', phone, id_number: id });
    for (const client of [clerk, mgr, sup, admin]) {
      const d = await getCustomer(client, c.id);
      assert.equal(d.phone, maskPhone(phone));
      assert.equal(d.id_number, maskId(id));
      const l = await listCustomers(client, { q: '遮蔽测试' });
      const row = l.items.find((x) => x.id === c.id);
      assert.ok(row, 'customer in list');
      assert.equal(row.phone, maskPhone(phone));
      assert.equal(row.id_number, maskId(id));
      const raw = JSON.stringify(l);
      assert.ok(!raw.includes(phone) && !raw.includes(id), 'list leaks clear values');
    }
    const all = await listCustomers(clerk, { limit: 200 });
    for (const x of all.items) {
      if (x.phone) assert.match(x.phone, MASKED_PHONE, `list phone ${x.phone} not masked`);
      if (x.id_number) assert.match(x.id_number, /^\*{14}[\dX]{4}$/, `list id_number ${x.id_number} not masked`);
    }
  });

  test('reveal: manager, supervisor and admin get clear values (audited customer.reveal); a clerk gets 403', async () => {
    const phone = u.phone();
    const famPhone = u.phone();
    const id = u.idNumber();
    const c = await createCustomer(clerk, {
      name: '揭示测试',
      phone,
      id_number: id,
      family_members: [{ relation: '父亲', name: '揭示父', phone: famPhone }],
    });
    const denied = await clerk.post(`/customers/${c.id}/reveal`, {});
    expectError(denied, 403, 'forbidden');
    assert.ok(!denied.text.includes(phone));

    for (const [client, login] of [
      [mgr, 'M9601'],
      [sup, 'S9601'],
      [admin, 'A9601'],
    ]) {
      const r = await client.post(`/customers/${c.id}/reveal`, {});
      assert.equal(r.status, 200, `${login}: ${show(r)}`);
      assert.equal(r.body.phone, phone);
      assert.equal(r.body.id_number, id);
      assert.equal(r.body.family_members[0].phone, famPhone);
      assert.equal(r.body.family_members[0].name, '揭示父');
      const audit = await findAudit(admin, (e) => e.action === 'customer.reveal' && Number(e.object_id) === c.id && e.login === login, {
        action: 'customer.reveal',
      });
      assert.equal(audit.length, 1, `one customer.reveal entry for ${login}`);
      assert.equal(audit[0].object_type, 'customer');
      assert.ok(!JSON.stringify(audit[0]).includes(phone), 'the audit entry must not copy the clear phone');
    }
    const clerkAudit = await findAudit(admin, (e) => e.action === 'customer.reveal' && e.login === 'C9601', { action: 'customer.reveal' });
    assert.equal(clerkAudit.length, 0, 'a forbidden reveal is not a reveal');
    expectError(await mgr.post('/customers/987654321/reveal', {}), 404, 'not_found');
  });

  test('tags on one customer: add several, remove one', async () => {
    const c = await createCustomer(clerk, { name: '标签单个', phone: u.phone() });
    const add = await clerk.post(`/customers/${c.id}/tags`, { tag_ids: [tags['潜力客户'].id, tags['生日关怀'].id] });
    assert.equal(add.status, 200, show(add));
    let d = await getCustomer(clerk, c.id);
    assert.deepEqual(d.tags.map((t) => t.name).sort(), ['潜力客户', '生日关怀'].sort());
    // adding again is idempotent
    const again = await clerk.post(`/customers/${c.id}/tags`, { tag_ids: [tags['潜力客户'].id] });
    assert.equal(again.status, 200, show(again));
    const rm = await clerk.delete(`/customers/${c.id}/tags/${tags['潜力客户'].id}`);
    assert.equal(rm.status, 200, show(rm));
    d = await getCustomer(clerk, c.id);
    assert.deepEqual(d.tags.map((t) => t.name), ['生日关怀']);
    // 变更历史: each tag put on once (adding again is no change), the removal.
    const h = (await clerk.get(`/customers/${c.id}/history?limit=50`)).body.items.filter((e) => e.field === 'tags');
    const seen = h.map((e) => `${e.old_value ?? ''}→${e.new_value ?? ''}`);
    assert.deepEqual(seen.sort(), ['→潜力客户', '→生日关怀', '潜力客户→'].sort(), JSON.stringify(h));
    for (const e of h) {
      assert.equal(e.login, 'C9601', `who changed it: ${JSON.stringify(e)}`);
      assert.equal(e.user_name, srv.users.C9601.name, `who changed it: ${JSON.stringify(e)}`);
    }
    const bad = await clerk.post(`/customers/${c.id}/tags`, { tag_ids: [987654] });
    expectError(bad, 422, 'validation_failed', { fields: ['tag_ids'] });
  });

  test('bulk tags on a filtered list: 变更历史 of each customer whose tags changed, and of no other', async () => {
    const tag = tags['潜力客户'];
    const mark = '批量标签史';
    const a = await createCustomer(clerk, { name: `${mark}甲`, phone: u.phone() });
    const b = await createCustomer(clerk, { name: `${mark}乙`, phone: u.phone() });
    const had = await createCustomer(clerk, { name: `${mark}丙`, phone: u.phone(), tag_ids: [tag.id] });
    const outside = await createCustomer(clerk, { name: '批量外', phone: u.phone() });
    const tagHistory = async (id) =>
      (await clerk.get(`/customers/${id}/history?limit=50`)).body.items
        .filter((e) => e.field === 'tags')
        .map((e) => `${e.old_value ?? ''}→${e.new_value ?? ''}`);
    const filter = { field: 'name', op: 'starts_with', value: mark };
    let r = await clerk.post('/customers/bulk-tags', { filter, add: [tag.id] });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.updated, 3, show(r));
    assert.deepEqual(await tagHistory(a.id), ['→潜力客户']);
    assert.deepEqual(await tagHistory(b.id), ['→潜力客户']);
    assert.deepEqual(await tagHistory(had.id), ['→潜力客户'], 'already tagged: only the entry from its creation');
    assert.deepEqual(await tagHistory(outside.id), [], 'not in the filter: no entry');
    const h = (await clerk.get(`/customers/${a.id}/history?limit=50`)).body.items.find((e) => e.field === 'tags');
    assert.equal(h.login, 'C9601', JSON.stringify(h));
    // Removing on chosen ids: only the one that has the tag gets an entry.
    await clerk.delete(`/customers/${b.id}/tags/${tag.id}`);
    r = await clerk.post('/customers/bulk-tags', { ids: [a.id, b.id, outside.id], remove: [tag.id] });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(await tagHistory(a.id), ['潜力客户→', '→潜力客户']);
    assert.deepEqual(await tagHistory(b.id), ['潜力客户→', '→潜力客户'], 'the single removal only');
    assert.deepEqual(await tagHistory(outside.id), []);
    assert.deepEqual((await getCustomer(clerk, a.id)).tags, []);
  });
});
