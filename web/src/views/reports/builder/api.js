// The report builder's API (src/report/builder_api.c): sources, ad-hoc
// runs and drills, saved reports and custom dashboards.
import { http, apiUrl } from '@/api/http.js'

export const reportsApi = {
  sources: () => http.get('/report-sources'),
  run: (definition, opts) => http.post('/reports:run', { definition }, opts),
  drill: (definition, keys) => http.post('/reports:drill', { definition, keys }),
  list: () => http.get('/reports'),
  get: (id) => http.get(`/reports/${id}`),
  create: (body) => http.post('/reports', body),
  update: (id, body) => http.patch(`/reports/${id}`, body),
  remove: (id) => http.del(`/reports/${id}`),
  data: (id, opts) => http.get(`/reports/${id}/data`, undefined, opts),
  xlsxUrl: (id) => apiUrl(`/reports/${id}/xlsx`),
  pdfUrl: (id) => apiUrl(`/reports/${id}/pdf`),
  dashboards: () => http.get('/report-dashboards'),
  dashboard: (id) => http.get(`/report-dashboards/${id}`),
  createDashboard: (body) => http.post('/report-dashboards', body),
  updateDashboard: (id, body) => http.patch(`/report-dashboards/${id}`, body),
  removeDashboard: (id) => http.del(`/report-dashboards/${id}`),
}

export const CHART_TYPES = ['table', 'pivot', 'bar', 'line', 'pie', 'funnel', 'kpi']
export const FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max']
