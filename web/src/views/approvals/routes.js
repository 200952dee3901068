// 审批 — approval requests (beside 待办), and 系统管理 → 审批流程.
export default [
  {
    path: 'approvals/:id(\\d+)?',
    name: 'approvals',
    component: () => import('./ApprovalInboxView.vue'),
    meta: { title: 'nav.approvals', section: 'tasks' },
  },
  {
    path: 'admin/approval-flows',
    name: 'admin-approval-flows',
    component: () => import('./ApprovalFlowsView.vue'),
    meta: { title: 'nav.adminApprovalFlows', section: 'admin', perm: 'admin' },
  },
]
