// 客户管理 endpoints: customer profiles, duplicates, tags on customers,
// bulk tagging, history, reveal, merge, erase, and the dictionaries the
// customer form chooses from.
import { http } from './http.js'

/** filter objects travel as JSON text in the query string. */
function listQuery(query) {
  const q = { ...query }
  if (q.filter && typeof q.filter === 'object') q.filter = JSON.stringify(q.filter)
  return q
}

export const customersApi = {
  list: (query, opts) => http.get('/customers', listQuery(query), opts),
  get: (id, opts) => http.get(`/customers/${id}`, undefined, opts),
  create: (body, opts) => http.post('/customers', body, opts),
  update: (id, body, opts) => http.patch(`/customers/${id}`, body, opts),
  remove: (id) => http.del(`/customers/${id}`),
  restore: (id) => http.post(`/customers/${id}/restore`),
  erase: (id) => http.post(`/customers/${id}/erase`),
  merge: (id, duplicateId) => http.post(`/customers/${id}/merge`, { duplicate_id: duplicateId }),
  reveal: (id) => http.post(`/customers/${id}/reveal`),
  history: (id, query) => http.get(`/customers/${id}/history`, query),
  addTags: (id, tagIds) => http.post(`/customers/${id}/tags`, { tag_ids: tagIds }),
  removeTag: (id, tagId) => http.del(`/customers/${id}/tags/${tagId}`),
  bulkTags: (body, opts) => http.post('/customers/bulk-tags', body, opts),
  duplicates: (query) => http.get('/customers/duplicates', query, { quiet: true }),
}

export const dictionaryApi = {
  get: (code) => http.get(`/dictionaries/${encodeURIComponent(code)}`),
}
