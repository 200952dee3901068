// Notification channels: the robots (admin), how e-mail and SMS leave, the
// outbox's recent deliveries, and one's own channel choice.
import { http } from './http.js'

export const robotsApi = {
  list: () => http.get('/notify/robots'),
  create: (body, opts) => http.post('/notify/robots', body, opts),
  update: (id, body, opts) => http.put(`/notify/robots/${id}`, body, opts),
  remove: (id) => http.del(`/notify/robots/${id}`),
  test: (id) => http.post(`/notify/robots/${id}/test`),
}

export const notifyApi = {
  channels: () => http.get('/notify/channels'),
  deliveries: (query) => http.get('/outbox', query),
  mySettings: () => http.get('/me/notify-settings'),
  saveMySettings: (body, opts) => http.put('/me/notify-settings', body, opts),
}
