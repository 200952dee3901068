// The add / edit dialog of a list's rows: one form for both, filled from
// the row (or blank), submitted through useFormSubmit (the el-form's rules
// first, busy, field errors next to the inputs), closed when saved.
//
//   fill(row, ctx)   → the form's values (row is null when adding; ctx is
//                      what openDialog got besides, e.g. the parent)
//   save(row, form, ctx) → the request (row null: create, else update)
//   saved(result, row) after the dialog closed: toast, reload…
// Other options go to useFormSubmit's run() (toast, onError).
import { reactive, ref } from 'vue'
import { useFormSubmit } from './useFormErrors.js'

export function useEditDialog({ fill, save, saved, ...runOptions }) {
  const fs = useFormSubmit()
  const formRef = ref()
  const dlg = reactive({ open: false, row: null, ctx: null })
  const form = reactive({})

  function openDialog(row = null, ctx = null) {
    fs.clear()
    dlg.row = row
    dlg.ctx = ctx
    Object.assign(form, fill(row, ctx))
    dlg.open = true
    if (formRef.value) formRef.value.clearValidate()
  }

  async function submit() {
    const row = dlg.row
    // Wrapped so that a request answering nothing still counts as done.
    const out = await fs.run(async () => ({ result: await save(row, form, dlg.ctx) }), { validate: formRef, ...runOptions })
    if (!out) return
    dlg.open = false
    if (saved) await saved(out.result, row)
  }

  return { ...fs, formRef, dlg, form, openDialog, submit }
}

/** The usual save(): api.create(body), or api.update(id, body + the row's version). */
export function createOrUpdate(api, row, body, opts) {
  return row ? api.update(row.id, { ...body, version: row.version }, opts) : api.create(body, opts)
}
