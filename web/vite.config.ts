import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The app is served from the site root by the devhost and by Azure Static Web Apps. */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Fluent UI is large; the first page still loads under the budget because pages are split.
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:7071' },
  },
});
