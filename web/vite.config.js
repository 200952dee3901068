// Vite build of the Hongyan web UI. The C server serves web/dist with an SPA
// fallback, so the app uses history routing from base '/'. In development
// (`npm run dev`) API calls are proxied to a server on 127.0.0.1:8080
// (override with HONGYAN_API=http://host:port).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n esm-bundler feature flags: composition API only, and
    // messages compiled to an AST at run time without eval/new Function,
    // so the UI works under a strict Content-Security-Policy.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: process.env.HONGYAN_API || 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          // ECharts only with the pages that draw charts (chartKit.js loads it lazily)
          if (/node_modules\/(echarts|zrender|vue-echarts|vue-demi)\//.test(id)) return 'echarts'
          if (id.includes('element-plus') || id.includes('@element-plus')) return 'element-plus'
          return 'vendor'
        },
      },
    },
  },
})
