// The people the "assign to" and "handled by" pickers offer (GET /staff):
// active staff of the caller's branch and the branches below it, everyone
// for admins. The signed-in user comes first; each item carries the label
// the select shows and filters on: "name (login) · branch".
import { ref, computed } from 'vue'
import { staffApi } from '@/api/tasks.js'
import { useAuthStore } from '@/stores/auth.js'

/** "name (login) · branch"; without the branch part when there is none. */
export function staffLabel(u) {
  const who = u.login ? `${u.name} (${u.login})` : u.name
  return u.branch_name ? `${who} · ${u.branch_name}` : who
}

export function useStaff() {
  const auth = useAuthStore()
  const raw = ref([])
  const loaded = ref(false)

  /** Loads once per view; a failure leaves the list empty (the pickers then
   *  offer only the signed-in user and people already seen). */
  async function load() {
    try {
      const d = await staffApi.list(undefined, { quiet: true })
      raw.value = (d && d.items) || []
    } catch (e) {
      raw.value = []
    } finally {
      loaded.value = true
    }
  }

  const items = computed(() => {
    const me = auth.user && auth.user.id
    const list = raw.value.map((u) => ({ ...u, me: u.id === me, label: staffLabel(u) }))
    if (me && !list.some((u) => u.me)) {
      const u = auth.user
      list.push({ id: u.id, login: u.login, name: u.name, branch_name: u.branch_name, me: true, label: staffLabel(u) })
    }
    return list.sort((a, b) => (b.me ? 1 : 0) - (a.me ? 1 : 0))
  })

  return { items, loaded, load }
}
