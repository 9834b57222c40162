import { arch, platform, release } from 'node:os';
import type { RawCapture } from '../capture/raw-capture';
import { isAuthorization } from '../group/finder';
import { documentedTemplate } from '../openapi';
import { version } from '../version';
import { responseContent } from './content';
import { headerValue, pairsFromObject, pairsFromRaw, parseHeaderBlock } from './headers';
import { requestCookies, responseCookies } from './cookies';
import { mask } from './mask';
import { postData } from './post-data';
import type { HarEntry, LogGroup, MetricsLog } from './types';
import { fullUrl, pageRef, queryString } from './url';

export interface BuildOptions {
  development: boolean;
  trustProxy: boolean;
  maxBodySize: number;
  /** OpenAPI definition setting: its path template is the pageref when the framework gave none. */
  openapi?: string;
}

// The comment is written as ReadMe's own Node SDK (readmeio) writes it: the Node version without its "v".
const CREATOR = {
  name: 'readme-metrics (node)',
  version,
  comment: `${arch()}-${platform()}${release()}/${process.versions.node}`,
};

/**
 * Turns one raw capture into the log object ReadMe Metrics ingests. Group id is masked here.
 * A promise only when a multipart request body has to be parsed.
 */
export function buildLog(
  raw: RawCapture,
  group: { apiKey: string; label?: string; email?: string },
  opts: BuildOptions,
): MetricsLog | Promise<MetricsLog> {
  const requestHeaders = pairsFromRaw(raw.requestHeaders);
  const url = fullUrl(raw.url, requestHeaders, raw.encrypted);

  const sent = raw.responseHeaderBlock !== null ? parseHeaderBlock(raw.responseHeaderBlock) : undefined;
  const responseHeaders = sent ? sent.headers : pairsFromObject(raw.responseHeaders ?? {});
  const time = Math.max(0, Math.round(raw.durationMs));
  const neverAnswered = raw.aborted && raw.responseHeaderBlock === null;

  const entry: HarEntry = {
    pageref: pageRef(url, raw.route || documentedTemplate(opts.openapi, raw.method, raw.url)),
    startedDateTime: new Date(raw.startedDateTime).toISOString(),
    time,
    request: {
      method: raw.method,
      url,
      httpVersion: `HTTP/${raw.httpVersion}`,
      headers: requestHeaders.map((h) => (isAuthorization(h.name) ? { name: h.name, value: mask(h.value) } : h)),
      queryString: queryString(raw.url),
      cookies: requestCookies(requestHeaders),
      headersSize: -1,
      bodySize: -1,
    },
    response: {
      // Nothing was sent when a client leaves before the headers: 499 (nginx's "client closed request")
      // says that plainly, where the app's default 200 would claim a success that never happened.
      status: neverAnswered ? 499 : raw.statusCode,
      statusText: neverAnswered ? 'Client Closed Request' : (sent?.statusText ?? raw.statusMessage),
      httpVersion: `HTTP/${raw.httpVersion}`,
      headers: responseHeaders,
      content: responseContent(
        raw.responseBody,
        raw.responseBodySize,
        raw.responseBodyTruncated,
        headerValue(responseHeaders, 'content-type') ?? '',
        headerValue(responseHeaders, 'content-encoding'),
        opts.maxBodySize,
      ),
      redirectURL: headerValue(responseHeaders, 'location') ?? '',
      cookies: responseCookies(responseHeaders),
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { wait: 0, receive: time },
  };
  if (raw.aborted) entry.comment = 'aborted: the client closed the connection before the response finished';

  const logGroup: LogGroup = { id: mask(group.apiKey) };
  if (group.label !== undefined) logGroup.label = group.label;
  if (group.email !== undefined) logGroup.email = group.email;

  const log: MetricsLog = {
    _id: raw.id,
    _version: 3,
    group: logGroup,
    clientIPAddress: clientIp(raw, requestHeaders, opts.trustProxy),
    development: opts.development,
    request: { log: { version: '1.2', creator: CREATOR, entries: [entry] } },
  };
  const incomplete = raw.requestBodyIncomplete ? (raw.aborted ? 'the client left' : 'the rest did not arrive in time') : undefined;
  const pd = postData(
    raw.requestBody,
    raw.requestBodySize,
    raw.requestBodyTruncated,
    headerValue(requestHeaders, 'content-type'),
    headerValue(requestHeaders, 'content-encoding'),
    opts.maxBodySize,
    incomplete,
  );
  if (pd instanceof Promise) {
    return pd.then((data) => {
      entry.request.postData = data;
      return log;
    });
  }
  if (pd) entry.request.postData = pd;
  return log;
}

function clientIp(raw: RawCapture, headers: ReturnType<typeof pairsFromRaw>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headerValue(headers, 'x-forwarded-for')?.split(',')[0].trim();
    if (forwarded) return forwarded;
  }
  const ip = raw.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
