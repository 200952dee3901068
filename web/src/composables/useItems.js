// A list the server answers whole ({"items": [...]}): items, loading and
// load(). On failure the http layer has shown why (unless the fetch was
// quiet); keep: true keeps the last list, false empties it.
import { ref } from 'vue'

export function useItems(fetch, { keep = true, map = (list) => list } = {}) {
  const items = ref([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      const d = await fetch()
      items.value = map((d && d.items) || [])
    } catch (e) {
      if (!keep) items.value = []
    } finally {
      loading.value = false
    }
  }

  return { items, loading, load }
}
