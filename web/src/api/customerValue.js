// Customer value and records (issue 14): a profile's figures and the
// worklist of suspected duplicates.
import { http } from './http.js'

export const customerValueApi = {
  figures: (id, opts) => http.get(`/customers/${id}/figures`, undefined, opts),
  duplicatePairs: (query) => http.get('/customers/duplicate-pairs', query),
  dismissPair: (a, b) => http.post('/customers/duplicate-pairs/dismiss', { ids: [a, b] }),
}
