// Entity and field metadata: what the server knows about each kind of
// record (labels, types, which fields filter, sort, export, import).
import { http } from './http.js'

export const metaApi = {
  entities: (opts) => http.get('/meta/entities', undefined, opts),
  entity: (name, opts) => http.get(`/meta/entities/${encodeURIComponent(name)}`, undefined, opts),
}
