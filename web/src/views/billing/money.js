// Money as the pricing pages show it: the API's yuan text ("1234.5",
// "-6.00") as ¥1,234.50, grouped by thousands, worked on the text (no
// floating point between the server's fen and the screen).
export function yuan(text) {
  if (text === null || text === undefined || text === '') return '—'
  const s = String(text)
  const neg = s.startsWith('-')
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}¥${grouped}.${(frac + '00').slice(0, 2)}`
}

/** The zone codes in their order (local, intra, z1 … z5, remote). */
export const ZONES = ['local', 'intra', 'z1', 'z2', 'z3', 'z4', 'z5', 'remote']
