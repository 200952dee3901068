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
 * useFormErrors plus the submit routine every form dialog repeats: busy
 * while the request runs (a second click is ignored), the last errors
 * cleared first, and a failure's field errors shown next to the inputs with
 * its message in a toast. Make the request { quiet: true } so the http layer
 * does not toast it too. onError(e) may take a failure first (return true
 * when handled). run() resolves to fn's result, or undefined after a failure.
 */
export function useFormSubmit() {
  const fe = useFormErrors()
  const busy = ref(false)

  async function run(fn, onError) {
    if (busy.value) return undefined
    busy.value = true
    fe.clear()
    try {
      return await fn()
    } catch (e) {
      if (!(onError && onError(e))) {
        fe.apply(e)
        ElMessage.error({ message: e.message, grouping: true })
      }
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { ...fe, busy, run }
}
