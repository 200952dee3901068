// What the charts share: ECharts itself loaded on first use, the series
// palette and the theme's colours read from Element Plus' CSS variables
// (so the charts follow the app's green, main.css), and the tooltip box.
import { defineAsyncComponent } from 'vue'

// Charts grow in over 300 ms for a person; a browser driven by a test
// (navigator.webdriver) draws them at once, so a screenshot shows the
// chart, not a frame of its animation.
export const ANIMATE = !(typeof navigator !== 'undefined' && navigator.webdriver)

export const VChart = defineAsyncComponent(() => import('./echarts.js'))

/** A CSS variable of the page (an Element Plus colour), or fallback outside a browser. */
export function cssVar(name, fallback) {
  if (typeof document === 'undefined') return fallback
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return v || fallback
}

/** The theme's colours, read once a chart is drawn (after main.css applied). */
export function themeColors() {
  return {
    primary: cssVar('--el-color-primary', '#00693e'),
    primaryLight: cssVar('--el-color-primary-light-5', '#80b49e'),
    warning: cssVar('--el-color-warning', '#e6a23c'),
    text: cssVar('--el-text-color-regular', '#606266'),
    textSecondary: cssVar('--el-text-color-secondary', '#909399'),
    border: cssVar('--el-border-color', '#dcdfe6'),
    borderLighter: cssVar('--el-border-color-lighter', '#ebeef5'),
    bg: cssVar('--el-bg-color-overlay', '#ffffff'),
  }
}

/** Series colours: the brand green first, then Element Plus' status colours. */
export function palette() {
  return [
    cssVar('--el-color-primary', '#00693e'),
    cssVar('--el-color-warning', '#e6a23c'),
    cssVar('--el-color-info', '#909399'),
    cssVar('--el-color-danger', '#f56c6c'),
    cssVar('--el-color-success', '#67c23a'),
    cssVar('--el-color-primary-light-5', '#80b49e'),
    '#409eff',
    '#b88230',
  ]
}

/** The tooltip box of every chart, in Element Plus' popper look. */
export function tooltipBase() {
  const c = themeColors()
  return {
    backgroundColor: c.bg,
    borderColor: c.borderLighter,
    textStyle: { color: c.text, fontSize: 12 },
    extraCssText: 'box-shadow: var(--el-box-shadow-light); border-radius: 4px;',
  }
}

/** Text for HTML tooltips: the values we format may hold a user's labels. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch])
}

/** A coloured dot and "name: value" on one tooltip line. */
export function tipLine(color, name, value) {
  return `<div><span style="display:inline-block;width:8px;height:8px;margin-right:6px;border-radius:2px;background:${color}"></span>${esc(name)}: <b>${esc(value)}</b></div>`
}
