import type { CaptureHooks } from './observe';

/** HTTP/2 servers (compat and stream APIs). Installed once by the agent at start-up. */
export function installHttp2Capture(_hooks: CaptureHooks): void {}
