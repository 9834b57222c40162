import type { Stats } from '../transport/settings';
import { TEST_PATH } from './paths';

export interface SetupPageInput {
  webhookPath: string;
  hasSecret: boolean;
  subdomain: string | undefined;
  sending: boolean;
  stats: Stats;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function metricsCard({ sending, stats }: SetupPageInput): string {
  if (!sending) {
    return `<h2>API calls <span class="badge">Metrics</span></h2>
<p class="status warn">Not sending: no <code>README_API_KEY</code> (or <code>apiKey</code> in the config file), or the SDK is turned off.</p>`;
  }
  const verified = stats.sent > 0;
  return `<h2>API calls <span class="badge">Metrics</span></h2>
<p class="status ${verified ? 'ok' : 'wait'}">${verified ? 'Verified: ReadMe accepted logs from this process.' : 'Listening: make a call to your API, then reload this page.'}</p>
<p class="counts">Sent ${stats.sent}, waiting ${stats.pending}, failed ${stats.failed}, dropped ${stats.dropped}, not logged ${stats.skipped}.</p>`;
}

/**
 * The development setup page: the official SDK's `/readme-setup`, built from nothing but this string
 * (inline CSS and script, no image, font or CDN), so it works offline and under a strict CSP.
 */
export function setupPage(input: SetupPageInput): string {
  const webhook = escapeHtml(input.webhookPath);
  const dash = input.subdomain ? `https://dash.readme.com/project/${encodeURIComponent(input.subdomain)}` : 'https://dash.readme.com';
  const secretNote = input.hasSecret
    ? ''
    : '<p class="status warn">No webhook secret yet: set <code>README_WEBHOOK_SECRET</code>, or <code>README_API_KEY</code> so it can be looked up.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ReadMe Setup</title>
<style>
  :root { --fg: #242e34; --muted: #637288; --bg: #fff; --line: rgba(0,0,0,.1); --green: #12ca93; --yellow: #f5a623; --red: #e95f6a; color-scheme: light dark; }
  @media (prefers-color-scheme: dark) { :root { --fg: #fff; --muted: #adb4c1; --bg: #242e34; --line: rgba(255,255,255,.1); } }
  body { background: var(--bg); color: var(--fg); font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; }
  main { margin: 0 auto; max-width: 64ch; padding: 2em; }
  section { border: 1px solid var(--line); border-radius: .5em; margin: 1em 0; padding: 1.5em; }
  h1, h2 { margin: 0 0 .5em; } h2 { font-size: 1em; display: flex; justify-content: space-between; }
  .badge { border: 1px solid var(--line); border-radius: .5em; color: var(--muted); font-size: 11px; font-weight: 400; padding: .2em .5em; }
  .status::before { content: ""; display: inline-block; width: .6em; height: .6em; border-radius: 50%; margin-right: .5em; background: var(--line); }
  .ok::before { background: var(--green); } .warn::before { background: var(--yellow); } .fail::before, .wait::before { background: var(--red); }
  input, button { border-radius: .5em; font: inherit; padding: .5em 1em; }
  input { background: var(--bg); border: 1px solid var(--line); color: var(--fg); }
  button { background: var(--fg); border: 0; color: var(--bg); font-weight: 600; }
  pre { background: rgba(127,127,127,.12); border-radius: 5px; font-size: 12px; overflow: auto; padding: 10px; white-space: pre-wrap; }
  .info { color: var(--muted); font-size: 14px; } .counts { color: var(--muted); font-size: 14px; }
  [hidden] { display: none; }
</style>
<main>
<h1>ReadMe setup</h1>
<section id="webhook">
  <h2>Test your data <span class="badge">Webhook</span></h2>
  ${secretNote}
  <p>Enter the email of a developer in your database: this server signs a call to its own webhook, as ReadMe would, and shows what ReadMe would receive.</p>
  <form id="test-form"><input id="email" name="email" type="email" placeholder="owlbert@example.com" required> <button>Test</button></form>
  <p id="result-status" class="status" hidden></p>
  <pre id="result" hidden></pre>
  <p class="info">When a developer logs into your docs, ReadMe posts their email to <code>POST ${webhook}</code> on your API, signed with your project's secret, and shows them the keys it answers. Once it works here, enter the production URL of <code>${webhook}</code> in your ReadMe dashboard.</p>
</section>
<section id="metrics">
  ${metricsCard(input)}
</section>
<p class="info">Dashboard: <a href="${escapeHtml(dash)}">${escapeHtml(dash)}</a>. This page and ${TEST_PATH} exist only with <code>development: true</code>, for requests made on this machine.</p>
</main>
<script>
  const MESSAGES = {
    FAILED_VERIFY: ['fail', 'Not verified: the signed call failed.'],
    UNVERIFIED: ['fail', 'Not verified: the webhook answered an unsigned call too.'],
    UNKNOWN: ['fail', 'Not verified: signed and unsigned calls got different answers.'],
    EMPTY_USER: ['warn', 'Verified, but received an empty object: does that developer exist?'],
    MISSING_KEYS: ['warn', 'Verified, but the answer has no keys array.'],
  };
  document.getElementById('test-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('result-status');
    const out = document.getElementById('result');
    const email = document.getElementById('email').value;
    try {
      const answer = await (await fetch('${TEST_PATH}?email=' + encodeURIComponent(email))).json();
      const [kind, text] = MESSAGES[answer.webhookError] || ['ok', 'Verified: this developer would see these keys.'];
      status.className = 'status ' + kind;
      status.textContent = text;
      out.textContent = answer.error !== undefined ? String(answer.error) : JSON.stringify(answer.user, null, 2) || '';
    } catch (err) {
      status.className = 'status fail';
      status.textContent = 'The test could not run: ' + err.message;
      out.textContent = '';
    }
    status.hidden = false;
    out.hidden = out.textContent === '';
  });
</script>
</html>
`;
}
