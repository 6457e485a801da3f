/**
 * The configuration search behind bench/streams.ts's default MLP: each configuration runs on all
 * three streams (prequential, one pass, file order) and prints one line with the three scores; the
 * lines are appended to bench/results/stream-search.jsonl.
 *
 *   npx tsx bench/stream-search.ts '<json array of partial MlpConfig>'
 *
 * Each partial config overrides DEFAULT_MLP (bench/stream-models.ts); `{}` is the default itself.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { DEFAULT_MLP, type MlpConfig, STREAMS, dataPresent, loadSamples, scoreConfig } from './stream-models.js';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

if (!dataPresent()) {
  console.log('stream-search: ../shared/data is absent; nothing to search');
  process.exit(0);
}
const grid = JSON.parse(process.argv[2] ?? '[{}]') as Partial<MlpConfig>[];
const resultsDir = join(REPO_ROOT, 'bench', 'results') + '/';
mkdirSync(resultsDir, { recursive: true });
const samples = Object.fromEntries(await Promise.all(STREAMS.map(async (s) => [s.name, await loadSamples(s)] as const)));
for (const partial of grid) {
  const config: MlpConfig = { ...DEFAULT_MLP, ...partial };
  const r = await scoreConfig(config, samples);
  const p = r['Phishing']!.metrics['accuracy']!, t = r['TrumpApproval']!.metrics['mae']!, c = r['ChickWeights']!.metrics['mae']!;
  const wins = (p > 0.913531 ? 'P' : '-') + (t < 0.268533 ? 'T' : '-') + (c < 23.1143 ? 'C' : '-');
  console.log(`${wins}  phish ${p.toFixed(4)}  trump ${t.toFixed(4)}  chick ${c.toFixed(3)}  ${JSON.stringify(partial)}`);
  appendFileSync(`${resultsDir}stream-search.jsonl`, `${JSON.stringify({ config, phishing: p, trump: t, chick: c })}\n`);
}
