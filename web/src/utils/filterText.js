// A filter tree of the API's filter language ({"and": [...]}, {"or": [...]},
// {"not": node}, {field, op, value}) in words, in the UI's language:
// e.g. tags has any of [VIP, Senior] and spend in 12 months at least 1000.
// Pure: the caller gives the translation function and how to name a field
// and a value (entity metadata, dictionaries, tags), so saved segments,
// reminder rules and tests read a tree the same way.

const NO_VALUE = new Set(['is_null', 'not_null'])
const DAYS = { within_days: 'filterText.withinDays', older_than_days: 'filterText.olderThanDays' }

/**
 * @param tree  the filter tree (null: no condition)
 * @param ctx.t      (key, params) → text, vue-i18n's t
 * @param ctx.label  (field key) → the field's label
 * @param ctx.value  (field key, one value) → how to show it (a dictionary
 *                   label, a tag's name); defaults to the value itself
 * @returns the words; '' for no tree
 */
export function filterText(tree, ctx) {
  if (!tree) return ''
  return node(tree, ctx, false)
}

function node(n, ctx, nested) {
  if (!n || typeof n !== 'object') return String(n)
  const { t } = ctx
  for (const comb of ['and', 'or']) {
    if (Array.isArray(n[comb])) {
      const text = n[comb].map((c) => node(c, ctx, true)).join(t(`filterText.${comb}`))
      return nested && n[comb].length > 1 ? t('filterText.group', { text }) : text
    }
  }
  if (n.not !== undefined) return t('filterText.not') + t('filterText.group', { text: node(n.not, ctx, false) })
  return condition(n, ctx)
}

function condition(c, ctx) {
  const { t } = ctx
  const label = ctx.label ? ctx.label(c.field) : c.field
  const one = (v) => {
    if (typeof v === 'boolean') return t(v ? 'filterText.yes' : 'filterText.no')
    const shown = ctx.value ? ctx.value(c.field, v) : v
    return String(shown ?? v)
  }
  if (NO_VALUE.has(c.op)) return `${label} ${t(`customerFilter.ops.${c.op}`)}`
  if (DAYS[c.op]) return `${label} ${t(DAYS[c.op], { n: c.value })}`
  const op = t(`customerFilter.ops.${c.op}`)
  let value
  if (c.op === 'between' && Array.isArray(c.value)) value = t('filterText.between', { a: one(c.value[0]), b: one(c.value[1]) })
  else if (Array.isArray(c.value)) value = t('filterText.list', { items: c.value.map(one).join(t('filterText.listSep')) })
  else value = one(c.value)
  return `${label} ${op} ${value}`
}
