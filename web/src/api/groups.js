// Acting on a target group of customers (issue 14): batch follow-up tasks,
// customer handover, SMS / e-mail campaigns and their list.
import { http } from './http.js'

export const groupsApi = {
  bulkTasks: (body, opts) => http.post('/customers/bulk-tasks', body, opts),
  handover: (body, opts) => http.post('/customers/handover', body, opts),
  campaignPreview: (body, opts) => http.post('/campaigns/preview', body, opts),
  campaignSend: (body, opts) => http.post('/campaigns', body, opts),
  campaigns: (query) => http.get('/campaigns', query),
}
