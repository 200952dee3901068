// Service tickets (issue 17): the list, one ticket, logging, status,
// replies and notes, assignment, claim, attachments, 值班, and the admin's
// SLA policies and escalation ladder (docs/tickets-api.md).
import { http, uploadRaw, apiUrl } from './http.js'

export const ticketsApi = {
  list: (query, opts) => http.get('/tickets', query, opts),
  get: (id, opts) => http.get(`/tickets/${id}`, undefined, opts),
  create: (body, opts) => http.post('/tickets', body, opts),
  setStatus: (id, status, note) => http.post(`/tickets/${id}/status`, { status, note }),
  reply: (id, body, internal) => http.post(`/tickets/${id}/replies`, { body, internal }),
  assign: (id, assigneeId) => http.post(`/tickets/${id}/assign`, { assignee_id: assigneeId }),
  claim: (id) => http.post(`/tickets/${id}/claim`),
  attach: (id, file) => uploadRaw(`/tickets/${id}/attachments`, { name: file.name }, file, 'application/octet-stream'),
  attachmentUrl: (id, aid) => apiUrl(`/tickets/${id}/attachments/${aid}`),
  duty: () => http.get('/tickets/duty'),
  setDuty: (on) => http.put('/tickets/duty', { on_duty: on }),
  types: () => http.get('/dictionaries/ticket_type'),
}

export const slaApi = {
  policies: () => http.get('/sla-policies'),
  update: (tier, priority, body, opts) => http.put(`/sla-policies/${tier}/${priority}`, body, opts),
  steps: () => http.get('/ticket-escalation-steps'),
  setSteps: (steps, opts) => http.put('/ticket-escalation-steps', { steps }, opts),
}
