// The list page of a record entity (客户, 大客户): its quick search, filter
// panel, saved segment, sort, selection and bulk bar over one cursor list.
// The page keeps its columns, its recycle bin and its own dialogs.
import { computed, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { useCursorList } from '@/composables/useCursorList.js'
import { useCustomerMeta } from '@/composables/useCustomerMeta.js'
import { listStateOf, blankFilter, buildFilter, countConditions } from './filterModel.js'

/**
 * entity: 'customer' or 'enterprise'; fields: a ref to the entity's metadata
 * fields (for the panel's conditions); fetch(params): one page of the api's
 * list, params being the scope plus sort, limit and cursor.
 */
export function useRecordList(entity, { fields, fetch }) {
  const route = useRoute()
  const router = useRouter()
  const tagMeta = useCustomerMeta()
  const state = listStateOf(entity)
  const tableRef = ref()
  // the page's RecordListFilters: it finds a segment by id
  const filters = ref()
  const selection = ref([])
  const selectedIds = computed(() => selection.value.map((r) => r.id))

  /** What the list shows: q, the filter tree, the segment — also for bulk actions and export. */
  const scopeQuery = computed(() => ({
    q: state.q.trim() || undefined,
    filter: state.applied || undefined,
    segment_id: state.segment ? state.segment.id : undefined,
  }))
  const list = useCursorList(({ limit, cursor }) => fetch({ ...scopeQuery.value, sort: state.sort, limit, cursor }))
  // "10000+" when the quick search stopped counting (useCursorList.capped).
  const totalShown = computed(() => (list.capped.value ? `${list.total.value}+` : list.total.value))
  const conditionCount = computed(() => countConditions(state.filter))
  const filtered = computed(() => !!(state.q || state.applied || state.segment))
  // the bulk bar also offers "all that the list shows" once it is narrowed
  const bulkReady = computed(() => (!!state.applied || !!state.segment) && (list.total.value || 0) > 0)
  const defaultSort = computed(() => {
    const desc = state.sort.startsWith('-')
    return { prop: desc ? state.sort.slice(1) : state.sort, order: desc ? 'descending' : 'ascending' }
  })

  function onSort({ prop, order }) {
    state.sort = !order ? '-updated_at' : (order === 'descending' ? '-' : '') + prop
    list.reload()
  }
  function applyFilter() {
    state.applied = buildFilter(state.filter, fields.value, entity)
    list.reload()
  }
  function resetFilter() {
    state.filter = blankFilter(entity)
    state.applied = null
    list.reload()
  }
  function applySegment(s) {
    state.segment = s
    list.reload()
  }
  function clearSegment() {
    state.segment = null
    if (route.query.segment) router.replace({ query: {} })
    list.reload()
  }
  function clearSelection() {
    tableRef.value && tableRef.value.clearSelection()
  }
  function afterBulk() {
    clearSelection()
    list.refresh()
    tagMeta.reloadTags()
  }
  /** The first load: a link from the segments page (?segment=<id>) opens on that segment. */
  async function start() {
    const segId = Number(route.query.segment)
    if (segId && filters.value) {
      const s = await filters.value.find(segId)
      if (s) state.segment = s
    }
    list.reload()
  }

  return {
    state, tableRef, filters, selection, selectedIds, scopeQuery, list, totalShown,
    conditionCount, filtered, bulkReady, defaultSort,
    onSort, applyFilter, resetFilter, applySegment, clearSegment, clearSelection, afterBulk, start,
  }
}
