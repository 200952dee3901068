// The form layout of an entity (GET /form-layouts/{entity}) resolved for
// the signed-in user, shared by the forms and profile pages that draw
// from it. Loaded once per entity; the designer reloads it after a save.
import { computed, reactive } from 'vue'
import { formLayoutsApi } from '@/api/formLayouts.js'

const state = reactive({})
const pending = {}

export function useFormLayout(entity) {
  const layout = computed(() => state[entity] || null)
  function load(force = false) {
    if (state[entity] && !force) return Promise.resolve(state[entity])
    if (!pending[entity] || force) {
      pending[entity] = formLayoutsApi
        .get(entity, { quiet: true })
        .then((l) => (state[entity] = l))
        .finally(() => delete pending[entity])
    }
    return pending[entity]
  }
  /** Placed fields the user may see, in layout order. */
  const fields = computed(() => (layout.value ? layout.value.groups.flatMap((g) => g.fields).filter((f) => f.visible) : []))
  return { layout, fields, load }
}

/** Forget a cached layout (after a save), so the next page loads it anew. */
export function forgetFormLayout(entity) {
  delete state[entity]
}

/** A field's help text in the UI language. */
export function layoutHelp(f, locale) {
  return (locale === 'en' ? f.help_en || f.help : f.help) || ''
}
