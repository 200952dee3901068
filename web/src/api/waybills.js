// Waybills, tracking events, shipping figures, stuck-shipment alerts,
// their thresholds and the integrations' API keys (docs/waybills-api.md).
import { http } from './http.js'

const wb = (no) => `/waybills/${encodeURIComponent(no)}`

export const waybillsApi = {
  list: (query, opts) => http.get('/waybills', query, opts),
  get: (no, opts) => http.get(wb(no), undefined, opts),
  reveal: (no) => http.post(`${wb(no)}/reveal`),
  shipping: (enterpriseId, query, opts) => http.get(`/enterprises/${enterpriseId}/shipping`, query, opts),
}

export const waybillAlertsApi = {
  list: (query, opts) => http.get('/waybill-alerts', query, opts),
  get: (id, opts) => http.get(`/waybill-alerts/${id}`, undefined, opts),
  told: (id, note, opts) => http.post(`/waybill-alerts/${id}/told`, { note }, opts),
}

export const waybillThresholdsApi = {
  list: () => http.get('/waybill-thresholds'),
  create: (body, opts) => http.post('/waybill-thresholds', body, opts),
  update: (id, minutes, opts) => http.patch(`/waybill-thresholds/${id}`, { minutes }, opts),
  remove: (id) => http.del(`/waybill-thresholds/${id}`),
}

export const apiKeysApi = {
  list: () => http.get('/api-keys'),
  scopes: () => http.get('/api-keys/scopes'),
  create: (body, opts) => http.post('/api-keys', body, opts),
  revoke: (id) => http.post(`/api-keys/${id}/revoke`),
}
