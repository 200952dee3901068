// The filter panel's 客户画像与价值 block: service level, occupation,
// interests, business preferences, age, last visit, visits in 90 days and
// spend in 12 months, each with the input of its type, as conditions of
// the filter language. Which of them the panel offers follows the entity
// metadata: a field the server does not report filterable for the user's
// role is not shown (age stands on the birthday field).

/** Panel fields of this block (offered nowhere else in the panel). */
export const PROFILE_FIELDS = new Set([
  'service_level', 'occupation', 'interests', 'business_prefs', 'last_visit_at', 'visits_90d', 'spend_12m',
])

export const blankProfile = () => ({
  serviceLevel: [],
  occupation: [],
  interests: [],
  businessPrefs: [],
  age: [null, null], // years, both inclusive
  lastVisit: null, // [from, to] dates
  visits: [null, null],
  spend: [null, null], // yuan
})

const set = (v) => v !== null && v !== undefined && v !== ''

function nextDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/** Today's date in China (+08:00), the business day of the server. */
function todayCst(now = Date.now()) {
  return new Date(now + 8 * 3600000).toISOString().slice(0, 10)
}

/** date moved back by whole years (29 February becomes 28 February). */
function yearsBefore(date, years) {
  const [y, m, d] = date.split('-').map(Number)
  const leap = (yy) => (yy % 4 === 0 && yy % 100 !== 0) || yy % 400 === 0
  const day = m === 2 && d === 29 && !leap(y - years) ? 28 : d
  return `${String(y - years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function range(field, [lo, hi]) {
  const out = []
  if (set(lo)) out.push({ field, op: 'gte', value: Number(lo) })
  if (set(hi)) out.push({ field, op: 'lte', value: Number(hi) })
  return out
}

/**
 * The block's conditions. Age is asked as a birthday range on the day the
 * filter is made: aged at least A means born on or before today A years
 * ago; at most B means born after today B+1 years ago. (A saved segment
 * keeps those dates, and its text says so.)
 */
export function profileConditions(p, now = Date.now()) {
  const and = []
  if (p.serviceLevel.length) and.push({ field: 'service_level', op: 'in', value: [...p.serviceLevel] })
  if (p.occupation.length) and.push({ field: 'occupation', op: 'in', value: [...p.occupation] })
  if (p.interests.length) and.push({ field: 'interests', op: 'has_any', value: [...p.interests] })
  if (p.businessPrefs.length) and.push({ field: 'business_prefs', op: 'has_any', value: [...p.businessPrefs] })
  const today = todayCst(now)
  if (set(p.age[0])) and.push({ field: 'birthday', op: 'lte', value: yearsBefore(today, Number(p.age[0])) })
  if (set(p.age[1])) and.push({ field: 'birthday', op: 'gt', value: yearsBefore(today, Number(p.age[1]) + 1) })
  if (p.lastVisit && p.lastVisit[0]) {
    and.push({ field: 'last_visit_at', op: 'gte', value: p.lastVisit[0] })
    and.push({ field: 'last_visit_at', op: 'lt', value: nextDay(p.lastVisit[1] || p.lastVisit[0]) })
  }
  and.push(...range('visits_90d', p.visits), ...range('spend_12m', p.spend))
  return and
}

/** How many of the block's conditions are set (the filter badge). */
export function profileCount(p) {
  const lists = [p.serviceLevel, p.occupation, p.interests, p.businessPrefs].filter((l) => l.length).length
  const ranges = [p.age, p.visits, p.spend].filter((r) => set(r[0]) || set(r[1])).length
  return lists + ranges + (p.lastVisit && p.lastVisit[0] ? 1 : 0)
}

function prevDay(date) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/**
 * Take condition c into the block's state p when it is one the block
 * makes (the inverse of profileConditions but for age, which comes back
 * as birthday conditions); false when it is not.
 */
export function parseProfileCondition(c, p) {
  const { field, op, value } = c
  const list = { service_level: 'serviceLevel', occupation: 'occupation', interests: 'interests', business_prefs: 'businessPrefs' }
  if (list[field] && ['in', 'has_any'].includes(op) && Array.isArray(value)) {
    p[list[field]] = [...value]
    return true
  }
  const pair = { visits_90d: 'visits', spend_12m: 'spend' }
  if (pair[field] && (op === 'gte' || op === 'lte')) {
    p[pair[field]][op === 'gte' ? 0 : 1] = value
    return true
  }
  if (field === 'last_visit_at' && op === 'gte') {
    p.lastVisit = [value, (p.lastVisit && p.lastVisit[1]) || value]
    return true
  }
  if (field === 'last_visit_at' && op === 'lt') {
    p.lastVisit = [(p.lastVisit && p.lastVisit[0]) || prevDay(value), prevDay(value)]
    return true
  }
  return false
}
