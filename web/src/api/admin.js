// System administration endpoints (permission "admin"): users, branches,
// dictionaries, audit log and the development mailbox.
import { http } from './http.js'

export const usersApi = {
  list: (query) => http.get('/users', query),
  get: (id) => http.get(`/users/${id}`),
  create: (body) => http.post('/users', body),
  update: (id, body) => http.patch(`/users/${id}`, body),
  disable: (id) => http.post(`/users/${id}/disable`),
  enable: (id) => http.post(`/users/${id}/enable`),
  resetPassword: (id) => http.post(`/users/${id}/reset-password`),
  unlock: (id) => http.post(`/users/${id}/unlock`),
}

export const branchesApi = {
  list: () => http.get('/branches'),
  create: (body) => http.post('/branches', body),
  update: (id, body) => http.patch(`/branches/${id}`, body),
  remove: (id) => http.del(`/branches/${id}`),
}

export const dictionariesApi = {
  list: () => http.get('/dictionaries'),
  get: (code) => http.get(`/dictionaries/${encodeURIComponent(code)}`),
  addItem: (code, body) => http.post(`/dictionaries/${encodeURIComponent(code)}/items`, body),
  updateItem: (code, id, body) =>
    http.patch(`/dictionaries/${encodeURIComponent(code)}/items/${id}`, body),
  removeItem: (code, id) => http.del(`/dictionaries/${encodeURIComponent(code)}/items/${id}`),
}

export const auditApi = {
  list: (query) => http.get('/audit-log', query),
}

export const devMailboxApi = {
  list: (query) => http.get('/dev-mailbox', query),
}

// The business calendar (issue 17): a year's holidays and make-up working
// days, the working hours, and the due time of a duration on it.
export const workCalendarApi = {
  year: (year) => http.get(`/work-calendar/${year}`),
  saveYear: (year, body, opts) => http.put(`/work-calendar/${year}`, body, opts),
  hours: () => http.get('/work-calendar/hours'),
  saveHours: (body, opts) => http.put('/work-calendar/hours', body, opts),
  due: (start, minutes, opts) => http.get('/work-calendar/due', { start, minutes }, opts),
}
