// Reaches tfjs-wasm's heap and tensor addresses, which its public typings do not describe, checked
// once so every kernel can read and write tensors in place.
import * as tf from '@tensorflow/tfjs';

/**
 * The parts of tfjs-backend-wasm's BackendWasm our JS kernels use. The class is not in
 * tfjs's public typings for kernels, so we describe the shape we rely on here and check it
 * once at registration (see `asWasmBackend`).
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function asWasmBackend(backend: unknown): WasmBackendLike {
  const b = backend as Partial<WasmBackendLike>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error('recordflow kernel: expected the wasm backend (makeOutput/typedArrayFromHeap missing)');
  }
  return b as WasmBackendLike;
}

/**
 * A Float32Array view of a tensor's bytes on the wasm heap. Views must be taken AFTER every
 * allocation of the kernel (makeOutput may grow the heap, which detaches older views).
 */
export function f32(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`recordflow kernel: expected float32, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** tfjs-backend-wasm's WebAssembly.Memory (its emscripten module exports it as asm.memory). */
export function wasmMemory(backend: unknown): WebAssembly.Memory {
  const module = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const memory = module?.asm?.memory ?? module?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('recordflow kernel: cannot reach the wasm heap memory');
  return memory;
}

/** Byte address of a tensor on the wasm heap. */
export function addressOf(backend: unknown, info: tf.TensorInfo): number {
  const entry = (backend as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap.get(info.dataId);
  if (entry === undefined) throw new Error('recordflow kernel: tensor is not on the wasm backend');
  return entry.memoryOffset;
}
