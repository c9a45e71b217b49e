import { defineConfig } from 'vite';

// Built into Broker.Api's wwwroot, which `dotnet run`, the tests and `dotnet publish` all serve at /console.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: '../Broker.Api/wwwroot/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:5080' },
  },
});
