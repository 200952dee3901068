// Following a server job (an export, an import) until it is done or failed:
// one timer, stopped when the component goes.
import { onBeforeUnmount } from 'vue'

/** Whether a job has come to its end. */
export const jobFinished = (j) => !!j && (j.status === 'done' || j.status === 'failed')

export function useJobPoll() {
  let timer = null

  function stop() {
    clearTimeout(timer)
    timer = null
  }

  /** Calls step() after `first` ms, and again every `every` ms while it resolves to true. */
  function poll(step, { first = 500, every = 600 } = {}) {
    stop()
    const tick = async () => {
      if (await step()) timer = setTimeout(tick, every)
    }
    timer = setTimeout(tick, first)
  }

  onBeforeUnmount(stop)
  return { poll, stop }
}
