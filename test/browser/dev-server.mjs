// Starts `readme-metrics dev -- node api.mjs` on the example API for the browser tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/harness.mjs';

const REPORT_KEY = pathToFileURL(join(ROOT, 'test', 'browser', 'report-key.mjs')).href;

export async function startDevExample() {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'readme-metrics.js'), 'dev', '--port', '0', '--quiet', '--', process.execPath, '--import', REPORT_KEY, 'api.mjs'], {
    cwd: join(ROOT, 'examples'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', README_METRICS_CACHE_DIR: join(ROOT, 'test-output', 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const dashboard = /dashboard (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    const port = /listening (\d+)/.exec(stdout)?.[1];
    const token = /^readme-api-key (\S+)$/m.exec(stdout)?.[1];
    if (dashboard && port && token) {
      return {
        dashboard,
        /** The session token dev gave the app as README_API_KEY: what the collector requires. */
        token,
        api: `http://127.0.0.1:${port}`,
        output: () => ({ stdout, stderr }),
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
          return exited;
        },
      };
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`readme-metrics dev did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
