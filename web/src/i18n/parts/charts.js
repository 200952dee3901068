// The chart components (components/charts): what a chart without data says.
export default {
  'zh-CN': {
    charts: {
      empty: '暂无数据',
    },
  },
  en: {
    charts: {
      empty: 'No data',
    },
  },
}
