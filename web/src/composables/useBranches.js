// The branch list for admin pages: flat items, the province → city → branch
// tree for el-tree / el-tree-select, and a lookup by id.
import { ref, computed } from 'vue'
import { branchesApi } from '@/api/admin.js'
import { buildTree } from '@/utils/tree.js'

export function useBranches() {
  const items = ref([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      const data = await branchesApi.list()
      items.value = (data && data.items) || []
    } catch (e) {
      /* the error was shown; keep the last list */
    } finally {
      loading.value = false
    }
  }

  const tree = computed(() => buildTree(items.value))
  const byId = computed(() => new Map(items.value.map((b) => [b.id, b])))
  return { items, tree, byId, loading, load }
}
