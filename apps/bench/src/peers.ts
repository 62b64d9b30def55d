/**
 * The peers users would pick instead: TensorFlow.js with its WebAssembly backend (SIMD, one
 * thread) and onnxruntime-web (wasm, one thread). Array in, array out, like the other contenders.
 * Both are devDependencies of this app only; each loads lazily and reports why if it cannot.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ONNX_GRAPHS, onnxModel } from './onnx-model.js';

/** A peer's activation as an async array-in, array-out function. */
export type PeerRun = (x: Float32Array) => Promise<Float32Array> | Float32Array;

/** A peer that loaded, or the reason it did not. */
export type Peer =
  | { name: string; make(id: string, n: number): Promise<PeerRun | undefined> }
  | { name: string; error: string };

const require = createRequire(import.meta.url);

/** tfjs-core + tfjs-backend-wasm, checked to be on the 'wasm' backend (it can silently stay on cpu). */
export async function loadTfjsWasm(): Promise<Peer> {
  const name = 'tfjs-wasm';
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    const dist = dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
    );
    backend.setWasmPaths(`${dist}/`);
    backend.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    if (tf.getBackend() !== 'wasm') return { name, error: `tfjs stayed on '${tf.getBackend()}'` };
    type T = ReturnType<typeof tf.tensor1d>;
    const graphs: Record<string, (t: T) => T> = {
      relu: (t) => tf.relu(t),
      sigmoid: (t) => tf.sigmoid(t),
      tanh: (t) => tf.tanh(t),
      // tfjs has no GELU op: the erf form from its ops
      gelu: (t) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2)))),
      silu: (t) => tf.mul(t, tf.sigmoid(t)),
      elu: (t) => tf.elu(t),
      softplus: (t) => tf.softplus(t),
      mish: (t) => tf.mul(t, tf.tanh(tf.softplus(t))),
    };
    return {
      name,
      async make(id) {
        const graph = graphs[id];
        if (!graph) return undefined;
        // tidy around the op graph only: dataSync inside tf.tidy is ~25x slower in tfjs 4.22
        return (x) => {
          const input = tf.tensor1d(x);
          const output = tf.tidy(() => graph(input));
          const data = output.dataSync() as Float32Array;
          input.dispose();
          output.dispose();
          return data;
        };
      },
    };
  } catch (error) {
    return { name, error: String(error).split('\n')[0]! };
  }
}

/** onnxruntime-web on its wasm execution provider, one thread. */
export async function loadOnnxruntimeWeb(): Promise<Peer> {
  const name = 'onnxruntime-web';
  try {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = `${join(dirname(require.resolve('onnxruntime-web')), '')}/`;
    ort.env.logLevel = 'error';
    return {
      name,
      async make(id, n) {
        const graph = ONNX_GRAPHS[id];
        if (!graph) return undefined;
        const session = await ort.InferenceSession.create(onnxModel(graph, n), {
          executionProviders: ['wasm'],
        });
        return async (x) => {
          const result = await session.run({ x: new ort.Tensor('float32', x, [n]) });
          return result.y!.data as Float32Array;
        };
      },
    };
  } catch (error) {
    return { name, error: String(error).split('\n')[0]! };
  }
}
