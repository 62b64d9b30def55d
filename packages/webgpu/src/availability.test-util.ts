/**
 * Whether this machine can run the GPU tests. On a machine with only Node (no SwiftShader, no
 * GPU) they are skipped with the reason, so `pnpm test` stays green; CI sets
 * ACTIVATIONS_REQUIRE_WEBGPU=1 (after installing chromium and libvulkan1) so that a missing
 * adapter fails instead.
 */
import { acquireDevice } from './device.js';

function required(): boolean {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  // in the browser project the adapter must exist: Chromium was launched with WebGPU on
  return (
    p?.env === undefined ||
    p.env.ACTIVATIONS_REQUIRE_WEBGPU === '1' ||
    typeof window !== 'undefined'
  );
}

async function probe(): Promise<string | undefined> {
  const found = await acquireDevice({ allowSoftware: true });
  if ('reason' in found) return found.reason;
  found.device.destroy();
  return undefined;
}

/** undefined when a WebGPU adapter (hardware or software) is available, else why not. */
export const unavailable: string | undefined = await probe();
if (unavailable !== undefined && required()) {
  throw new Error(`WebGPU is required here but unavailable: ${unavailable}`);
}
if (unavailable !== undefined) {
  console.warn(
    `skipping the WebGPU tests: ${unavailable} (install Debian's chromium and libvulkan1 to run them on SwiftShader)`,
  );
}
