// Per-person rights (PIPL arts. 45, 47): a person's access report, and the
// retention policy of inactive customers (admin).
import { http, apiUrl } from './http.js'

export const privacyApi = {
  /** The report of a customer as a download: format "pdf" or "json". */
  reportUrl: (id, format) => apiUrl(`/customers/${id}/access-report?format=${format}`),
}

export const retentionApi = {
  get: () => http.get('/admin/retention'),
  update: (body) => http.patch('/admin/retention', body),
  dryRun: () => http.post('/admin/retention/dry-run', {}),
  run: (body) => http.post('/admin/retention/run', body),
  getRun: (id) => http.get(`/admin/retention/runs/${id}`),
}
