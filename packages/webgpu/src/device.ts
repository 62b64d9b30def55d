/// <reference types="@webgpu/types" />
/**
 * Finding WebGPU: `navigator.gpu` in browsers (and Deno), the npm package `webgpu` (Dawn) in Node.
 * The same code runs in both; nothing here touches a global it does not first check for.
 */

/** GPUBufferUsage and GPUMapMode values (the globals are missing in Node unless installed). */
export const Usage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
export const MAP_READ_MODE = 0x1;

/** Options for acquiring a device. */
export interface DeviceOptions {
  /**
   * Accept a software adapter (SwiftShader, WARP, llvmpipe): correct but slower than the wasm
   * backend, so 'auto' skips it unless this is true (default false). Tests and CI set it.
   */
  readonly allowSoftware?: boolean;
  /** Passed to `requestAdapter` (default 'high-performance'). */
  readonly powerPreference?: GPUPowerPreference;
  /** Use this GPU object instead of looking for one (e.g. `create([...])` from npm `webgpu`). */
  readonly gpu?: GPU;
}

/** What was found: a device, or why there is none. */
export type DeviceResult =
  | { device: GPUDevice; adapter: GPUAdapterInfo; software: boolean }
  | { reason: string };

const NODE_HINT = "install the npm package 'webgpu' (npm install webgpu) to use WebGPU in Node";

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

let nodeGpu: Promise<GPU | string> | undefined;

/** The GPU object of npm `webgpu`, created once per process. */
function gpuFromNode(): Promise<GPU | string> {
  nodeGpu ??= (async () => {
    const name = 'webgpu'; // a variable, so bundlers leave the optional dependency alone
    try {
      const module = (await import(/* @vite-ignore */ name)) as { create(flags: string[]): GPU };
      return module.create([]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return /Cannot find (package|module)/.test(message)
        ? NODE_HINT
        : `npm 'webgpu' failed to load: ${message}`;
    }
  })();
  return nodeGpu;
}

/** The environment's GPU object, or the reason there is none. */
export async function findGpu(): Promise<GPU | string> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (isNode()) return gpuFromNode();
  if (typeof window !== 'undefined' && !window.isSecureContext) {
    return 'WebGPU needs a secure context (https:// or http://localhost / 127.0.0.1)';
  }
  return 'this browser has no WebGPU (navigator.gpu is undefined; Chrome 113+, Edge 113+, Safari 26+, or Firefox 141+ on Windows)';
}

/** Software adapters by the names they report. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|warp|basic render|software|cpu/i;

/** Is the adapter a CPU implementation? */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const flagged = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  if (flagged === true) return true;
  const info = adapter.info;
  return SOFTWARE.test(
    `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.device ?? ''} ${info?.description ?? ''}`,
  );
}

/** A readable adapter name: "Google SwiftShader (Vulkan)". */
export function adapterName(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.description || info.device || info.architecture].filter(
    (p) => p && p.length > 0,
  );
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unknown adapter';
}

/** Requests an adapter and a device with the adapter's largest storage-buffer limits. */
export async function acquireDevice(options: DeviceOptions = {}): Promise<DeviceResult> {
  const gpu = options.gpu ?? (await findGpu());
  if (typeof gpu === 'string') return { reason: gpu };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
    });
  } catch (error) {
    return {
      reason: `requestAdapter failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!adapter) {
    return {
      reason: isNode()
        ? 'no WebGPU adapter found (without a GPU, point VK_ICD_FILENAMES at a SwiftShader ICD, e.g. /usr/lib/chromium/vk_swiftshader_icd.json)'
        : 'no WebGPU adapter found (WebGPU may be disabled or blocklisted for this GPU)',
    };
  }
  const software = isSoftwareAdapter(adapter);
  if (software && !options.allowSoftware) {
    return {
      reason: `only a software adapter is available (${adapterName(adapter.info)}), slower than the wasm backend; pass webgpu({ allowSoftware: true }) to use it anyway`,
    };
  }
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
    },
  });
  return { device, adapter: adapter.info, software };
}
