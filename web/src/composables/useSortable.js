// Drag and drop of lists with SortableJS (its ES module: no eval, so it
// runs under the strict Content-Security-Policy; vuedraggable's bundle
// does not). Vue owns the DOM: after a drop the element Sortable moved is
// put back and the arrays change instead, so Vue re-renders the move.
//
//   const sortable = useSortable({ group: 'fields', draggable: '.chip' })
//   <div :ref="(el) => sortable(el, () => group.fields)"> <div v-for class="chip"> …
//
// Lists bound with the same group name exchange items. The fallback
// (forceFallback) follows mouse and touch moves everywhere, tests included.
import Sortable from 'sortablejs'
import { onBeforeUnmount } from 'vue'

const BASE = { animation: 150, forceFallback: true, fallbackTolerance: 3, ghostClass: 'ghost' }

export function useSortable(options) {
  const bound = new Map() // element → { sortable, list }

  function onEnd(evt) {
    const from = bound.get(evt.from)
    const to = bound.get(evt.to)
    if (!from || !to || (evt.from === evt.to && evt.oldIndex === evt.newIndex)) return
    evt.item.remove()
    evt.from.insertBefore(evt.item, evt.from.children[evt.oldIndex] || null)
    const [moved] = from.list().splice(evt.oldDraggableIndex, 1)
    to.list().splice(evt.newDraggableIndex, 0, moved)
  }

  function bind(el, list) {
    if (!el) return
    const had = bound.get(el)
    if (had) {
      had.list = list
      return
    }
    for (const [old, b] of bound) {
      if (!old.isConnected) {
        b.sortable.destroy()
        bound.delete(old)
      }
    }
    bound.set(el, { list, sortable: Sortable.create(el, { ...BASE, ...options, onEnd }) })
  }

  onBeforeUnmount(() => {
    for (const b of bound.values()) b.sortable.destroy()
    bound.clear()
  })
  return bind
}
