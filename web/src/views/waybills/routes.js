// 运单 — waybill search, a waybill's timeline, and the stuck-shipment
// alerts; under the 大客户 section (the shipments are the enterprises').
const meta = (title) => ({ title, section: 'enterprises', perm: 'enterprises.read' })

export default [
  {
    path: 'waybills',
    name: 'waybills',
    component: () => import('./WaybillSearchView.vue'),
    meta: meta('nav.waybillSearch'),
  },
  {
    // S10 (EA123456785CN) or 13 domestic digits; anything else is not a number
    path: 'waybills/:number([A-Za-z0-9]{4,20})',
    name: 'waybill-detail',
    component: () => import('./WaybillDetailView.vue'),
    meta: meta('waybillUi.detailTitle'),
  },
  {
    path: 'waybill-alerts',
    name: 'waybill-alerts',
    component: () => import('./WaybillAlertsView.vue'),
    meta: meta('nav.waybillAlerts'),
  },
]
