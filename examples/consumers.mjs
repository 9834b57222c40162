// The demo's API consumers. A real app would look keys up in its database.
export const CONSUMERS = {
  'owl-live-4f2a9c': { label: 'Owlbert Inc.', email: 'owlbert@example.com', plan: 'enterprise' },
  'acme-live-77d0e1': { label: 'Acme Corp', email: 'dev@acme.example', plan: 'team' },
  'hobby-test-12ab34': { label: 'Hobby Hacker', email: 'hacker@example.org', plan: 'free' },
};

/** Who calls: the key in `x-api-key` (or `Authorization: Bearer <key>`). */
export function apiKeyOf(req) {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' && /^Bearer (\S+)$/i.exec(auth);
  return m ? m[1] : undefined;
}
