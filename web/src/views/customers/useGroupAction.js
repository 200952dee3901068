// What the target-group dialogs (批量建任务, 发送短信/邮件, 客户交接, 批量标签)
// share: the scope (selected rows or the whole list), a preview asked of
// the server before the real thing (stale as soon as anything changes), a
// token per opening so a double submit is one action, field errors next to
// the inputs, and on success a toast, the dialog closed and "done".
//   open    the dialog's v-model (defineModel)
// GroupActionDialog.vue draws the shell around it.
//
//   props   the dialog's props: ids, scopeQuery, total (fromUser: all of
//           one person's customers, no scope to choose)
//   reset() the form's values for a new opening
//   watched the reactive form whose changes make the preview stale
//   preview(group)           → the preview (optional)
//   ready(preview)           → may submit
//   confirm(preview)         → a question to confirm first (optional)
//   submit({ group, token, scope, preview }) → the success message
import { computed, ref, watch } from 'vue'
import { ElMessage } from 'element-plus'
import { useFormErrors } from '@/composables/useFormErrors.js'
import { useBusy } from '@/composables/useBusy.js'
import { confirmAction } from '@/utils/dialogs.js'
import { groupBody, clientToken } from './targetGroup.js'

/** The props every target-group dialog takes (the list's selection and query). */
export const GROUP_PROPS = {
  ids: { type: Array, default: () => [] },
  scopeQuery: { type: Object, default: () => ({}) },
  total: { type: [Number, String], default: null }, // "10000+" when capped
}

export function useGroupAction(props, { open, emit, reset, watched, preview, ready, confirm, submit }) {
  const { errors, apply, clear } = useFormErrors()
  const { busy, during } = useBusy()
  const scope = ref('selected')
  const result = ref(null)
  const previewing = ref(false)
  let token = ''

  const group = () => (props.fromUser ? {} : groupBody(scope.value, props.ids, props.scopeQuery))
  const canSubmit = computed(() => !!ready(result.value))
  const count = computed(() => props.ids.length)
  const total = computed(() => props.total)

  function onOpen() {
    scope.value = !props.fromUser && props.ids.length ? 'selected' : 'all'
    result.value = null
    token = clientToken()
    clear()
    reset()
  }

  // A change of what is asked makes the last preview stale.
  if (watched) watch([scope, () => ({ ...watched })], () => (result.value = null), { deep: true })

  function failed(e) {
    if (!apply(e)) ElMessage.error(e.message)
  }

  async function runPreview() {
    previewing.value = true
    try {
      clear()
      result.value = await preview(group())
    } catch (e) {
      failed(e)
    } finally {
      previewing.value = false
    }
  }

  async function run() {
    if (confirm && !(await confirmAction(confirm(result.value)))) return
    await during(async () => {
      try {
        ElMessage.success(await submit({ group: group(), token, scope: scope.value, preview: result.value }))
        open.value = false
        emit('done')
      } catch (e) {
        failed(e)
      }
    })
  }

  return { open, count, total, errors, busy, scope, preview: result, previewing, canSubmit, onOpen, runPreview, submit: run }
}
