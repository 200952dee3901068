// The rule engine (系统管理 → 规则) and message templates (系统管理 → 消息模板).
import { http } from './http.js'

export const rulesApi = {
  list: (query) => http.get('/rules', query),
  get: (id) => http.get(`/rules/${id}`),
  meta: () => http.get('/rule-meta'),
  create: (body, opts) => http.post('/rules', body, opts),
  update: (id, body, opts) => http.put(`/rules/${id}`, body, opts),
  remove: (id) => http.del(`/rules/${id}`),
  test: (id, body, opts) => http.post(`/rules/${id}/test`, body, opts),
  testDraft: (body, opts) => http.post('/rules/test', body, opts),
  versions: (id) => http.get(`/rules/${id}/versions`),
  runs: (id, query) => http.get(`/rules/${id}/runs`, query),
}

export const templatesApi = {
  list: () => http.get('/message-templates'),
  create: (body, opts) => http.post('/message-templates', body, opts),
  update: (id, body, opts) => http.put(`/message-templates/${id}`, body, opts),
  remove: (id) => http.del(`/message-templates/${id}`),
  preview: (body, opts) => http.post('/message-templates/preview', body, opts),
}
