#!/usr/bin/env node
// check-layers.mjs - the layering rule of docs/architecture.md, checked over
// the #include lines of a source tree (default: src/).
//
//   base → db → http → core → auth → record → domains → app
//
// A file may include headers of its own folder and of the folders below
// it, never above. The domain folders share one rank, so a domain may use
// another one's header, but no cycle may form: not between files (a.c/a.h
// including b.h while b.c/b.h includes a.h, or any longer circle) and not
// between folders. Exits 1 and names every offending include.
//
// A route table is data (src/crm/customer_api.routes) that the build turns
// into a header (build/gen/crm/customer_api.routes.h) for its C file to
// include at its end: that include is part of the C file's own unit, and
// only that C file may make it, of a .routes file that exists.
//
// usage: node scripts/lint/check-layers.mjs [SRC_DIR]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

export const LAYERS = [
  ['base'],
  ['db'],
  ['http'],
  ['core'],
  ['auth'],
  ['record'],
  ['crm', 'vip', 'logistics', 'notify', 'mail', 'service', 'billing', 'report', 'rules', 'approval'],
  ['app'],
]

const rank = new Map()
LAYERS.forEach((folders, i) => folders.forEach((f) => rank.set(f, i)))

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (/\.[ch]$/.test(name)) out.push(p)
  }
  return out
}

// Strongly connected components (Tarjan) of a graph Map<node, Set<node>>;
// answers the components of more than one node.
function cycles(graph) {
  let index = 0
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), found = []
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++
    stack.push(v); on.add(v)
    for (const w of graph.get(v) || []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))) }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const comp = []
      let w
      do { w = stack.pop(); on.delete(w); comp.push(w) } while (w !== v)
      if (comp.length > 1) found.push(comp.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

// Cycles being taken apart, each with the work that removes it. Listed
// here so that no new one can join them unnoticed; empty is the goal.
const KNOWN_CYCLES = []

export function checkTree(src, known = KNOWN_CYCLES) {
  const problems = []
  const files = new Map() // unit "crm/customer" → Set of included units
  const folders = new Map()
  for (const path of walk(src)) {
    const rel = relative(src, path).replace(/\\/g, '/')
    const parts = rel.split('/')
    if (parts.length < 2) {
      problems.push(`${rel}: every source file lives in a layer folder`)
      continue
    }
    const folder = parts[0]
    if (!rank.has(folder)) {
      problems.push(`${rel}: folder '${folder}' is not in the layer list (scripts/lint/check-layers.mjs)`)
      continue
    }
    // A subsystem's private header (db/db_int.h) is part of its unit.
    const unit = rel.replace(/\.[ch]$/, '').replace(/_int$/, '')
    if (!files.has(unit)) files.set(unit, new Set())
    if (!folders.has(folder)) folders.set(folder, new Set())
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      const m = /^\s*#\s*include\s+"([^"]+)"/.exec(line)
      if (!m) return
      const inc = m[1]
      const to = inc.split('/')[0]
      if (!inc.includes('/')) return // generated or local headers
      if (!rank.has(to)) {
        problems.push(`${rel}:${i + 1}: includes "${inc}" from unknown folder '${to}'`)
        return
      }
      if (rank.get(to) > rank.get(folder))
        problems.push(`${rel}:${i + 1}: "${inc}" points up (${folder} may not include ${to})`)
      if (/\.routes\.h$/.test(inc)) {
        const data = inc.replace(/\.h$/, '')
        if (rel !== data.replace(/\.routes$/, '.c'))
          problems.push(`${rel}:${i + 1}: "${inc}" is the route table of ${data.replace(/\.routes$/, '.c')}; only that file includes it`)
        else if (!existsSync(join(src, data)))
          problems.push(`${rel}:${i + 1}: "${inc}" is made from ${data}, which does not exist`)
        return
      }
      const target = inc.replace(/\.h$/, '').replace(/_int$/, '')
      if (target !== unit) files.get(unit).add(target)
      if (to !== folder) folders.get(folder).add(to)
    })
  }
  for (const c of cycles(files))
    if (!known.includes(c.join(' ↔ '))) problems.push(`cycle between files: ${c.join(' ↔ ')}`)
  for (const c of cycles(folders)) problems.push(`cycle between folders: ${c.join(' ↔ ')}`)
  return problems
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const src = process.argv[2] || 'src'
  const problems = checkTree(src)
  for (const p of problems) console.error(`layers: ${p}`)
  if (problems.length) process.exit(1)
  console.log('lint: layering ok')
}
