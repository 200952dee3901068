#!/usr/bin/env node
// check-banned.mjs - functions that the C code must not call, because each
// has a safer replacement (as curl's checksrc does):
//   sprintf, vsprintf          → snprintf / xasprintf (bounded)
//   strcpy, strcat, strncat, strncpy → snprintf, memcpy with a known length
//   atoi, atol, atoll, atof    → strtol / strtoll / strtod with error checks
//   strtok                     → strtok_r, or a parser
//   gets                       → fgets
//   tmpnam, tempnam, mktemp    → mkstemp
//   localtime, gmtime, ctime, asctime → the _r forms, or base/clock
// Comments and string literals are skipped. Exits 1 and names each call.
//
// usage: node scripts/lint/check-banned.mjs FILE_OR_DIR...
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const BANNED = [
  'sprintf', 'vsprintf', 'strcpy', 'strcat', 'strncat', 'strncpy', 'atoi', 'atol', 'atoll',
  'atof', 'strtok', 'gets', 'tmpnam', 'tempnam', 'mktemp', 'localtime', 'gmtime', 'ctime',
  'asctime',
]
const CALL = new RegExp(`(^|[^A-Za-z0-9_.>])(${BANNED.join('|')})\\s*\\(`, 'g')

// Blank out comments and string / character literals, keeping line breaks.
export function stripC(text) {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  )
}

export function checkFile(path, text) {
  const problems = []
  stripC(text).split('\n').forEach((line, i) => {
    for (const m of line.matchAll(CALL)) problems.push(`${path}:${i + 1}: ${m[2]}() is banned`)
  })
  return problems
}

function walk(p, out = []) {
  if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n), out)
  else if (/\.[ch]$/.test(p)) out.push(p)
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = process.argv.slice(2).flatMap((a) => walk(a)).flatMap((f) => checkFile(f, readFileSync(f, 'utf8')))
  for (const p of problems) console.error(`banned: ${p}`)
  if (problems.length) process.exit(1)
  console.log('lint: no banned function')
}
