// 服务工单 — service tickets: the list (all / mine / to claim) and a
// ticket's page.
const meta = (title) => ({ title, section: 'tickets', perm: 'tickets.work' })

export default [
  {
    path: 'tickets',
    name: 'tickets',
    component: () => import('./TicketListView.vue'),
    meta: meta('nav.ticketList'),
  },
  {
    path: 'tickets/:id(\\d+)',
    name: 'ticket-detail',
    component: () => import('./TicketDetailView.vue'),
    meta: meta('nav.tickets'),
  },
]
