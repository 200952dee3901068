// The contact portal and the satisfaction survey: public pages with their
// own layout (no staff menus), made for a phone. The guard lets them
// through without a staff session (meta.portal).
export default [
  {
    path: '/portal',
    component: () => import('./PortalLayout.vue'),
    meta: { portal: true },
    children: [
      { path: '', name: 'portal-tickets', component: () => import('./PortalTicketsView.vue'), meta: { portal: true, title: 'portal.title' } },
      { path: 'login', name: 'portal-login', component: () => import('./PortalSignInView.vue'), meta: { portal: true, title: 'portal.signIn' } },
      { path: 'new', name: 'portal-new', component: () => import('./PortalNewTicketView.vue'), meta: { portal: true, title: 'portal.newTicket' } },
      { path: 'tickets/:id', name: 'portal-ticket', component: () => import('./PortalTicketView.vue'), meta: { portal: true, title: 'portal.title' } },
    ],
  },
  {
    path: '/survey/:token',
    name: 'survey',
    component: () => import('./SurveyView.vue'),
    meta: { portal: true, title: 'survey.title' },
  },
]
