// The options of a remote-search select (the customer and enterprise
// pickers): search(q) asks the list endpoint for the first ten matches;
// an answer overtaken by a newer search is dropped.
import { ref } from 'vue'

/** fetch(q) must return a collection body ({items}). */
export function useRemoteOptions(fetch) {
  const options = ref([])
  const loading = ref(false)
  let seq = 0

  async function search(q) {
    q = (q || '').trim()
    if (!q) return
    const mine = ++seq
    loading.value = true
    try {
      const d = await fetch(q)
      if (mine === seq) options.value = (d && d.items) || []
    } catch (e) {
      if (mine === seq) options.value = []
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return { options, loading, search }
}
