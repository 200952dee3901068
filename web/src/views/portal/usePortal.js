// The portal pages' access to the signed-in contact: load it, or send the
// visitor to the sign-in page.
import { inject } from 'vue'
import { useRouter } from 'vue-router'

export function usePortal() {
  const { session, load } = inject('portalSession')
  const router = useRouter()
  async function requireSignIn() {
    const me = await load()
    if (!me) router.replace({ name: 'portal-login' })
    return me
  }
  return { session, load, requireSignIn }
}
