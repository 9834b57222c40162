import type { PostData, PostDataParam } from './types';
import type { CapturedBody } from '../capture/raw-capture';
import { asBuffer, bodyText, mimeTypeOf, textByteLength, truncationComment } from './body-text';

/**
 * HAR postData for a request body; undefined when the request had none. Synchronous but for
 * multipart bodies, whose parser streams: most logs never wait on a promise. `incomplete` says why a
 * body never arrived whole, for its comment.
 */
export function postData(
  body: CapturedBody | null,
  size: number,
  truncated: boolean,
  contentType: string | undefined,
  incomplete?: string,
): PostData | undefined | Promise<PostData> {
  if (body === null || size === 0) return undefined;
  const fullType = contentType ?? '';
  const mime = mimeTypeOf(fullType);
  const out: PostData = { mimeType: fullType };
  if (!truncated && mime === 'application/x-www-form-urlencoded') {
    out.params = [...new URLSearchParams(typeof body === 'string' ? body : asBuffer(body).toString('utf8'))].map(([name, value]) => ({ name, value }));
  } else if (!truncated && mime === 'multipart/form-data') {
    return multipartParams(asBuffer(body), fullType).then(
      (params) => ({ ...out, params }),
      () => ({ ...out, ...bodyText(body, mime, truncated) }),
    );
  } else {
    Object.assign(out, bodyText(body, mime, truncated));
  }
  if (truncated) {
    const captured = textByteLength(out as { text: string; encoding?: 'base64' });
    out.comment = incomplete ? `incomplete (${incomplete}): ${captured} of ${size === captured ? 'an unknown number of' : size} bytes captured` : truncationComment(captured, size);
  }
  return out;
}

/** Fields keep their value; files become data URLs, as ReadMe's SDKs send them. */
async function multipartParams(body: Buffer, contentType: string): Promise<PostDataParam[]> {
  // Loaded on first use: only the pipeline (the worker, by default) parses multipart.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Busboy } = require('@fastify/busboy') as typeof import('@fastify/busboy');
  return new Promise((resolve, reject) => {
    const params: PostDataParam[] = [];
    const pending: Promise<void>[] = [];
    const bb = new Busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: body.byteLength } });
    bb.on('field', (name: string, value: string) => {
      params.push({ name, value });
    });
    bb.on('file', (name: string, stream: NodeJS.ReadableStream, fileName: string, _enc: string, type: string) => {
      const param: PostDataParam = { name, fileName, contentType: type };
      params.push(param);
      pending.push(
        new Promise<void>((done, fail) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            param.value = `data:${type};name=${encodeURIComponent(fileName)};base64,${Buffer.concat(chunks).toString('base64')}`;
            done();
          });
        }),
      );
    });
    bb.on('error', reject);
    bb.on('finish', () => {
      Promise.all(pending).then(() => resolve(params), reject);
    });
    bb.end(body);
  });
}
