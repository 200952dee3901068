// Export jobs: CSV / XLSX of a filtered list, polled until the file is ready.
import { http, apiUrl } from './http.js'

export const exportsApi = {
  create: (body, opts) => http.post('/exports', body, opts),
  get: (id) => http.get(`/exports/${id}`),
  downloadUrl: (id) => apiUrl(`/exports/${id}/download`),
}
