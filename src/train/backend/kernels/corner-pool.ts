// CornerNet's corner pooling as a tfjs kernel and its gradient kernel: SIMD on the fast backend,
// a plain loop on any other backend that can hand its data to JavaScript (cpu, stock wasm).
import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from '../wasm/heap.js';
import { cornerPoolKernels } from '../simd/corner-pool.js';

/** The pool's kernel: attrs `{ direction }`, input `x` (NHWC float32), output the pooled map. */
export const CORNER_POOL = 'RecordflowCornerPool';
/** Its gradient's kernel: inputs `dy`, `x`, `y` (the forward output), attrs `{ direction }`. */
export const CORNER_POOL_GRAD = 'RecordflowCornerPoolGrad';

/**
 * Which way a corner pool looks: 'top' takes at row i the max over rows i..H-1 (everything
 * below), 'left' at column j the max over columns j..W-1 (everything to the right); 'bottom'
 * (rows 0..i) and 'right' (columns 0..j) are their mirror images.
 */
export type CornerPoolDirection = 'top' | 'left' | 'bottom' | 'right';

/** The four directions, in the order CornerNet's modules pair them (top-left, bottom-right). */
export const CORNER_POOL_DIRECTIONS: readonly CornerPoolDirection[] = ['top', 'left', 'bottom', 'right'];

/**
 * An NHWC tensor seen as `outer` blocks of `length` lines of `inner` floats, the pool running
 * along the lines: rows for top/bottom (inner W·C), columns for left/right (inner C). The
 * forward walk starts at line `first` and moves by `step` lines (±1); top and left walk
 * backwards, from the last line.
 */
export interface CornerPoolGeometry {
  outer: number;
  length: number;
  inner: number;
  first: number;
  step: 1 | -1;
}

/** The blocks, lines and walk of `direction`'s pool over an NHWC `shape`. */
export function cornerPoolGeometry(shape: readonly number[], direction: CornerPoolDirection): CornerPoolGeometry {
  const [n, h, w, c] = shape as [number, number, number, number];
  const vertical = direction === 'top' || direction === 'bottom';
  const outer = vertical ? n : n * h;
  const length = vertical ? h : w;
  const inner = vertical ? w * c : c;
  const backwards = direction === 'top' || direction === 'left';
  return { outer, length, inner, first: backwards ? length - 1 : 0, step: backwards ? -1 : 1 };
}

/**
 * y = the cumulative max of x along the pool (plain loop). Math.max, like the SIMD f32x4.max:
 * NaN propagates and +0 beats -0, so both paths give the same bits.
 */
export function cornerPoolForwardPlain(x: Float32Array, y: Float32Array, g: CornerPoolGeometry): void {
  const { outer, length, inner, first, step } = g;
  const block = length * inner;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let p = o * block + first * inner + k;
      let m = x[p]!;
      y[p] = m;
      for (let l = 1; l < length; l++) {
        p += step * inner;
        m = Math.max(x[p]!, m);
        y[p] = m;
      }
    }
  }
}

/**
 * dx of the pool (plain loop). Output i's max comes from the nearest line at or past i (in the
 * pool's direction) whose value equals y[i]; a line is that arg-max exactly where x == y.
 * Walking against the pool, dy accumulates until such a line takes it all.
 */
export function cornerPoolBackwardPlain(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, g: CornerPoolGeometry): void {
  const { outer, length, inner, first, step } = g;
  const block = length * inner;
  const last = first + step * (length - 1);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let p = o * block + last * inner + k;
      let acc = 0;
      for (let l = 0; l < length; l++) {
        // float32 sums, as the SIMD lanes add: both paths give the same bits.
        acc = Math.fround(acc + dy[p]!);
        if (x[p] === y[p]) {
          dx[p] = acc;
          acc = 0;
        } else dx[p] = 0;
        p -= step * inner;
      }
    }
  }
}

function geometryOf(x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): CornerPoolGeometry {
  const direction = (attrs as { direction?: unknown } | undefined)?.direction;
  if (!CORNER_POOL_DIRECTIONS.includes(direction as CornerPoolDirection)) throw new Error(`${CORNER_POOL}: direction ${String(direction)} is not top, left, bottom or right`);
  if (x.shape.length !== 4 || x.dtype !== 'float32') throw new Error(`${CORNER_POOL}: expected a float32 NHWC tensor, got ${x.dtype} [${x.shape.join(', ')}]`);
  return cornerPoolGeometry(x.shape, direction as CornerPoolDirection);
}

const empty = (g: CornerPoolGeometry): boolean => g.outer * g.length * g.inner === 0;

/** The SIMD kernels on a wasm-derived backend (lines of whole vectors; else the plain loop on the heap). */
export function cornerPoolConfigs(backendName: string): tf.KernelConfig[] {
  return [
    {
      kernelName: CORNER_POOL,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = asWasmBackend(backend);
        const { x } = inputs as { x: tf.TensorInfo };
        const g = geometryOf(x, attrs);
        const y = wasm.makeOutput([...x.shape], 'float32');
        if (empty(g)) return y;
        if (g.inner % 4 === 0) {
          const { forward } = cornerPoolKernels(wasmMemory(backend));
          forward(addressOf(backend, x), addressOf(backend, y), ...simdWalk(g, g.first, g.step));
        } else cornerPoolForwardPlain(f32(wasm, x), f32(wasm, y), g);
        return y;
      },
    },
    {
      kernelName: CORNER_POOL_GRAD,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = asWasmBackend(backend);
        const { dy, x, y } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; y: tf.TensorInfo };
        const g = geometryOf(x, attrs);
        const dx = wasm.makeOutput([...x.shape], 'float32');
        if (empty(g)) return dx;
        if (g.inner % 4 === 0) {
          const { backward } = cornerPoolKernels(wasmMemory(backend));
          const last = g.first + g.step * (g.length - 1);
          backward(addressOf(backend, x), addressOf(backend, y), addressOf(backend, dy), addressOf(backend, dx), ...simdWalk(g, last, -g.step as 1 | -1));
        } else cornerPoolBackwardPlain(f32(wasm, x), f32(wasm, y), f32(wasm, dy), f32(wasm, dx), g);
        return dx;
      },
    },
  ];
}

/** The SIMD functions' shape arguments: outer, length, vectors per line, first/step/block in bytes. */
function simdWalk(g: CornerPoolGeometry, first: number, step: 1 | -1): [number, number, number, number, number, number] {
  const lineBytes = g.inner * 4;
  return [g.outer, g.length, g.inner / 4, first * lineBytes, step * lineBytes, g.length * lineBytes];
}

/** A backend's data as JavaScript sees it: wasm's heap views, or readSync and makeTensorInfo (cpu, webgl, node). */
interface PlainBackend {
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  readSync?(dataId: object): unknown;
  typedArrayFromHeap?: unknown;
}

function plainKernel(
  kernelName: string,
  backendName: string,
  names: readonly string[],
  run: (arrays: Float32Array[], out: Float32Array, g: CornerPoolGeometry) => void,
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const infos = names.map((n) => (inputs as Record<string, tf.TensorInfo>)[n]!);
      const x = infos[names.indexOf('x')]!;
      const g = geometryOf(x, attrs);
      const b = backend as PlainBackend;
      if (typeof b.typedArrayFromHeap === 'function') {
        const wasm = asWasmBackend(backend);
        const out = wasm.makeOutput([...x.shape], 'float32');
        // Heap views only after the allocation (it may grow the heap).
        run(infos.map((i) => f32(wasm, i)), f32(wasm, out), g);
        return out;
      }
      if (typeof b.makeTensorInfo !== 'function' || typeof b.readSync !== 'function') throw new Error(`${kernelName}: backend ${backendName} cannot hand its data to JavaScript`);
      const out = new Float32Array(x.shape.reduce((a, d) => a * d, 1));
      run(infos.map((i) => b.readSync!(i.dataId) as Float32Array), out, g);
      return b.makeTensorInfo([...x.shape], 'float32', out);
    },
  };
}

/** The plain kernels (forward and gradient) for any backend: JavaScript loops over its data. */
export function plainCornerPoolConfigs(backendName: string): tf.KernelConfig[] {
  return [
    plainKernel(CORNER_POOL, backendName, ['x'], ([x], y, g) => cornerPoolForwardPlain(x!, y, g)),
    plainKernel(CORNER_POOL_GRAD, backendName, ['dy', 'x', 'y'], ([dy, x, y], dx, g) => cornerPoolBackwardPlain(x!, y!, dy!, dx, g)),
  ];
}

/** dx from the gradient kernel, with the forward's input and output saved. */
export const cornerPoolGradient: tf.GradConfig = {
  kernelName: CORNER_POOL,
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    return { x: () => tf.engine().runKernel(CORNER_POOL_GRAD, { dy: dy as tf.Tensor, x, y }, attrs as tf.NamedAttrMap) as tf.Tensor };
  },
};

/**
 * Makes the pool runnable on `backendName`: registers the gradient (once) and, where the
 * backend has no corner-pool kernel yet (every backend but the fast one, which registers its
 * SIMD kernels itself), the plain ones.
 */
export function ensureCornerPoolKernels(backendName: string): void {
  if (tf.getGradient(CORNER_POOL) === undefined) tf.registerGradient(cornerPoolGradient);
  if (tf.getKernel(CORNER_POOL, backendName) === undefined) {
    for (const config of plainCornerPoolConfigs(backendName)) tf.registerKernel(config);
  }
}
