// The lint checks must fail on what they forbid, not only pass on main.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { checkTree } from '../../scripts/lint/check-layers.mjs'
import { checkFile } from '../../scripts/lint/check-banned.mjs'

function tree(files) {
  const dir = mkdtempSync(join(tmpdir(), 'hy-layers-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

test('an include that points down passes', () => {
  const dir = tree({
    'base/str.h': '',
    'core/audit.c': '#include "core/audit.h"\n#include "base/str.h"\n',
    'core/audit.h': '',
  })
  try {
    assert.deepEqual(checkTree(dir, []), [])
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('an include that points up fails and names the line', () => {
  const dir = tree({ 'http/server.c': '#include "base/log.h"\n#include "auth/session.h"\n', 'auth/session.h': '', 'base/log.h': '' })
  try {
    assert.deepEqual(checkTree(dir, []), ['http/server.c:2: "auth/session.h" points up (http may not include auth)'])
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('a cycle between files of one folder fails', () => {
  const dir = tree({
    'crm/a.c': '#include "crm/b.h"\n',
    'crm/a.h': '',
    'crm/b.c': '#include "crm/c.h"\n',
    'crm/b.h': '',
    'crm/c.c': '#include "crm/a.h"\n',
    'crm/c.h': '',
  })
  try {
    assert.deepEqual(checkTree(dir, []), ['cycle between files: crm/a ↔ crm/b ↔ crm/c'])
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('a cycle between two domain folders fails', () => {
  const dir = tree({ 'crm/x.c': '#include "vip/y.h"\n', 'crm/x.h': '', 'vip/y.c': '#include "crm/x.h"\n', 'vip/y.h': '' })
  try {
    const problems = checkTree(dir, [])
    assert.ok(problems.includes('cycle between folders: crm ↔ vip'), problems.join('\n'))
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('a folder outside the layer list fails', () => {
  const dir = tree({ 'misc/x.c': '' })
  try {
    assert.deepEqual(checkTree(dir, []), ["misc/x.c: folder 'misc' is not in the layer list (scripts/lint/check-layers.mjs)"])
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('banned functions are found in code, not in comments or strings', () => {
  const text = [
    'int n = atoi(s);',
    '/* sprintf(buf, ...) is banned */',
    'log("strcpy(a, b)");',
    'snprintf(buf, sizeof(buf), "%d", n);',
    'x = my_atoi(s); y = obj.strcat(z);',
    '    strcat (out, part);',
  ].join('\n')
  assert.deepEqual(checkFile('f.c', text), ['f.c:1: atoi() is banned', 'f.c:6: strcat() is banned'])
})
