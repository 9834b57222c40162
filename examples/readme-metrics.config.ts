// Loaded by readme-metrics from the working directory (this folder) when the example API starts.
import { defineConfig } from 'readme-metrics';
import { apiKeyOf, CONSUMERS } from './consumers.mjs';

export default defineConfig({
  // Who made each request: shown as the consumer in the dashboard (and in ReadMe).
  groupingFunction(req) {
    if (req.url === '/health') return null; // not worth logging
    const key = apiKeyOf(req);
    if (!key) return { apiKey: 'anonymous', label: 'Anonymous' };
    const consumer = CONSUMERS[key as keyof typeof CONSUMERS];
    if (!consumer) return { apiKey: key, label: 'Unknown key' };
    return { apiKey: key, label: consumer.label, email: consumer.email };
  },
  // `password` is redacted by default; `cardNumber` is this API's own secret.
  denylist: ['cardNumber'],
  // ReadMe's Personalized Docs webhook: a developer logged in to the docs sees their own API keys.
  // Defining this answers POST /readme-webhook with no route in the app (the demo signs a call).
  getUserByEmail(email) {
    const found = Object.entries(CONSUMERS).find(([, c]) => c.email === email);
    if (!found) return null;
    const [apiKey, consumer] = found;
    return { email, name: consumer.label, keys: [{ apiKey, name: consumer.label, plan: consumer.plan }] };
  },
});
