/** The registry every command uses: the zoo and every backend this app knows about. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRegistry, type Registry } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { wasm } from '@activations/wasm';
import { webgpu } from '@activations/webgpu';
import { zoo } from '@activations/zoo';

/** Debian's chromium package ships SwiftShader, a Vulkan driver on the CPU that npm `webgpu` can use. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * A registry with webgpu (a hardware GPU; a software adapter is reported, not chosen), wasm and
 * cpu-js, in that order of priority.
 */
export function defaultRegistry(): Registry {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  // the Vulkan loader complains on stderr without it
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  return createRegistry({ activations: zoo, backends: [webgpu(), wasm(), cpuJs()] });
}
