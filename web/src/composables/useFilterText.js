// filterText (utils/filterText.js) with the customer entity's labels and
// the names of dictionary items, options, tags and branches.
import { watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { useEntityMeta } from '@/composables/useEntityMeta.js'
import { useCustomerMeta, localLabel } from '@/composables/useCustomerMeta.js'
import { useBranches } from '@/composables/useBranches.js'
import { filterText } from '@/utils/filterText.js'

export function useFilterText(entityName = 'customer') {
  const { t } = useI18n()
  const entity = useEntityMeta(entityName)
  const meta = useCustomerMeta()
  const branches = useBranches()
  meta.load()
  branches.load()
  // the labels of the entity's dictionary values (an enterprise's tier)
  watch(entity.fields, (fields) => meta.ensureDicts(fields.map((f) => f.dict)), { immediate: true })

  function value(field, v) {
    if (field === 'tags') {
      const tag = typeof v === 'number' ? meta.tagById.value.get(v) : null
      return tag ? tag.name : v
    }
    if (field === 'branch_id') return (branches.byId.value.get(v) || {}).name || v
    const f = entity.field(field) || {}
    const opt = (f.options || []).find((o) => o.value === v)
    if (opt) return localLabel(opt)
    if (f.dict) return meta.dictLabel(f.dict, v)
    return v
  }

  /** The tree in words ('' for none). */
  return (tree) => filterText(tree, { t, label: (k) => entity.label(k), value })
}
