// The contact and department tabs edit one kind of an enterprise's child
// records the same way: the page hands both the enterprise and both lists;
// a name is required; saving creates or updates quietly (errors go next to
// the fields), a toast names the record and the page reloads; 删除 (after
// its popconfirm) says so and reloads.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { useEditDialog } from '@/composables/useEditDialog.js'
import { doAndSay } from '@/utils/dialogs.js'

export const CHILD_TAB_PROPS = {
  enterprise: { type: Object, required: true },
  contacts: { type: Array, required: true },
  departments: { type: Array, required: true },
  canWrite: { type: Boolean, default: false },
}

/**
 * kind: 'contact' | 'department' (texts enterprise.<kind>NameRequired,
 * <kind>Saved; the answer's record under that key); api: { create(entId,
 * body, opts), update(entId, id, body, opts), remove(entId, id) };
 * fill(row) → the form; body(row, form) → what is sent.
 */
export function useChildList(props, emit, { kind, api, fill, body }) {
  const { t } = useI18n()
  const changed = () => emit('changed')
  const rules = computed(() => ({ name: [{ required: true, message: t(`enterprise.${kind}NameRequired`), trigger: 'blur' }] }))
  const editor = useEditDialog({
    fill,
    save: (row, f) => {
      const id = props.enterprise.id
      return row ? api.update(id, row.id, body(row, f), { quiet: true }) : api.create(id, body(row, f), { quiet: true })
    },
    saved: (r) => {
      ElMessage.success(t(`enterprise.${kind}Saved`, { name: r[kind].name }))
      changed()
    },
  })

  async function remove(row) {
    if (await doAndSay(() => api.remove(props.enterprise.id, row.id), t('enterprise.deleted', { name: row.name }))) changed()
  }

  return { rules, editor, remove, changed }
}
