// 表单设计 (form engine): the saved layouts of an entity's profile form
// (docs/enterprises-api.md, "Form layouts").
import { http } from './http.js'

const base = (entity) => `/form-layouts/${entity}`

export const formLayoutsApi = {
  get: (entity, opts) => http.get(base(entity), undefined, opts),
  save: (entity, body, opts) => http.put(base(entity), body, opts),
  versions: (entity) => http.get(`${base(entity)}/versions`),
  version: (entity, n) => http.get(`${base(entity)}/versions/${n}`),
}
