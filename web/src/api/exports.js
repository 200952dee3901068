// Export jobs: CSV / XLSX of a filtered list, polled until the file is ready.
import { http, apiUrl } from './http.js'

export const exportsApi = {
  create: (body) => http.post('/exports', body),
  get: (id) => http.get(`/exports/${id}`),
  downloadUrl: (id) => apiUrl(`/exports/${id}/download`),
}
