// ECharts for the few pages that draw charts, with only the parts they use
// registered (bars, lines, rings; grid, tooltip, legend; canvas). The chart
// components load this module lazily, so ECharts lands in its own chunk
// (vite.config.js) fetched when a chart is first shown, not with the app.
// vue-echarts' CSP build: its style comes from the stylesheet below rather
// than a <style> it would inject at run time.
import { use } from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import VChart from 'vue-echarts/csp'
import 'vue-echarts/csp/style.css'

use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer])

export default VChart
