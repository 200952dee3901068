// The OpenAPI 3.1 document (issue 20): generated from the route tables and
// the entity descriptors, so every route has its path parameters, a
// request body where it takes one, success and error answers with schemas
// and examples. Every example validates against its schema (a small JSON
// Schema validator below: the subset the document uses), the inputs' required
// fields are the ones the server refuses to go without, and live answers of
// a sample of endpoints per tag match their documented schema.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { signInAll, branchesByCode, createCustomer, Uniq } from './lib/customers.mjs';

// ---- a JSON Schema subset: $ref, type (one or a list), properties,
// required, items, additionalProperties, enum ----------------------------
function typeOk(t, v) {
  switch (t) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: throw new Error(`unknown type ${t}`);
  }
}

export function validate(doc, schema, value, where = '$', errors = []) {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) errors.push(`${where}: unresolved ${schema.$ref}`);
    else validate(doc, target, value, where, errors);
    return errors;
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t, value))) {
      errors.push(`${where}: ${JSON.stringify(value)} is not ${types.join(' or ')}`);
      return errors;
    }
  }
  if (schema.enum && !schema.enum.some((x) => JSON.stringify(x) === JSON.stringify(value))) errors.push(`${where}: ${JSON.stringify(value)} not in enum`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of schema.required || []) if (!(k in value)) errors.push(`${where}: missing ${k}`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties && schema.properties[k]) validate(doc, schema.properties[k], v, `${where}.${k}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${where}: unexpected ${k}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') validate(doc, schema.additionalProperties, v, `${where}.${k}`, errors);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => validate(doc, schema.items, v, `${where}[${i}]`, errors));
  return errors;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];
const successOf = (op) => Object.entries(op.responses).find(([code]) => /^2/.test(code));
const schemaFor = (op, status) => {
  const exact = op.responses[String(status)] || (String(status).startsWith('2') && op.responses['2XX']) || op.responses.default;
  return exact.content['application/json'].schema;
};

describe('the OpenAPI document', () => {
  const srv = useServer({ label: 'openapi', users: [{ login: 'A9601', name: '文档管理员', role: 'admin', branch: 'GD' }] });
  const test = srv.it;
  let doc, admin, branches;

  const ops = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => ({ path, method: m, op })));

  test('served as OpenAPI 3.1 without signing in', async () => {
    const r = await fetch(`${srv.baseUrl}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    doc = await r.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(ops().length > 150, `${ops().length} operations`);
    ({ A9601: admin } = await signInAll(srv, ['A9601']));
    branches = await branchesByCode(admin);
  });

  test('every operation: unique id, a tag, its path parameters, a body where it takes one, success and error answers', () => {
    const ids = new Set();
    for (const { path, method, op } of ops()) {
      const at = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${at}: operationId ${op.operationId}`);
      ids.add(op.operationId);
      assert.equal(op.tags.length, 1, at);
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const inPath = (op.parameters || []).filter((p) => p.in === 'path');
      assert.deepEqual(inPath.map((p) => p.name), names, `${at}: path parameters`);
      assert.ok(inPath.every((p) => p.required === true), at);
      if (['post', 'put', 'patch'].includes(method)) {
        assert.ok(op.requestBody && op.requestBody.content, `${at}: request body`);
      }
      const ok = successOf(op);
      assert.ok(ok, `${at}: a success answer`);
      assert.ok(op.responses.default.content['application/json'].schema, `${at}: the error answer`);
    }
  });

  test('every documented example validates against its schema', () => {
    let checked = 0;
    for (const { path, method, op } of ops()) {
      const bodies = [];
      if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content)) if (type === 'application/json') bodies.push(['request', c]);
      for (const [code, r] of Object.entries(op.responses)) for (const c of Object.values(r.content || {})) bodies.push([code, c]);
      for (const [what, c] of bodies) {
        assert.ok('example' in c, `${method} ${path} ${what}: an example`);
        const errors = validate(doc, c.schema, c.example);
        assert.deepEqual(errors, [], `${method} ${path} ${what}`);
        checked++;
      }
    }
    assert.ok(checked > 300, `${checked} examples`);
  });

  test('the validator is strict enough to fail: a wrong customer answer is refused', () => {
    const op = doc.paths['/customers/{id}'].get;
    const schema = schemaFor(op, 200);
    assert.deepEqual(validate(doc, schema, { customer: { id: 7, name: '张三' } }), []);
    assert.notDeepEqual(validate(doc, schema, { customer: { id: '7' } }), []);
    assert.notDeepEqual(validate(doc, schema, { customers: [] }), []);
    assert.notDeepEqual(validate(doc, schema, { customer: { id: 7, name: 12 } }), []);
  });

  test('records are described from their entity: fields, types, and the inputs\' required fields are the ones the server insists on', async () => {
    for (const [name, path] of [['Customer', '/customers'], ['Enterprise', '/enterprises']]) {
      const rec = doc.components.schemas[name];
      const input = doc.components.schemas[`${name}Input`];
      assert.ok(rec && input, name);
      assert.equal(rec.properties.name.type[0], 'string');
      assert.ok(input.required.length > 0, `${name}Input requires something`);
      const r = await admin.post(path, {});
      assert.equal(r.status, 422, show(r));
      for (const k of input.required) assert.ok(k in r.body.error.fields, `${name}: the server requires ${k}: ${show(r)}`);
    }
    assert.ok(doc.components.schemas.Waybill.properties.waybill_no, 'waybill fields');
    assert.ok(doc.paths['/customers'].get.parameters.some((p) => p.name === 'cursor' && p.in === 'query'));
    assert.ok(doc.paths['/customers'].post.parameters.some((p) => p.name === 'Idempotency-Key' && p.in === 'header'));
  });

  test('live answers match their documented schema: a GET per tag, and the records\' own endpoints', async () => {
    const uniq = new Uniq(96);
    const c = await createCustomer(admin, { name: '文档客户', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id });
    const sample = new Map();
    for (const { path, method, op } of ops()) {
      if (method !== 'get' || path.includes('{') || op['x-permission'] === 'public' && path !== '/health') continue;
      if (!sample.has(op.tags[0])) sample.set(op.tags[0], { path, op });
    }
    sample.set('customer', { path: `/customers/${c.id}`, op: doc.paths['/customers/{id}'].get });
    sample.set('customers', { path: '/customers?limit=5', op: doc.paths['/customers'].get });
    assert.ok(sample.size > 30, `${sample.size} tags sampled`);
    for (const [tag, { path, op }] of sample) {
      const r = await admin.get(path);
      if (!(r.headers.get('content-type') || '').includes('json')) continue; // a file (a calendar, a PDF)
      const errors = validate(doc, schemaFor(op, r.status), r.body);
      assert.deepEqual(errors, [], `${tag}: GET ${path} → ${r.status}`);
    }
  });
});
