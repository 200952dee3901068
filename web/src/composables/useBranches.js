// The branch list for admin pages: flat items, the province → city → branch
// tree for el-tree / el-tree-select, and a lookup by id.
import { computed } from 'vue'
import { branchesApi } from '@/api/admin.js'
import { buildTree } from '@/utils/tree.js'
import { useItems } from './useItems.js'

export function useBranches() {
  // on failure the error was shown; the last list stays
  const { items, loading, load } = useItems(() => branchesApi.list())
  const tree = computed(() => buildTree(items.value))
  const byId = computed(() => new Map(items.value.map((b) => [b.id, b])))
  return { items, tree, byId, loading, load }
}
