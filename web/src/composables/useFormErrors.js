// Server-side field errors (error.fields of a 422) shown next to the form
// fields: bind :error="errors.<field>" on each el-form-item.
import { reactive, ref } from 'vue'
import { ElMessage } from 'element-plus'

export function useFormErrors() {
  const errors = reactive({})

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /** Take the fields of an ApiError; returns true when there were any. */
  function apply(err) {
    clear()
    const fields = (err && err.fields) || {}
    Object.assign(errors, fields)
    return Object.keys(fields).length > 0
  }

  return { errors, clear, apply }
}

/**
 * useFormErrors plus the submit routine every form repeats: the el-form's
 * own rules checked first (validate: its ref), busy while the request runs
 * (a second submit is ignored), the last errors cleared, and a failure's
 * field errors shown next to the inputs.
 *
 * toast: also show the failure's message (then make the request
 * { quiet: true } so the http layer does not show it too). onError(e) sees
 * a failure first; returning true means it was handled. run() resolves to
 * fn's result, or undefined when invalid, busy or failed.
 */
export function useFormSubmit() {
  const fe = useFormErrors()
  const busy = ref(false)

  async function run(fn, { validate = null, toast = true, onError = null } = {}) {
    if (busy.value) return undefined
    if (validate && validate.value && !(await validate.value.validate().catch(() => false))) return undefined
    busy.value = true
    fe.clear()
    try {
      return await fn()
    } catch (e) {
      if (!(onError && (await onError(e)))) {
        fe.apply(e)
        if (toast) ElMessage.error({ message: e.message, grouping: true })
      }
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { ...fe, busy, run }
}
