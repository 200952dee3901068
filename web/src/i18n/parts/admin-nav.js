// 系统管理's left bar in groups (layouts/MainLayout.vue, navigation.js).
export default {
  'zh-CN': {
    nav: {
      adminGroup: {
        org: '组织与人员',
        data: '数据与表单',
        flow: '规则与流程',
        billing: '计费与单据',
        integration: '对接与通知',
        audit: '安全审计',
      },
    },
  },
  en: {
    nav: {
      adminGroup: {
        org: 'Organisation',
        data: 'Data and forms',
        flow: 'Rules and flows',
        billing: 'Billing and documents',
        integration: 'Integration and notices',
        audit: 'Security',
      },
    },
  },
}
