/** Downloads the given logs as one HAR 1.2 file (merged by the collector), for browser devtools. */
export async function downloadHar(ids, name = 'readme-metrics') {
  const res = await fetch('/api/har', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ids }),
  });
  if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  save(await res.blob(), `${name}-${stamp}.har`);
}

/** Downloads the OpenAPI document inferred from every log held; says why when it cannot be made. */
export async function downloadInferredOpenApi() {
  const res = await fetch('/api/openapi');
  if (!res.ok) {
    const reason = await res.json().then((b) => b.error, () => `HTTP ${res.status}`);
    throw new Error(`could not infer an OpenAPI document: ${reason}`);
  }
  save(await res.blob(), 'openapi.inferred.json');
}

function save(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
