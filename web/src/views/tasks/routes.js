// 待办事项 — tasks and reminders (filled in by the tasks issue).
// The list view is chosen with ?view=today|overdue|upcoming|done.
export default [
  {
    path: 'tasks',
    name: 'tasks',
    component: () => import('./TaskListView.vue'),
    meta: { title: 'nav.tasks', section: 'tasks', perm: 'tasks.read' },
  },
]
