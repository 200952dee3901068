// Message files are split by feature: zh-CN.js and en.js hold the shared
// texts, and web/src/i18n/parts/<feature>.js each export
// `{ 'zh-CN': {...}, en: {...} }` for one feature, so features can be
// worked on side by side without editing the same two big files. Parts
// are merged in file-name order; a part may add keys inside an existing
// section but never replace a key (tests/browser/i18n.test.mjs checks).

function isObject(v) {
  return v && typeof v === 'object' && !Array.isArray(v)
}

/** Deep-merge `add` into a copy of `base`; returns [merged, clashes]. */
export function mergeMessages(base, add, prefix = '', clashes = []) {
  const out = { ...base }
  for (const [k, v] of Object.entries(add || {})) {
    const key = prefix ? `${prefix}.${k}` : k
    if (isObject(v) && isObject(out[k])) {
      const [m] = mergeMessages(out[k], v, key, clashes)
      out[k] = m
    } else {
      if (k in out) clashes.push(key)
      out[k] = v
    }
  }
  return [out, clashes]
}

/** The messages of every locale, given the base files and the parts. */
export function buildMessages(bases, parts) {
  const messages = {}
  const clashes = []
  for (const [locale, base] of Object.entries(bases)) {
    let merged = base
    for (const part of parts) [merged] = mergeMessages(merged, part[locale], '', clashes)
    messages[locale] = merged
  }
  return { messages, clashes }
}
