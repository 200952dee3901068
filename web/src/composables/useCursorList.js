// Keyset (cursor) pagination for the API's collections:
// {"items":[…],"total":N,"next_cursor":"…"|null}. Keeps the cursor of every
// page visited so the user can step back as well as forward.
import { ref, computed } from 'vue'

/** fetchPage({limit, cursor}) must return the collection body. */
export function useCursorList(fetchPage, pageSize = 20) {
  const items = ref([])
  const total = ref(null)
  // The server counted only so far (a quick search that matches more than
  // 10,000): total is then a lower bound, shown as "10000+".
  const capped = ref(false)
  const loading = ref(false)
  const limit = ref(pageSize)
  const page = ref(1)
  const nextCursor = ref(null)
  let cursors = [null]
  let seq = 0

  async function loadPage(n) {
    const mine = ++seq
    loading.value = true
    try {
      const data = await fetchPage({ limit: limit.value, cursor: cursors[n - 1] || undefined })
      if (mine !== seq) return // a newer request won
      items.value = (data && data.items) || []
      total.value = data && typeof data.total === 'number' ? data.total : null
      capped.value = !!(data && data.total_capped === true)
      nextCursor.value = (data && data.next_cursor) || null
      page.value = n
    } catch (e) {
      if (mine === seq) items.value = []
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Back to the first page (after a filter change). */
  function reload() {
    cursors = [null]
    return loadPage(1)
  }

  /** Same page again (after an edit). */
  function refresh() {
    return loadPage(page.value)
  }

  function next() {
    if (!nextCursor.value) return Promise.resolve()
    cursors[page.value] = nextCursor.value
    return loadPage(page.value + 1)
  }

  function prev() {
    if (page.value <= 1) return Promise.resolve()
    return loadPage(page.value - 1)
  }

  function setLimit(n) {
    limit.value = n
    return reload()
  }

  const hasNext = computed(() => !!nextCursor.value)
  return { items, total, capped, loading, limit, page, hasNext, reload, refresh, next, prev, setLimit }
}
