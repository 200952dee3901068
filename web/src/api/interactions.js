// 业务记录 endpoints: a customer's timeline, records across customers, and
// recording a business (optionally with a follow-up task).
import { http } from './http.js'

export const interactionsApi = {
  /** GET /interactions: type, from, to (YYYY-MM-DD), handled_by, branch_id, limit, cursor. */
  list: (query, opts) => http.get('/interactions', query, opts),
  forCustomer: (customerId, query) => http.get(`/customers/${customerId}/interactions`, query),
  /** 422 answers carry field messages (tracking_no, amount, follow_up.due_at …): pass quiet. */
  create: (customerId, body, opts) => http.post(`/customers/${customerId}/interactions`, body, opts),
}
