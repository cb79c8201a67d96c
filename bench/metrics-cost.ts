/**
 * What the metrics cost a request: `GatewayMetrics.observeCall` (the one hook every relayed call passes
 * through, from its ledger) over rows of a realistic mix of label sets, 1e6 observations, in ns/op.
 * Run: node --import tsx bench/metrics-cost.ts [observations]
 */
import { GatewayMetrics, type ObservedCall } from '../src/observability/metrics.js';

const N = Number(process.argv[2] ?? 1_000_000);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-flash', 'unknown-fine-tune', 'o3'];
const metrics = new GatewayMetrics({
  isCatalogModel: (_provider, model) => model !== 'unknown-fine-tune',
  holdsActive: () => 0,
  pendingCharges: () => 0,
  upstreamPools: () => [],
});

// Rows built before timing: the request path builds its history row anyway; only the hook is measured.
const rows: ObservedCall[] = [];
for (let i = 0; i < 1024; i++) {
  const model = MODELS[i % MODELS.length]!;
  rows.push({
    surface: i % 3 === 0 ? 'anthropic' : 'openai',
    provider: model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gemini' : 'openai',
    model,
    status: i % 50 === 0 ? 429 : i % 37 === 0 ? 402 : 200,
    error: i % 50 === 0 ? 'rate_limit:key:rpm' : null,
    latency_ms: 20 + (i % 400),
    input_tokens: 100 + i,
    cached_tokens: i % 2 ? 64 : null,
    output_tokens: 50 + (i % 90),
    reasoning_tokens: i % 5 === 0 ? 30 : null,
    usage_source: 'reported',
  });
}
const ttfb = (i: number) => (i % 7 === 0 ? undefined : 5 + (i % 100));

function run(n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) metrics.observeCall(rows[i & 1023]!, ttfb(i));
  return Number(process.hrtime.bigint() - start) / n;
}

run(100_000); // warm-up (JIT, label cells resolved)
const rounds = [run(N), run(N), run(N)];
const scrapeStart = process.hrtime.bigint();
const text = await metrics.render();
const scrapeMs = Number(process.hrtime.bigint() - scrapeStart) / 1e6;
console.log(
  JSON.stringify({
    observations: N,
    ns_per_op: rounds.map((r) => Math.round(r)),
    best_ns_per_op: Math.round(Math.min(...rounds)),
    scrape_ms: Number(scrapeMs.toFixed(2)),
    exposition_bytes: text.length,
  }),
);
