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

/** Packs the repo (its `prepare` script builds dist/) into a temp dir; returns the tarball's path. */
export async function packRepo({ timeout = 180_000 } = {}) {
  const dest = await mkdtemp(join(tmpdir(), 'readme-metrics-pack-'));
  await npm(['pack', '--pack-destination', dest], ROOT, timeout);
  // The destination is ours alone: its one tarball is the package (prepare's output makes stdout unreliable).
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
