// The credit terms in words: "30 天 · ¥50,000.50".
export const moneyText = (t, v) => t('enterprise.money', { v: Number(v).toLocaleString('en-US', { minimumFractionDigits: 2 }) })

export function creditText(t, c) {
  const parts = []
  if (c.credit_days != null) parts.push(t('enterprise.days', { n: c.credit_days }))
  if (c.credit_limit) parts.push(moneyText(t, c.credit_limit))
  return parts.join(' · ')
}
