// A button's busy state around one server action whose failure the http
// layer has already shown (a toast): nothing else to do on error.
import { ref } from 'vue'

export function useBusy() {
  const busy = ref(false)

  /** Runs fn with busy set (ignored while busy); resolves to its result, or undefined on failure. */
  async function during(fn) {
    if (busy.value) return undefined
    busy.value = true
    try {
      return await fn()
    } catch (e) {
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, during }
}
