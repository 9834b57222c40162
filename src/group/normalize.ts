import type { Group } from '../types';

export interface Caller {
  apiKey: string;
  label?: string;
  email?: string;
}

export class GroupError extends Error {}

/** The grouping function's answer as a Caller; null means "do not log". Accepts api_key and id. */
export function normalizeGroup(result: unknown): Caller | null {
  if (result === null || result === undefined) return null;
  if (typeof result !== 'object') throw new GroupError(`groupingFunction must return an object or null, got ${typeof result}`);
  const g = result as Group & { id?: unknown };
  const key = g.apiKey ?? g.api_key ?? g.id;
  if (key === undefined || key === null || key === '') throw new GroupError('groupingFunction returned no apiKey (or api_key)');
  const caller: Caller = { apiKey: String(key) };
  if (g.label !== undefined && g.label !== null) caller.label = String(g.label);
  if (g.email !== undefined && g.email !== null) caller.email = String(g.email);
  return caller;
}
