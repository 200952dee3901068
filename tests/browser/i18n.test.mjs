// Static checks of the web UI's texts (no server, no browser needed):
// zh-CN and en carry the same keys, every message compiles, every literal
// key the code asks for exists, and no Chinese text hides outside the
// message files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const SRC = path.join(ROOT, 'web', 'src')
const importDefault = async (file) => (await import(pathToFileURL(file).href)).default
const { buildMessages } = await import(pathToFileURL(path.join(SRC, 'i18n', 'merge.js')).href)

// The messages as the app builds them: the base files plus every part
// (web/src/i18n/parts/*.js, merged in file-name order).
async function allMessages() {
  const dir = path.join(SRC, 'i18n', 'parts')
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.js')).sort() : []
  const parts = await Promise.all(names.map((n) => importDefault(path.join(dir, n))))
  const bases = {
    'zh-CN': await importDefault(path.join(SRC, 'i18n', 'zh-CN.js')),
    en: await importDefault(path.join(SRC, 'i18n', 'en.js')),
  }
  return buildMessages(bases, parts)
}
const load = async (name) => (await allMessages()).messages[name.replace(/\.js$/, '')]

/** {a: {b: 'x'}, c: ['y']} → Map('a.b' → 'x', 'c.0' → 'y') */
function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') flatten(v, key, out)
    else out.set(key, v)
  }
  return out
}

async function sourceFiles(dir = SRC) {
  const out = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...(await sourceFiles(p)))
    else if (/\.(vue|js)$/.test(e.name)) out.push(p)
  }
  return out
}

const stripComments = (s) =>
  s
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')

test('zh-CN and en have the same keys and no empty message', async () => {
  const zh = flatten(await load('zh-CN.js'))
  const en = flatten(await load('en.js'))
  const onlyZh = [...zh.keys()].filter((k) => !en.has(k))
  const onlyEn = [...en.keys()].filter((k) => !zh.has(k))
  assert.deepEqual(onlyZh, [], 'keys missing in en.js')
  assert.deepEqual(onlyEn, [], 'keys missing in zh-CN.js')
  for (const [k, v] of [...zh, ...en]) assert.ok(typeof v === 'string' && v.trim(), `empty message ${k}`)
})

test('no part replaces a message of another file', async () => {
  assert.deepEqual((await allMessages()).clashes, [])
})

test('every message compiles with the vue-i18n message compiler', async (t) => {
  const require = createRequire(path.join(ROOT, 'web', 'package.json'))
  let compiler
  try {
    compiler = require('@intlify/message-compiler')
  } catch (e) {
    t.skip('web/node_modules not installed (npm --prefix web ci)')
    return
  }
  for (const file of ['zh-CN.js', 'en.js']) {
    for (const [key, msg] of flatten(await load(file))) {
      const errors = []
      compiler.baseCompile(msg, { onError: (e) => errors.push(e.message) })
      assert.deepEqual(errors, [], `${file} ${key}: ${msg}`)
    }
  }
})

test('every literal message key used in web/src exists', async () => {
  const zh = flatten(await load('zh-CN.js'))
  const prefixes = new Set([...zh.keys()].flatMap((k) => k.split('.').map((_, i, a) => a.slice(0, i + 1).join('.'))))
  const missing = []
  const patterns = [
    /\b(?:t|te|tm)\(\s*'([^'`${}]+)'/g, // t('a.b'), te('a.b'), tm('a.b')
    /\b(?:label|title|confirmText)\s*:\s*'([a-z][A-Za-z]*\.[A-Za-z_.]+)'/g, // menus as data, route meta
    /\bmeta\('([^']+)'\)/g,
  ]
  for (const file of await sourceFiles()) {
    if (file.includes(`${path.sep}i18n${path.sep}`)) continue
    const text = stripComments(await readFile(file, 'utf8'))
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        if (!prefixes.has(m[1])) missing.push(`${path.relative(ROOT, file)}: ${m[1]}`)
      }
    }
  }
  assert.deepEqual(missing, [])
})

test('no Chinese text outside the message files', async () => {
  const cjk = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/
  const offenders = []
  for (const file of await sourceFiles()) {
    if (file.includes(`${path.sep}i18n${path.sep}`)) continue
    const lines = stripComments(await readFile(file, 'utf8')).split('\n')
    lines.forEach((line, i) => cjk.test(line) && offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`))
  }
  const html = path.join(ROOT, 'web', 'index.html')
  if (existsSync(html) && cjk.test(await readFile(html, 'utf8'))) offenders.push('web/index.html')
  assert.deepEqual(offenders, [])
})

// The audit log names every action in words (AuditLogView: audit.actions.
// <code with _ for .>); a code without a label shows as "ticket.create".
// The actions are the dotted literals of the server's audit calls
// (actor_audit, audit_*): the first one of a call is its action, and a
// choice between two ("internal ? \"ticket.note\" : \"ticket.reply\"")
// names both. The message keys of a refused unique value (field.code_taken)
// are not actions.
async function auditActions() {
  const out = new Map() // action → file
  const walk = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.name.endsWith('.c')) {
        const src = await readFile(p, 'utf8')
        for (const call of src.matchAll(/\b(?:actor_audit|audit_(?:write|write_as|end|end_unique|change|delete|missed))\s*\(([^;]*)/g)) {
          const lits = [...call[1].matchAll(/"([a-z_]+\.[a-z_.]+)"/g)].map((m) => m[1])
          const choice = [...call[1].matchAll(/\?\s*"([a-z_]+\.[a-z_.]+)"\s*:\s*"([a-z_]+\.[a-z_.]+)"/g)].flatMap((m) => [m[1], m[2]])
          for (const a of [lits.find((k) => !/_taken$/.test(k)), ...choice]) if (a) out.set(a, path.relative(ROOT, p))
        }
      }
    }
  }
  await walk(path.join(ROOT, 'src'))
  return out
}

test('every action the server writes to the audit log has a label in both languages', async () => {
  const actions = await auditActions()
  assert.ok(actions.size > 50, `found ${actions.size} audit actions: the scan lost its way`)
  for (const lang of ['zh-CN', 'en']) {
    const labels = (await load(lang)).audit.actions
    const missing = [...actions].filter(([a]) => !labels[a.replace(/\./g, '_')]).map(([a, f]) => `${a} (${f})`)
    assert.deepEqual(missing, [], `${lang}: audit actions without a label`)
  }
})
