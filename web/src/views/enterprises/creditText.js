// "30 天 · ¥50,000.50": the credit terms as one short text.
export function creditText(t, c) {
  const parts = []
  if (c.credit_days != null) parts.push(t('enterprise.days', { n: c.credit_days }))
  if (c.credit_limit) parts.push(t('enterprise.money', { v: Number(c.credit_limit).toLocaleString('en-US', { minimumFractionDigits: 2 }) }))
  return parts.join(' · ')
}
