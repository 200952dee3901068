// The integration surface (issue 20): outgoing webhook subscriptions, their
// delivery log and replay, and the served OpenAPI document's address.
import { http } from './http.js'

export const webhooksApi = {
  list: () => http.get('/webhooks'),
  create: (body, opts) => http.post('/webhooks', body, opts),
  update: (id, body, opts) => http.put(`/webhooks/${id}`, body, opts),
  remove: (id) => http.del(`/webhooks/${id}`),
  deliveries: (id) => http.get(`/webhooks/${id}/deliveries`),
  replay: (deliveryId) => http.post(`/webhook-deliveries/${deliveryId}/replay`),
  events: () => http.get('/webhook-events'),
}

export const OPENAPI_URL = '/api/v1/openapi.json'
