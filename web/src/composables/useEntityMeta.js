// Entity and field metadata from the server (GET /meta/entities/{name}):
// the built-in fields in form order with their labels, type, flags (filter,
// sort, export, import, required), mask and dictionary, then the active
// custom fields as "custom.<key>" with their options. Loaded once per entity
// and shared by every page; reload() after an admin changes custom fields.
// Labels come from the server (label / label_en); the vue-i18n keys
// <entity>.fields.* serve only where the server gives no label.
import { reactive, computed } from 'vue'
import { ElMessage } from 'element-plus'
import { metaApi } from '@/api/meta.js'
import { i18n } from '@/i18n'
import { localLabel } from '@/utils/localLabel.js'

const I18N_PREFIX = { customer: 'customers.fields', interaction: 'interactions.fields' }

const entities = reactive({}) // name → ENTITY as the server sends it
const loading = {} // name → the request in flight (or done)

async function fetchEntity(name) {
  try {
    entities[name] = await metaApi.entity(name, { quiet: true })
  } catch (e) {
    if (e.status === 404) {
      entities[name] = null // no such entity: labels from vue-i18n, no field lists
      return
    }
    delete loading[name] // try again on the next use
    if (e.status !== 401) ElMessage.error({ message: e.message, grouping: true })
  }
}

function load(name, force = false) {
  if (!loading[name] || force) loading[name] = fetchEntity(name)
  return loading[name]
}

/** Forget every entity's fields and load those in use again (after an admin change). */
export function reloadEntityMeta() {
  return Promise.all(Object.keys(loading).map((name) => load(name, true)))
}

/** The metadata of one entity; the first use starts loading it. */
export function useEntityMeta(name = 'customer') {
  load(name)
  const entity = computed(() => entities[name] || null)
  const fields = computed(() => (entity.value && entity.value.fields) || [])
  const byKey = computed(() => new Map(fields.value.map((f) => [f.key, f])))
  const flagged = (flag) => computed(() => fields.value.filter((f) => f[flag]))

  /** A field's label in the UI language: the server's, else vue-i18n's, else the key. */
  function label(keyOrField) {
    const key = typeof keyOrField === 'string' ? keyOrField : keyOrField && keyOrField.key
    if (!key) return ''
    const server = localLabel(byKey.value.get(key))
    if (server && server !== key) return server
    const msg = `${I18N_PREFIX[name] || name + '.fields'}.${key}`
    if (i18n.global.te(msg)) return i18n.global.t(msg)
    return key.startsWith('custom.') ? key.slice(7) : key
  }

  return {
    entity,
    fields,
    field: (key) => byKey.value.get(key) || null,
    exportFields: flagged('export'),
    importFields: flagged('import'),
    filterFields: flagged('filter'),
    label,
    load: (force = false) => load(name, force),
    reload: () => load(name, true),
  }
}
