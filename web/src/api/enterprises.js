// 大客户 endpoints (docs/enterprises-api.md): enterprises, their 360
// overview, history, tags, contacts and departments, business records and
// to-dos, the recycle bin.
import { http } from './http.js'

const base = (id) => `/enterprises/${id}`

export const enterprisesApi = {
  list: (query, opts) => http.get('/enterprises', query, opts),
  get: (id, opts) => http.get(base(id), undefined, opts),
  create: (body, opts) => http.post('/enterprises', body, opts),
  bulkTags: (body, opts) => http.post('/enterprises/bulk-tags', body, opts),
  bulkTasks: (body, opts) => http.post('/enterprises/bulk-tasks', body, opts),
  bulkReassign: (body, opts) => http.post('/enterprises/bulk-reassign', body, opts),
  update: (id, body, opts) => http.patch(base(id), body, opts),
  overview: (id, opts) => http.get(`${base(id)}/overview`, undefined, opts),
  history: (id, query) => http.get(`${base(id)}/history`, query),
  addTags: (id, tagIds) => http.post(`${base(id)}/tags`, { tag_ids: tagIds }),
  removeTag: (id, tagId) => http.del(`${base(id)}/tags/${tagId}`),
  createContact: (id, body, opts) => http.post(`${base(id)}/contacts`, body, opts),
  updateContact: (id, cid, body, opts) => http.patch(`${base(id)}/contacts/${cid}`, body, opts),
  removeContact: (id, cid) => http.del(`${base(id)}/contacts/${cid}`),
  createDepartment: (id, body, opts) => http.post(`${base(id)}/departments`, body, opts),
  updateDepartment: (id, did, body, opts) => http.patch(`${base(id)}/departments/${did}`, body, opts),
  removeDepartment: (id, did) => http.del(`${base(id)}/departments/${did}`),
  remove: (id) => http.del(base(id)),
  restore: (id) => http.post(`${base(id)}/restore`, {}),
  /** {mobile, phone} in full (customers.reveal; audited). */
  revealContact: (id, cid) => http.post(`${base(id)}/contacts/${cid}/reveal`, {}),
  /** 业务往来: type, limit, cursor. */
  records: (id, query) => http.get(`${base(id)}/interactions`, query),
  createRecord: (id, body, opts) => http.post(`${base(id)}/interactions`, body, opts),
  /** 待办: view=open|done|all, limit, cursor. */
  tasks: (id, query) => http.get(`${base(id)}/tasks`, query),
  createTask: (id, body, opts) => http.post(`${base(id)}/tasks`, body, opts),
}
