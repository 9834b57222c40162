// The official SDK's development pages, on the same paths; the webhook's own path is a setting.
export const SETUP_PATH = '/readme-setup';
export const TEST_PATH = '/webhook-test';

export const DEFAULT_WEBHOOK_PATH = '/readme-webhook';

/** The path of a request target, without query or fragment. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '';
  const end = u.search(/[?#]/);
  return end === -1 ? u : u.slice(0, end);
}
