// The contact portal's API (src/service/portal.c) and the public survey
// (src/service/ticket_survey.c). The portal session is its own cookie
// (hy_portal); its CSRF token is remembered like a staff session's.
import { http, setCsrfToken, uploadRaw } from './http.js'

async function withCsrf(p) {
  const r = await p
  if (r && r.csrf_token) setCsrfToken(r.csrf_token)
  return r
}

export const portalApi = {
  sendCode: (mobile) => http.post('/portal/code', { mobile }),
  login: (mobile, code) => withCsrf(http.post('/portal/login', { mobile, code })),
  logout: () => http.post('/portal/logout'),
  me: () => withCsrf(http.get('/portal/me', undefined, { quiet: true })),
  types: () => http.get('/portal/ticket-types'),
  tickets: () => http.get('/portal/tickets'),
  ticket: (id) => http.get(`/portal/tickets/${id}`),
  create: (body) => http.post('/portal/tickets', body, { quiet: true }),
  reply: (id, body) => http.post(`/portal/tickets/${id}/replies`, { body }),
  attach: (id, file) => uploadRaw(`/portal/tickets/${id}/attachments`, { name: file.name }, file, file.type),
  surveyLink: (id) => http.post(`/portal/tickets/${id}/survey`),
  survey: (token) => http.get(`/surveys/${encodeURIComponent(token)}`, undefined, { quiet: true }),
  answer: (token, body) => http.post(`/surveys/${encodeURIComponent(token)}`, body, { quiet: true }),
  satisfaction: (enterpriseId) => http.get(`/enterprises/${enterpriseId}/satisfaction`),
}
