// A target group as the server reads it (crm/customer_group.c): the chosen
// ids, or what the list shows (q, filter tree, saved segment).

/** The body part naming the group: scope 'selected' → ids, 'all' → the list's query
 * (a list that is not a search, such as a dashboard's drill list, names all its
 * rows as ids there). */
export function groupBody(scope, ids, scopeQuery) {
  if (scope === 'selected') return { ids: [...ids] }
  const body = {}
  for (const k of ['ids', 'q', 'filter', 'segment_id']) if (scopeQuery && scopeQuery[k] !== undefined) body[k] = scopeQuery[k]
  return body
}

/** A token for one opening of a dialog: a double submit is one action on the server. */
export function clientToken() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}
