// Approvals (审批流): the inbox, one request, decisions; the flows (admin).
import { http } from './http.js'

export const approvalsApi = {
  list: (box) => http.get('/approvals', { box }),
  count: (opts) => http.get('/approvals/count', undefined, opts),
  get: (id) => http.get(`/approvals/${id}`),
  decide: (id, verb, comment) => http.post(`/approvals/${id}/${verb}`, { comment }, { quiet: true }),
}

export const approvalFlowsApi = {
  list: () => http.get('/approval-flows'),
  update: (id, body) => http.put(`/approval-flows/${id}`, body, { quiet: true }),
}
