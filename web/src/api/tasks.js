// 待办事项 endpoints: task views and counts, the task actions, the bell's
// notifications, the staff pickers, reminder rules (admin) and the personal calendar feed.
import { http, apiUrl } from './http.js'

export const tasksApi = {
  /** view=today|overdue|upcoming|done|open|all, scope=team, customer_id, assignee_id, limit, offset. */
  list: (query) => http.get('/tasks', query),
  counts: (opts) => http.get('/tasks/counts', undefined, opts),
  /** One task the caller may act on: {task}; 404 once it is out of reach (reassigned). */
  get: (id, opts) => http.get(`/tasks/${id}`, undefined, opts),
  create: (body, opts) => http.post('/tasks', body, opts),
  update: (id, body, opts) => http.patch(`/tasks/${id}`, body, opts),
  complete: (id, outcome, opts) => http.post(`/tasks/${id}/complete`, { outcome }, opts),
  cancel: (id) => http.post(`/tasks/${id}/cancel`, {}),
  /** body: {hours: N} | {days: N} | {until: ISO or date} */
  snooze: (id, body, opts) => http.post(`/tasks/${id}/snooze`, body, opts),
  assign: (id, assigneeId, opts) => http.post(`/tasks/${id}/assign`, { assignee_id: assigneeId }, opts),
}

export const staffApi = {
  /** GET /staff?q=: active staff of the caller's branch and below (all for admins),
   *  {items: [{id, login, name, role, branch_id, branch_name}]}, at most 500. */
  list: (query, opts) => http.get('/staff', query, opts),
}

export const notificationsApi = {
  list: (query, opts) => http.get('/notifications', query, opts),
  /** ids: array of notification ids, or omitted for all. */
  markRead: (ids) => http.post('/notifications/read', ids ? { ids } : {}),
}

export const reminderRulesApi = {
  list: () => http.get('/reminder-rules'),
  create: (body, opts) => http.post('/reminder-rules', body, opts),
  update: (id, body, opts) => http.patch(`/reminder-rules/${id}`, body, opts),
  remove: (id) => http.del(`/reminder-rules/${id}`),
  run: () => http.post('/reminder-rules/run', {}),
}

export const calendarFeedApi = {
  /** {active, created_at?}: whether a link exists (the link itself is never shown again). */
  status: (opts) => http.get('/calendar-feed', undefined, opts),
  /** Makes (or replaces) the secret URL: {path: "/api/v1/calendar/<token>.ics"}. */
  create: () => http.post('/calendar-feed', {}),
  revoke: () => http.del('/calendar-feed'),
}

export { apiUrl }
