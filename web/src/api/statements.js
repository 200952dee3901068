// Statements (docs/billing.md): an enterprise's billing settings (结算设置),
// the statements with their moves, payments and adjustments, and the
// finance export.
import { http, apiUrl } from './http.js'

export const billingSettingsApi = {
  get: (ent) => http.get(`/enterprises/${ent}/billing-settings`),
  save: (ent, body, opts) => http.put(`/enterprises/${ent}/billing-settings`, body, opts),
}

export const statementsApi = {
  list: (query) => http.get('/statements', query),
  get: (id, query) => http.get(`/statements/${id}`, query),
  send: (id) => http.post(`/statements/${id}/send`),
  resend: (id) => http.post(`/statements/${id}/resend`),
  confirm: (id) => http.post(`/statements/${id}/confirm`),
  dispute: (id, body, opts) => http.post(`/statements/${id}/dispute`, body, opts),
  pay: (id, body, opts) => http.post(`/statements/${id}/payments`, body, opts),
  regenerate: (id) => http.post(`/statements/${id}/regenerate`),
  addAdjustment: (id, body, opts) => http.post(`/statements/${id}/adjustments`, body, opts),
  deleteAdjustment: (id, adj) => http.del(`/statements/${id}/adjustments/${adj}`),
  pdfUrl: (id) => `/api/v1/statements/${id}/pdf`,
  xlsxUrl: (id) => `/api/v1/statements/${id}/xlsx`,
}

export const financeApi = {
  settings: () => http.get('/finance/settings'),
  saveSettings: (body, opts) => http.put('/finance/settings', body, opts),
  vouchersUrl: (query) => apiUrl('/finance/vouchers', query),
}
