// The service mailbox (系统管理 → 服务邮箱; admin): its state, 立即收取,
// the messages taken, their attachments, 重新处理.
import { http, apiUrl } from './http.js'

export const mailinApi = {
  status: () => http.get('/mail/status'),
  poll: () => http.post('/mail/poll'),
  list: (query) => http.get('/mail/messages', query),
  get: (id) => http.get(`/mail/messages/${id}`),
  reprocess: (id) => http.post(`/mail/messages/${id}/reprocess`),
  attachmentUrl: (id, n) => apiUrl(`/mail/messages/${id}/attachments/${n}`),
}
