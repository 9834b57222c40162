import { captureState } from '../capture/observe';

/**
 * Before we re-raise a signal nobody else handles. Without us the process would already be gone, so it
 * must not take on new work while we flush: servers stop accepting, idle keep-alive sockets close, and
 * the requests already in flight may finish (and be logged) until the deadline.
 */
export async function stopServing(deadline: number): Promise<void> {
  for (const server of captureState().servers) {
    try {
      server.close();
      server.closeIdleConnections?.();
    } catch {}
  }
  while (captureState().inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
