// Builds the organisation tree (province → city → branch) from the flat
// /branches list. Parents come before children in that list, but this does
// not rely on it.

/** flat [{id, parent_id, …}] → roots [{…branch, children: […]}] */
export function buildTree(flat) {
  const nodes = new Map()
  for (const b of flat) nodes.set(b.id, { ...b, children: [] })
  const roots = []
  for (const node of nodes.values()) {
    const parent = node.parent_id != null ? nodes.get(node.parent_id) : null
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** The level a child of a node of this level has. */
export function childLevel(level) {
  if (level === 'province') return 'city'
  if (level === 'city') return 'branch'
  return null
}
