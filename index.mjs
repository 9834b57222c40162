// ESM entry: re-exports the CommonJS build so both module systems share one agent instance.
import cjs from './dist/index.js';

export const { defineConfig, flush, shutdown, getStats, verifyWebhook, WebhookVerificationError, DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS, DEFAULT_DENYLIST_FIELDS, DEFAULT_DENYLIST_SUFFIXES, setRoute } = cjs;
export default cjs;
