export class WebhookVerificationError extends Error {}

/** Placeholder until the webhook module lands. */
export function verifyWebhook(_body: unknown, _signature: string | undefined, _secret: string): void {
  throw new WebhookVerificationError('not implemented');
}
