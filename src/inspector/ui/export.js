/** Downloads the given logs as one HAR 1.2 file (merged by the collector), for browser devtools. */
export async function downloadHar(ids, name = 'readme-metrics') {
  const res = await fetch('/api/har', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ids }),
  });
  if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const a = Object.assign(document.createElement('a'), { href: url, download: `${name}-${stamp}.har` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
