import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard's build: web/ → dist/web/, every asset under assets/ with a content hash in its name,
 * so src/http/plugins/web-app.ts can serve them as immutable and index.html as no-cache.
 * No inline scripts or styles end up in index.html (the CSP forbids them): modulePreload's polyfill is
 * off and CSS is emitted as files.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        // Libraries change less often than our pages: their own chunks stay cached across deploys.
        manualChunks(id) {
          if (!id.includes('/node_modules/')) return undefined;
          if (/\/node_modules\/(react|react-dom|scheduler|react-router)\//.test(id)) return 'react';
          if (id.includes('/node_modules/uplot/')) return 'uplot';
          return 'vendor';
        },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: the API comes from a running gateway.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
