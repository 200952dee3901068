// What the small SVG charts share: the series palette (brand green first),
// the width of their box as it resizes, and "nice" axis ticks.
import { onBeforeUnmount, onMounted, ref } from 'vue'

export const PALETTE = ['#00693e', '#1677ff', '#d48806', '#c41d7f', '#08979c', '#7c3aed', '#d4380d', '#389e0d', '#8c8c8c']

/** The content width of the element in el (a ref), kept current as the window or layout changes. */
export function useWidth(el, initial = 600) {
  const width = ref(initial)
  let ro = null
  onMounted(() => {
    if (!el.value) return
    width.value = el.value.clientWidth || initial
    ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width)
      if (w > 0) width.value = w
    })
    ro.observe(el.value)
  })
  onBeforeUnmount(() => ro && ro.disconnect())
  return width
}

/** Round axis ticks from 0 to at least max: about n steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max, n = 4) {
  if (!(max > 0)) return [0, 1]
  const raw = max / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)
  const ticks = []
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}
