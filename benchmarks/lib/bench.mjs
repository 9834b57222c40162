// The runner behind `npm run bench` and each scenario file run alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_HELP, parseBenchArgs } from './args.mjs';
import { pinningPlan, pinSelf } from './cpu.mjs';
import { formatTable, summarize } from './report.mjs';
import { runRow } from './round.mjs';
import { runSideBySide } from './side-by-side.mjs';
import { RATE_SETTLE_S } from './load.mjs';
import { OUTPUT, ROOT } from './server.mjs';
import { select } from './variants.mjs';

const log = (msg) => process.stderr.write(`${msg}\n`);

export function requireBuild() {
  for (const file of ['dist/register.js', 'dist/index.js', 'dist/inspector/collector.js']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 5_000 }).trim();
  } catch {
    return null;
  }
}

export function environment(plan) {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    pinning: plan.reason,
    commit: gitCommit(),
    date: new Date().toISOString(),
  };
}

export async function main(scenarios, argv = process.argv.slice(2)) {
  // Before parsing: the collector-down script has flags of its own (--mode, --scenario).
  if (argv.includes('--collector-down')) {
    const { main: collectorDown } = await import('../collector-down.mjs');
    return collectorDown(argv.filter((a) => a !== '--collector-down'));
  }
  const opts = parseBenchArgs(argv);
  if (opts.help) return void process.stdout.write(BENCH_HELP);
  requireBuild();
  const { scenarios: picked, variants } = select(scenarios, opts.only);
  const plan = pinningPlan(opts);
  pinSelf(plan, plan.loadCpu);
  const env = environment(plan);
  // Both SDKs cache the base-URL lookup on disk: start every run cold, the same for both.
  rmSync(join(OUTPUT, 'cache'), { recursive: true, force: true });

  // The @1core rows have no side-by-side run: it shares the event loop's core, which they measure already.
  const pairs = opts.sideBySide ? variants.filter((v) => v.baseline && !v.pinMode && variants.some((b) => b.name === v.baseline)) : [];
  const perRow = opts.warmup + opts.duration + (opts.rate > 0 ? RATE_SETTLE_S + opts.rateDuration : 0) + 3;
  const total = picked.length * variants.length * opts.rounds;
  const pairRuns = picked.length * pairs.length * opts.rounds;
  const minutes = Math.ceil((total * perRow + pairRuns * (opts.warmup + opts.duration + 4)) / 60);
  log(`bench: ${total} runs (${opts.rounds} rounds x ${picked.length} scenarios x ${variants.length} variants)` +
      `${pairRuns ? ` and ${pairRuns} side-by-side runs` : ''}, ` +
      `${opts.duration}s each after ${opts.warmup}s warmup, ${opts.connections} connections; about ${minutes} min`);
  log(`bench: ${env.pinning}`);

  const rounds = [];
  let n = 0;
  /** Runs one measurement, logs its outcome (`describe`'s text, which follows the label) or its failure, and keeps it. */
  const record = async (entry, label, run, describe) => {
    const at = `[${++n}/${total + pairRuns}] round ${entry.round} ${entry.scenario} ${label}`;
    try {
      entry.result = await run();
      log(`${at}${describe(entry.result)}`);
    } catch (err) {
      entry.error = String(err?.message ?? err).slice(0, 2_000);
      log(`${at}: FAILED ${entry.error}`);
    }
    rounds.push(entry);
  };
  for (let round = 1; round <= opts.rounds; round++) {
    for (const scenario of picked) {
      for (const variant of variants) {
        await record(
          { round, scenario: scenario.name, variant: variant.name },
          variant.name,
          () => runRow({ scenario, variant, opts, plan }),
          (r) => {
            const delivery = r.delivered === null ? '' : `, logs ${r.delivered}/${r.served}`;
            const bad = r.non2xx + r.errors + r.timeouts;
            return `: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms${delivery}${bad ? `, ${bad} bad responses` : ''}`;
          },
        );
      }
      for (const variant of pairs) {
        const baseline = variants.find((b) => b.name === variant.baseline);
        await record(
          { round, scenario: scenario.name, variant: variant.name, sideBySide: true },
          `${variant.name} side by side`,
          () => runSideBySide({ scenario, variant, baseline, opts, plan, variantFirst: round % 2 === 0 }),
          (r) => ` with ${baseline.name}: ${(r.ratio * 100).toFixed(1)}%`,
        );
      }
    }
  }

  const rows = summarize(rounds, picked, variants);
  const settings = { duration: opts.duration, warmup: opts.warmup, rounds: opts.rounds, connections: opts.connections, pipelining: opts.pipelining };
  process.stdout.write(`\nreadme-metrics benchmark: ${env.node}, ${env.cpu}; ${env.pinning}\n`);
  process.stdout.write(`${opts.rounds} round(s) of ${opts.duration}s per row, ${opts.connections} connections; req/s, p50 and p99 are medians of rounds\n`);
  const priorities = [...new Set(rounds.map((r) => r.result?.fixed?.priority).filter(Boolean))];
  if (priorities.length) process.stdout.write(`@rate: ${opts.rate} req/s on 1 connection for ${opts.rateDuration}s, autocannon at ${priorities.join(' and ')} priority\n`);
  process.stdout.write('\n');
  process.stdout.write(`${formatTable(rows)}\n`);

  const out = resolve(opts.out ?? join(OUTPUT, 'results.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ environment: env, settings, scenarios: picked.map(describe), rows, rounds }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${out}\n`);
  if (rounds.some((r) => r.error)) process.exitCode = 1;
}

function describe(s) {
  return { name: s.name, title: s.title, method: s.method, path: s.path, requestBytes: s.body ? Buffer.byteLength(s.body) : 0 };
}

/** Lets a scenario file run alone: `node benchmarks/scenarios/get-json.mjs --duration 5`. */
export async function runIfMain(moduleUrl, scenario) {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  try {
    await main([scenario]);
  } catch (err) {
    log(`bench: ${err.message}`);
    process.exitCode = 2;
  }
}
