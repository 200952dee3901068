// CSV import: upload the raw file, map columns, dry run, run, poll, report.
import { http, uploadRaw, apiUrl } from './http.js'

export const importsApi = {
  upload: (file, entity = 'customer', opts) => uploadRaw('/imports', { entity }, file, 'text/csv', opts),
  run: (id, body) => http.post(`/imports/${id}/run`, body),
  get: (id) => http.get(`/imports/${id}`),
  list: (query) => http.get('/imports', query),
  reportUrl: (id) => apiUrl(`/imports/${id}/report`),
}
