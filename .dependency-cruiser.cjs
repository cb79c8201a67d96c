/** The layering of docs/architecture.md, enforced: lib ← core ← dialects ← providers ← services ← http / cli. */
const layer = (name) => `^src/${name}/`;

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'lib-is-a-leaf',
      severity: 'error',
      from: { path: layer('lib') },
      to: { path: '^src/', pathNot: layer('lib') },
    },
    {
      name: 'core-uses-only-lib',
      severity: 'error',
      from: { path: layer('core') },
      to: { path: '^src/', pathNot: [layer('lib'), layer('core')] },
    },
    {
      name: 'dialects-are-pure',
      severity: 'error',
      from: { path: layer('dialects') },
      to: { path: '^src/', pathNot: [layer('lib'), layer('core'), layer('dialects')] },
    },
    {
      name: 'dialects-never-import-each-other',
      severity: 'error',
      from: { path: '^src/dialects/([^/]+)/' },
      to: { path: '^src/dialects/', pathNot: '^src/dialects/$1/' },
    },
    {
      name: 'providers-are-data',
      severity: 'error',
      from: { path: layer('providers') },
      to: { path: '^src/', pathNot: [layer('lib'), layer('core'), layer('dialects'), layer('providers')] },
    },
    {
      name: 'edges-serve-services-only',
      comment: 'store, upstream and observability are used by services (and wired by app.ts / cli)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(services|store|upstream|observability|cli)/', '^src/app\\.ts$'] },
      to: { path: ['^src/store/', '^src/upstream/', '^src/observability/'] },
    },
    {
      name: 'dialects-through-their-door',
      comment: 'services and providers look dialects up in DIALECTS (src/dialects/index.ts) and import nothing else of them',
      severity: 'error',
      from: { path: ['^src/services/', '^src/providers/'] },
      to: { path: '^src/dialects/', pathNot: '^src/dialects/index\\.ts$' },
    },
    {
      name: 'services-never-import-http-or-cli',
      severity: 'error',
      from: { path: layer('services') },
      to: { path: ['^src/http/', '^src/cli/', '^src/app\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'http-never-touches-store-dialects-upstream',
      severity: 'error',
      from: { path: layer('http') },
      to: { path: ['^src/store/', '^src/dialects/', '^src/upstream/', '^src/app\\.ts$'] },
    },
    {
      name: 'web-sees-only-the-contracts',
      comment: 'the dashboard (web/) takes the API contracts\' types from src/http/contracts and nothing else of the server',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/http/contracts/' },
    },
    {
      name: 'server-never-imports-web',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },
    {
      name: 'only-app-and-cli-see-config-loading',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(config|cli)/', '^src/(app|main)\\.ts$'] },
      to: { path: '^src/config/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
