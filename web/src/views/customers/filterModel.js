// The advanced-filter panel's state and its translation into the filter
// language of the API ({"and":[{field, op, value}, …]}).
import { reactive } from 'vue'

export const blankFilter = () => ({
  level: [],
  region: '',
  tagIds: [],
  tagMode: 'has_any',
  branchId: null,
  ownerId: null,
  created: null, // [from, to] dates
  custom: [], // [{key, op, value}]
})

/** Operators offered per custom field type (first is the default). */
export const OPS_BY_TYPE = {
  text: ['contains', 'eq', 'starts_with', 'not_null', 'is_null'],
  textarea: ['contains', 'not_null', 'is_null'],
  phone: ['eq', 'contains', 'not_null', 'is_null'],
  email: ['eq', 'contains', 'not_null', 'is_null'],
  number: ['eq', 'gte', 'lte', 'between', 'not_null', 'is_null'],
  money: ['eq', 'gte', 'lte', 'between', 'not_null', 'is_null'],
  date: ['between', 'gte', 'lte', 'within_days', 'not_null', 'is_null'],
  select: ['in', 'nin', 'not_null', 'is_null'],
  multiselect: ['has_any', 'has_all', 'not_null', 'is_null'],
  boolean: ['eq'],
}

export const NO_VALUE_OPS = new Set(['is_null', 'not_null'])

function nextDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

const emptyValue = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)

/** Panel state → filter tree, or null when nothing is set. */
export function buildFilter(s, fields = []) {
  const and = []
  if (s.level.length) and.push({ field: 'level', op: 'in', value: [...s.level] })
  if (s.region) and.push({ field: 'region', op: 'starts_with', value: s.region })
  if (s.tagIds.length) and.push({ field: 'tags', op: s.tagMode === 'has_all' ? 'has_all' : 'has_any', value: [...s.tagIds] })
  if (s.branchId) and.push({ field: 'branch_id', op: 'eq', value: s.branchId })
  if (s.ownerId) and.push({ field: 'owner_id', op: 'eq', value: s.ownerId })
  if (s.created && s.created[0]) {
    and.push({ field: 'created_at', op: 'gte', value: s.created[0] })
    and.push({ field: 'created_at', op: 'lt', value: nextDay(s.created[1] || s.created[0]) })
  }
  for (const c of s.custom) {
    if (!c.key || !c.op) continue
    const f = fields.find((x) => x.key === c.key)
    const field = 'custom.' + c.key
    if (NO_VALUE_OPS.has(c.op)) {
      and.push({ field, op: c.op })
      continue
    }
    let v = c.value
    if (f && f.type === 'boolean') v = !!v
    else if (emptyValue(v)) continue
    if (c.op === 'between' && (!Array.isArray(v) || v.length !== 2 || emptyValue(v[0]) || emptyValue(v[1]))) continue
    if (f && (f.type === 'number' || f.type === 'money') && c.op !== 'between') v = Number(v)
    if (f && (f.type === 'number' || f.type === 'money') && c.op === 'between') v = v.map(Number)
    if (c.op === 'within_days') v = Number(v)
    and.push({ field, op: c.op, value: v })
  }
  if (!and.length) return null
  return and.length === 1 ? and[0] : { and }
}

/** Number of conditions set (for the badge on the 高级筛选 button). */
export function countConditions(s) {
  let n = 0
  if (s.level.length) n++
  if (s.region) n++
  if (s.tagIds.length) n++
  if (s.branchId) n++
  if (s.ownerId) n++
  if (s.created && s.created[0]) n++
  n += s.custom.filter((c) => c.key).length
  return n
}

/** AND of several filter trees (nulls dropped). */
export function andFilters(...list) {
  const parts = list.filter(Boolean)
  if (!parts.length) return null
  return parts.length === 1 ? parts[0] : { and: parts }
}

// The list page's state survives a visit to a customer's detail page.
export const listState = reactive({
  q: '',
  filter: blankFilter(),
  applied: null, // the filter tree in force
  segment: null, // {id, name, filter, q}
  sort: '-updated_at',
  deleted: false,
  showFilter: false,
})

function prevDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/**
 * Filter tree → panel state, the inverse of buildFilter (for editing a saved
 * condition, e.g. a reminder rule's). tags: [{id, name}] to map tag names.
 * Returns null when the tree holds something the panel cannot show (or/not,
 * other fields or operators): the caller keeps the tree as it is.
 */
export function parseFilter(tree, tags = []) {
  const s = blankFilter()
  if (!tree) return s
  const list = tree.and ? tree.and : [tree]
  if (!Array.isArray(list)) return null
  for (const c of list) {
    if (!c || typeof c !== 'object' || !c.field) return null
    const { field, op, value } = c
    if (field === 'level' && op === 'in' && Array.isArray(value)) s.level = [...value]
    else if (field === 'level' && op === 'eq') s.level = [value]
    else if (field === 'region' && op === 'starts_with') s.region = value
    else if (field === 'tags' && ['has', 'has_any', 'has_all'].includes(op)) {
      const ids = []
      for (const v of Array.isArray(value) ? value : [value]) {
        const tag = typeof v === 'number' ? tags.find((x) => x.id === v) : tags.find((x) => x.name === v)
        if (!tag) return null
        ids.push(tag.id)
      }
      s.tagIds = ids
      s.tagMode = op === 'has_all' ? 'has_all' : 'has_any'
    } else if (field === 'branch_id' && op === 'eq') s.branchId = value
    else if (field === 'owner_id' && op === 'eq') s.ownerId = value
    else if (field === 'created_at' && op === 'gte') s.created = [value, (s.created && s.created[1]) || value]
    else if (field === 'created_at' && op === 'lt') s.created = [(s.created && s.created[0]) || prevDay(value), prevDay(value)]
    else if (field.startsWith('custom.')) s.custom.push({ key: field.slice(7), op, value: value === undefined ? null : value })
    else return null
  }
  return s
}
