// 统计分析: the built-in dashboards and the lists behind their numbers
// (src/report): customer health, contribution, individual customers,
// service efficiency.
import { http } from './http.js'

export const dashboardsApi = {
  health: (opts) => http.get('/dashboards/health', undefined, opts),
  healthList: (query, opts) => http.get('/dashboards/health/enterprises', query, opts),
  contribution: (query, opts) => http.get('/dashboards/contribution', query, opts),
  contributionList: (query, opts) => http.get('/dashboards/contribution/enterprises', query, opts),
  customers: (query, opts) => http.get('/dashboards/customers', query, opts),
  customersList: (query, opts) => http.get('/dashboards/customers/list', query, opts),
  service: (query, opts) => http.get('/dashboards/service', query, opts),
  serviceTickets: (query, opts) => http.get('/dashboards/service/tickets', query, opts),
}
