// What the customer pages choose from, loaded once per page load and
// shared: the dictionaries of the customer form, the tag groups with their
// tags, and the custom field definitions. reloadFields() (which reloads the
// entity metadata of useEntityMeta too) / reloadTags() after
// an admin change.
import { reactive, computed } from 'vue'
import { customersApi, dictionaryApi } from '@/api/customers.js'
import { fieldsApi } from '@/api/fields.js'
import { tagGroupsApi } from '@/api/tags.js'
import { localLabel } from '@/utils/localLabel.js'
import { reloadEntityMeta } from './useEntityMeta.js'

export const DICTS = ['region', 'occupation', 'business_type', 'service_level', 'customer_level']

const state = reactive({
  dicts: {}, // code → [{value, label, label_en}]
  groups: [], // [{id, name, color, tags: [{id, name, color, customer_count}]}]
  fields: [], // active custom field definitions (entity customer)
  loaded: false,
})
let loading = null

async function loadDict(code) {
  try {
    const d = await dictionaryApi.get(code)
    state.dicts[code] = ((d && d.items) || []).filter((i) => i.enabled !== false)
  } catch (e) {
    state.dicts[code] = state.dicts[code] || []
  }
}

async function loadFields() {
  try {
    const d = await fieldsApi.list('customer')
    state.fields = ((d && d.items) || []).filter((f) => !f.retired)
  } catch (e) {
    /* shown by the http layer */
  }
}

/** After an admin changed the custom fields. */
async function reloadFields() {
  await Promise.all([loadFields(), reloadEntityMeta()])
}

async function reloadTags() {
  try {
    const d = await tagGroupsApi.list()
    state.groups = (d && d.items) || []
  } catch (e) {
    /* shown by the http layer */
  }
}

function load(force = false) {
  if (loading && !force) return loading
  loading = Promise.all([...DICTS.map(loadDict), loadFields(), reloadTags()]).then(() => {
    state.loaded = true
  })
  return loading
}

/** Load the dictionaries among codes not loaded yet (another entity's
 *  fields name theirs: the filter texts of its segments show their labels). */
function ensureDicts(codes) {
  return Promise.all([...new Set(codes)].filter((c) => c && !state.dicts[c]).map(loadDict))
}

export { localLabel }

export function useCustomerMeta() {
  const tags = computed(() =>
    state.groups.flatMap((g) => (g.tags || []).map((t) => ({ ...t, group: g.name, color: t.color || g.color }))),
  )
  const tagById = computed(() => new Map(tags.value.map((t) => [t.id, t])))
  const visibleFields = computed(() => state.fields.filter((f) => !f.hidden))

  function dictLabel(code, value) {
    if (value === null || value === undefined || value === '') return ''
    const item = (state.dicts[code] || []).find((i) => i.value === value)
    return item ? localLabel(item) : String(value)
  }

  function fieldLabel(f) {
    return localLabel(f) || f.key
  }

  return {
    state,
    load,
    reloadFields,
    reloadTags,
    tags,
    tagById,
    visibleFields,
    dictLabel,
    ensureDicts,
    fieldLabel,
    duplicates: customersApi.duplicates,
  }
}
