// A throwaway self-signed certificate for 127.0.0.1/localhost, made with openssl at test time so no
// private key is ever committed. Returns undefined when openssl is missing (callers skip).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cached;

export function selfSignedCert() {
  if (cached !== undefined) return cached ?? undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rm-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', keyFile, '-out', certFile,
      ],
      { stdio: 'ignore' },
    );
  } catch {
    cached = null;
    return undefined;
  }
  cached = { keyFile, certFile, ca: readFileSync(certFile), env: { TLS_KEY: keyFile, TLS_CERT: certFile } };
  return cached;
}
