// Statements (docs/billing.md): an enterprise's billing settings (结算设置).
import { http } from './http.js'

export const billingSettingsApi = {
  get: (ent) => http.get(`/enterprises/${ent}/billing-settings`),
  save: (ent, body, opts) => http.put(`/enterprises/${ent}/billing-settings`, body, opts),
}

export const statementsApi = {
  list: (query) => http.get('/statements', query),
  pdfUrl: (id) => `/api/v1/statements/${id}/pdf`,
}
