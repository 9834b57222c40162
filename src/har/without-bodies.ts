import type { MetricsLog } from './types';

/**
 * Leaves a built log's bodies out, in place: empty text with a comment saying why, their type and size
 * kept. The request is still counted and shown in ReadMe, which a dropped log would not be.
 */
export function withoutBodies(log: MetricsLog, why: string): MetricsLog {
  for (const entry of log.request.log.entries) {
    const pd = entry.request.postData;
    if (pd) entry.request.postData = { mimeType: pd.mimeType, text: '', comment: why };
    const c = entry.response.content;
    if (c.size > 0 || c.text !== '') entry.response.content = { text: '', size: c.size, mimeType: c.mimeType, comment: why };
  }
  return log;
}
