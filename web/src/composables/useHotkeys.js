// Keyboard shortcuts of a page or a component, as data: { 'n': fn,
// '/': fn, 'ctrl+k': fn, 'alt+f': fn, 'ctrl+enter': fn }. While the
// component is mounted the window listens. A plain key never fires while
// the user types in a field, nor while a dialog covers the page (it has
// its own keys); a chord (Ctrl/Alt/⌘ + key) fires from a field too, since
// nobody types one as text. matchKey() serves components that listen on
// their own element (a form's keys only while it has the focus).
import { onMounted, onBeforeUnmount } from 'vue'

/** True when ev comes from somewhere text is typed. */
export function isTyping(ev) {
  const el = ev.target
  if (!el || !el.tagName) return false
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable
}

/** True when an Element Plus dialog or drawer is open over the page. */
export function dialogOpen() {
  return [...document.querySelectorAll('.el-overlay')].some((o) => getComputedStyle(o).display !== 'none')
}

/** Does keydown ev match spec ('alt+1', 'ctrl+enter', 'n', '/')? Ctrl also means ⌘. */
export function matchKey(ev, spec) {
  const parts = spec.toLowerCase().split('+')
  const key = parts.pop()
  const ctrl = parts.includes('ctrl')
  const alt = parts.includes('alt')
  if (ctrl !== (ev.ctrlKey || ev.metaKey) || alt !== ev.altKey) return false
  // Alt+digit and Alt+letter give other characters on some layouts: the code is the key then
  const k = (ev.key || '').toLowerCase()
  if (k === key) return true
  return alt && (ev.code === `Digit${key}` || ev.code === `Key${key.toUpperCase()}`)
}

const isChord = (spec) => /(^|\+)(ctrl|alt)\+/.test(spec.toLowerCase())

export function useHotkeys(map) {
  function onKey(ev) {
    if (ev.defaultPrevented || ev.isComposing) return
    for (const [spec, fn] of Object.entries(map)) {
      if (!matchKey(ev, spec)) continue
      if (!isChord(spec) && (isTyping(ev) || dialogOpen())) return
      ev.preventDefault()
      fn(ev)
      return
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
