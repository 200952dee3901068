// The numbers beside the menu and on the bell (GET /tasks/counts), shared by
// the layout, the task pages and the bell. Polled once a minute while signed
// in; refresh() after anything that changes tasks or notifications.
import { reactive } from 'vue'
import { tasksApi } from '@/api/tasks.js'

const counts = reactive({ today: 0, overdue: 0, upcoming: 0, unread_notifications: 0, loaded: false })
let timer = null
let users = 0

async function refresh() {
  try {
    const d = await tasksApi.counts({ quiet: true })
    Object.assign(counts, d || {}, { loaded: true })
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
