// The package as users get it: `npm pack` of this repo, installed into a fresh app outside the repo.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness.mjs';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// npm's own chatter (update notices, unknown-config warnings) is noise here.
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

async function npm(args, cwd, timeout) {
  try {
    return await run(NPM, args, { cwd, env: NPM_ENV, timeout, maxBuffer: 32 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${err.stderr || err.message}`);
  }
}

/**
 * Packs the repo into a temp dir; returns the tarball's path. Without `prepack`'s build: `npm test`
 * built dist/ once already, and every other test runs that same build.
 */
export async function packRepo({ timeout = 180_000 } = {}) {
  const dest = await mkdtemp(join(tmpdir(), 'readme-metrics-pack-'));
  await npm(['pack', '--ignore-scripts', '--pack-destination', dest], ROOT, timeout);
  // The destination is ours alone: its one tarball is the package (npm's notices make stdout unreliable).
  const [filename] = (await readdir(dest)).filter((f) => f.endsWith('.tgz'));
  if (!filename) throw new Error(`npm pack left no tarball in ${dest}`);
  return { tarball: join(dest, filename), dir: dest, cleanup: () => rm(dest, { recursive: true, force: true }) };
}

/**
 * Creates an app directory in os.tmpdir() with its own package.json, installs `specs` into it, and
 * writes `files` ({relative name: content}) there. Returns { dir, cleanup }.
 */
export async function createFreshApp(specs, files = {}, { timeout = 300_000 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'readme-metrics-app-'));
  const pkg = { name: 'fresh-app', version: '1.0.0', private: true, description: 'readme-metrics tarball test' };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await npm(['install', ...specs, '--no-audit', '--no-fund'], dir, timeout);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Installs `specs` into a fresh app with npm at its default log level, as a user's terminal shows it, and
 * returns npm's `warn` lines. npm 11 or later (the machine's, else npm@11 through npx): it is the one
 * that warns about install scripts. npm's own variables from an outer `npm test` are left out, since
 * npm warns about the ones it does not know.
 */
export async function installWarnings(specs, { timeout = 300_000 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'readme-metrics-warn-'));
  try {
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true }, null, 2)}\n`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    env.npm_config_update_notifier = 'false';
    const { stdout: version } = await run(NPM, ['--version'], { env, timeout: 30_000 });
    const [cmd, pre] = Number(version.split('.')[0]) >= 11 ? [NPM, []] : [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', 'npm@11']];
    const args = [...pre, 'install', ...specs, '--no-audit', '--no-fund', '--loglevel', 'warn'];
    let out;
    try {
      out = await run(cmd, args, { cwd: dir, env, timeout, maxBuffer: 32 * 1024 * 1024 });
    } catch (err) {
      throw new Error(`${cmd} ${args.join(' ')} failed in ${dir}:\n${err.stderr || err.message}`);
    }
    return `${out.stdout}\n${out.stderr}`.split('\n').filter((line) => /^npm warn/i.test(line));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `node <args>` in dir and resolves with its stdout (rejects with stderr on failure). */
export async function runNode(args, { cwd, env = {}, timeout = 30_000 } = {}) {
  try {
    const { stdout } = await run(process.execPath, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout });
    return stdout;
  } catch (err) {
    throw new Error(`node ${args.join(' ')} failed:\n${err.stderr || err.message}`);
  }
}

let installed;

/**
 * The packed package installed alone into a fresh directory, once per test run: the framework suite
 * preloads `<dir>/node_modules/readme-metrics/register.js` from there, exactly the files users get.
 */
export function installedPackage() {
  installed ??= (async () => {
    const pack = await packRepo();
    const app = await createFreshApp([pack.tarball]);
    await pack.cleanup();
    return { register: join(app.dir, 'node_modules', 'readme-metrics', 'register.js'), cleanup: app.cleanup };
  })();
  return installed;
}
