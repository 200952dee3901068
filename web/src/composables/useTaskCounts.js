// The numbers beside the menu and on the bell (GET /tasks/counts, and the
// approvals waiting for me: GET /approvals/count), shared by the layout,
// the task pages and the bell. Polled once a minute while signed
// in; refresh() after anything that changes tasks or notifications.
import { reactive } from 'vue'
import { tasksApi } from '@/api/tasks.js'
import { approvalsApi } from '@/api/approvals.js'

const counts = reactive({ today: 0, overdue: 0, upcoming: 0, unread_notifications: 0, approvals: 0, loaded: false })
let timer = null
let users = 0

async function refresh() {
  try {
    const [d, a] = await Promise.all([tasksApi.counts({ quiet: true }), approvalsApi.count({ quiet: true }).catch(() => null)])
    Object.assign(counts, d || {}, { loaded: true }, a ? { approvals: a.pending } : {})
  } catch (e) {
    /* a failed poll keeps the last numbers */
  }
}

export function useTaskCounts() {
  function start() {
    users++
    if (!timer) {
      refresh()
      timer = setInterval(refresh, 60000)
    }
  }
  function stop() {
    users = Math.max(0, users - 1)
    if (!users && timer) {
      clearInterval(timer)
      timer = null
    }
  }
  return { counts, refresh, start, stop }
}
