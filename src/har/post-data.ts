import type { PostData, PostDataParam } from './types';
import type { CapturedBody } from '../capture/raw-capture';
import { asBuffer, bodyText, joinComments, mimeTypeOf, truncationComment } from './body-text';
import { decodeBody } from './body';

/**
 * HAR postData for a request body; undefined when the request had none. The body is read as the app
 * reads it: Content-Encoding undone (bounded by maxBodySize), decoded by its charset. Synchronous but
 * for multipart bodies, whose parser streams: most logs never wait on a promise. `incomplete` says
 * why a body never arrived whole, for its comment.
 */
export function postData(
  body: CapturedBody | null,
  size: number,
  truncated: boolean,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  maxBodySize: number,
  incomplete?: string,
): PostData | undefined | Promise<PostData> {
  if (body === null || size === 0) return undefined;
  const fullType = contentType ?? '';
  const mime = mimeTypeOf(fullType);
  const out: PostData = { mimeType: fullType };
  const decoded = decodeBody(body, size, truncated, contentEncoding, maxBodySize);
  const bytes = decoded.body;
  // HAR wants text or params: a withheld body is the empty text, and the comment says why.
  if (bytes === undefined) return { ...out, text: '', comment: decoded.withheld };
  if (!decoded.partial && mime === 'multipart/form-data') {
    return multipartParams(asBuffer(bytes), fullType).then(
      (params) => ({ ...out, params }),
      () => withText(out, bytes, fullType, decoded.partial, size, decoded.codings, incomplete).pd,
    );
  }
  const { pd, readable } = withText(out, bytes, fullType, decoded.partial, size, decoded.codings, incomplete);
  if (!decoded.partial && mime === 'application/x-www-form-urlencoded' && readable) {
    pd.params = [...new URLSearchParams(pd.text)].map(([name, value]) => ({ name, value }));
    delete pd.text;
  }
  return pd;
}

/** postData with the body as text; `readable` is false when it was withheld or sent base64. */
function withText(
  out: PostData,
  body: CapturedBody,
  contentType: string,
  partial: boolean,
  size: number,
  codings: string | undefined,
  incomplete: string | undefined,
): { pd: PostData; readable: boolean } {
  const t = bodyText(body, contentType, partial);
  const pd: PostData = { ...out, text: t.text ?? '' };
  if (t.encoding) pd.encoding = t.encoding;
  let cut: string | undefined;
  if (partial && codings) {
    const why = incomplete ? `incomplete (${incomplete})` : 'truncated';
    cut = `${why}: the first ${t.kept} bytes of the decoded body are kept; ${size} bytes were sent (${codings})`;
  } else if (partial) {
    cut = incomplete ? `incomplete (${incomplete}): ${t.kept} of ${size === t.kept ? 'an unknown number of' : size} bytes captured` : truncationComment(t.kept, size);
  }
  const comment = joinComments(cut, t.note);
  if (comment !== undefined) pd.comment = comment;
  return { pd, readable: t.text !== undefined && t.encoding === undefined };
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
