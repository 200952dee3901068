// The add / edit dialog of a list's rows: one form for both, filled from
// the row (or blank), submitted through useFormSubmit (the el-form's rules
// first, busy, field errors next to the inputs), closed when saved.
//
//   fill(row)        → the form's values (row is null when adding)
//   save(row, form)  → the request (row null: create, else update)
//   saved(result, row) after the dialog closed: toast, reload…
// Other options go to useFormSubmit's run() (toast, onError).
import { reactive, ref } from 'vue'
import { useFormSubmit } from './useFormErrors.js'

export function useEditDialog({ fill, save, saved, ...runOptions }) {
  const fs = useFormSubmit()
  const formRef = ref()
  const dlg = reactive({ open: false, row: null })
  const form = reactive({})

  function openDialog(row = null) {
    fs.clear()
    dlg.row = row
    Object.assign(form, fill(row))
    dlg.open = true
    if (formRef.value) formRef.value.clearValidate()
  }

  async function submit() {
    const row = dlg.row
    // Wrapped so that a request answering nothing still counts as done.
    const out = await fs.run(async () => ({ result: await save(row, form) }), { validate: formRef, ...runOptions })
    if (!out) return
    dlg.open = false
    if (saved) await saved(out.result, row)
  }

  return { ...fs, formRef, dlg, form, openDialog, submit }
}
