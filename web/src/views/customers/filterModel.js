// The advanced-filter panel's state and its translation into the filter
// language of the API ({"and":[{field, op, value}, …]}). Which fields can
// be conditions, and of which type, comes from the server's metadata
// (useEntityMeta: fields with "filter": true); the panel has its own
// controls for a few of them (FIXED_FIELDS) and a condition row for the rest.
import { reactive } from 'vue'
import { PROFILE_FIELDS, blankProfile, profileConditions, profileCount, parseProfileCondition } from './valueFilters.js'

// What the panel's own controls mean per entity: the grade select (its
// field and dictionary) and whether the customer-value block shows. The
// rest of an entity's filterable fields are condition rows.
export const PANELS = {
  customer: { level: 'level', levelDict: 'customer_level', profile: true },
  enterprise: { level: 'tier', levelDict: 'vip_tier', profile: false },
}
export const panelOf = (entity = 'customer') => PANELS[entity] || PANELS.customer

export const blankFilter = (entity = 'customer') => ({
  level: [], // values of the entity's grade field (panelOf(entity).level)
  region: '',
  tagIds: [],
  tagMode: 'has_any',
  branchId: null,
  ownerId: null,
  created: null, // [from, to] dates
  custom: [], // condition rows [{key, op, value}], key as the metadata names it ("custom.wechat", "occupation")
  profile: panelOf(entity).profile ? blankProfile() : null, // 客户画像与价值 (valueFilters.js)
})

/** Fields the panel shows its own control for (not offered as a condition row). */
const fixedFields = (entity = 'customer') => {
  const p = panelOf(entity)
  return new Set([p.level, 'region', 'tags', 'branch_id', 'owner_id', 'created_at', ...(p.profile ? PROFILE_FIELDS : [])])
}

/** Operators offered per field type (first is the default). */
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
  int: ['eq', 'gte', 'lte', 'between', 'not_null', 'is_null'],
  time: ['within_days', 'not_null', 'is_null'],
}
// the metadata's names of built-in types (record/entity.c) edited as above
OPS_BY_TYPE.integer = OPS_BY_TYPE.int
OPS_BY_TYPE.datetime = OPS_BY_TYPE.time
export const NUMERIC_TYPES = ['number', 'money', 'int', 'integer']

/**
 * How a condition row edits a field's value: its type, or select /
 * multiselect where the value comes from options or a dictionary; null for
 * a type the row cannot edit.
 */
export function editorType(f) {
  if (!f) return null
  const listed = (f.options && f.options.length) || f.dict
  if (f.type === 'array' || f.type === 'list' || f.type === 'multiselect') return 'multiselect'
  if (listed && (f.type === 'text' || f.type === 'select')) return 'select'
  return f.type !== 'select' && OPS_BY_TYPE[f.type] ? f.type : null
}

/** The metadata fields of an entity offered as condition rows. */
export const conditionFields = (fields, entity = 'customer') => {
  const fixed = fixedFields(entity)
  return fields.filter((f) => f.filter && !fixed.has(f.key) && editorType(f))
}

export const NO_VALUE_OPS = new Set(['is_null', 'not_null'])

function nextDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

const emptyValue = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)

/** Panel state → filter tree of an entity, or null when nothing is set. */
export function buildFilter(s, fields = [], entity = 'customer') {
  const and = []
  if (s.level.length) and.push({ field: panelOf(entity).level, op: 'in', value: [...s.level] })
  if (s.region) and.push({ field: 'region', op: 'starts_with', value: s.region })
  if (s.tagIds.length) and.push({ field: 'tags', op: s.tagMode === 'has_all' ? 'has_all' : 'has_any', value: [...s.tagIds] })
  if (s.branchId) and.push({ field: 'branch_id', op: 'eq', value: s.branchId })
  if (s.ownerId) and.push({ field: 'owner_id', op: 'eq', value: s.ownerId })
  if (s.created && s.created[0]) {
    and.push({ field: 'created_at', op: 'gte', value: s.created[0] })
    and.push({ field: 'created_at', op: 'lt', value: nextDay(s.created[1] || s.created[0]) })
  }
  if (s.profile) and.push(...profileConditions(s.profile))
  for (const c of s.custom) {
    if (!c.key || !c.op) continue
    const type = editorType(fields.find((x) => x.key === c.key))
    const field = c.key
    if (NO_VALUE_OPS.has(c.op)) {
      and.push({ field, op: c.op })
      continue
    }
    let v = c.value
    if (type === 'boolean') v = !!v
    else if (emptyValue(v)) continue
    if (c.op === 'between' && (!Array.isArray(v) || v.length !== 2 || emptyValue(v[0]) || emptyValue(v[1]))) continue
    const numeric = NUMERIC_TYPES.includes(type)
    if (numeric && c.op !== 'between') v = Number(v)
    if (numeric && c.op === 'between') v = v.map(Number)
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
  if (s.profile) n += profileCount(s.profile)
  n += s.custom.filter((c) => c.key).length
  return n
}

/** AND of several filter trees (nulls dropped). */
export function andFilters(...list) {
  const parts = list.filter(Boolean)
  if (!parts.length) return null
  return parts.length === 1 ? parts[0] : { and: parts }
}

// A list page's state survives a visit to a record's detail page: one
// state per entity.
const listStates = {}
export function listStateOf(entity = 'customer') {
  if (!listStates[entity])
    listStates[entity] = reactive({
      q: '',
      filter: blankFilter(entity),
      applied: null, // the filter tree in force
      segment: null, // {id, name, filter, q}
      sort: '-updated_at',
      deleted: false,
      showFilter: false,
    })
  return listStates[entity]
}
export const listState = listStateOf('customer')

function prevDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/**
 * Filter tree → panel state, the inverse of buildFilter (for editing a saved
 * condition, e.g. a reminder rule's). tags: [{id, name}] to map tag names;
 * fields: the metadata fields (conditions on other fields become rows).
 * Returns null when the tree holds something the panel cannot show (or/not,
 * other fields or operators): the caller keeps the tree as it is.
 */
export function parseFilter(tree, tags = [], fields = [], entity = 'customer') {
  const s = blankFilter(entity)
  const level = panelOf(entity).level
  if (!tree) return s
  const list = tree.and ? tree.and : [tree]
  if (!Array.isArray(list)) return null
  for (const c of list) {
    if (!c || typeof c !== 'object' || !c.field) return null
    const { field, op, value } = c
    if (field === level && op === 'in' && Array.isArray(value)) s.level = [...value]
    else if (field === level && op === 'eq') s.level = [value]
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
    else if (s.profile && parseProfileCondition(c, s.profile)) continue
    else if (field.startsWith('custom.') || conditionFields(fields, entity).some((f) => f.key === field))
      s.custom.push({ key: field, op, value: value === undefined ? null : value })
    else return null
  }
  return s
}
