import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console, built into dist/ui for `kubeward server` to serve. In development (`npm run
 * ui:dev`) Vite serves it and passes /api to a running server ($KUBEWARD_CENTRAL, default :8080).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // The budget is checked by scripts/ui-budget.mjs after the build.
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': process.env.KUBEWARD_CENTRAL ?? 'http://127.0.0.1:8080' },
  },
});
