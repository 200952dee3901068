// Server-side field errors (error.fields of a 422) shown next to the form
// fields: bind :error="errors.<field>" on each el-form-item.
import { reactive } from 'vue'

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
