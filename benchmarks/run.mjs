// `npm run bench`: every scenario in benchmarks/scenarios/, every variant, in alternating rounds.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from './lib/bench.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
const scenarios = [];
for (const f of files) scenarios.push((await import(pathToFileURL(join(dir, f)).href)).default);

try {
  await main(scenarios);
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 2;
}
