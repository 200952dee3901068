// Pricing (docs/billing.md): the list price table in versions, an
// enterprise's contract rules, the quote (试算) and a waybill's price.
import { http } from './http.js'

export const priceListsApi = {
  list: () => http.get('/price-lists'),
  get: (id, opts) => http.get(`/price-lists/${id}`, undefined, opts),
  create: (body, opts) => http.post('/price-lists', body, opts),
  update: (id, body, opts) => http.patch(`/price-lists/${id}`, body, opts),
  remove: (id) => http.del(`/price-lists/${id}`),
}

export const priceRulesApi = {
  list: (ent) => http.get(`/enterprises/${ent}/price-rules`),
  create: (ent, body, opts) => http.post(`/enterprises/${ent}/price-rules`, body, opts),
  update: (ent, id, body, opts) => http.patch(`/enterprises/${ent}/price-rules/${id}`, body, opts),
  remove: (ent, id) => http.del(`/enterprises/${ent}/price-rules/${id}`),
}

export const pricingApi = {
  quote: (body, opts) => http.post('/pricing/quote', body, opts),
  waybill: (no, opts) => http.get(`/waybills/${encodeURIComponent(no)}/price`, undefined, opts),
}
