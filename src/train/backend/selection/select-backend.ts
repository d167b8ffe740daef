// Chooses the fastest training backend this machine can run (gpu, node, fast, wasm, cpu) and says
// why it skipped the others.
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../../core/errors.js';
import { FAST_BACKEND, registerFastBackend, registerWasmTrainingKernels } from './fast-backend.js';
import { FAST_TRAINING_KERNELS, STOCK_TRAINING_KERNELS, missingKernels } from './required-kernels.js';
import { BACKEND_CHOICES, type BackendChoice } from './choices.js';

/**
 * Picks the tfjs backend for training, trying the fastest first:
 *
 *   gpu  — @tensorflow/tfjs-node-gpu (libtensorflow with CUDA, Linux/Windows x86_64).
 *          tfjs-node-gpu 4.22 downloads libtensorflow 2.9.1 at install. Needs CUDA 11.2 and
 *          cuDNN 8.1.0 with an NVIDIA driver > 450.x: that is tfjs-node's README table and
 *          TensorFlow's tested build configurations for 2.9 (every TF from 2.5 to 2.11
 *          lists the same CUDA 11.2 / cuDNN 8.1 pair). Without them the native addon fails
 *          to load (libcudart/libcudnn not found) and we fall through; if it loads but
 *          TensorFlow sees no GPU device we skip it too (it would run on the CPU).
 *   node — @tensorflow/tfjs-node (libtensorflow on the CPU).
 *   fast — recordflow's CPU training path: tfjs's wasm backend (XNNPACK, SIMD) plus our
 *          SIMD/JS training kernels, fused batch norm and fused Adam (fast-backend.ts).
 *   wasm — stock tfjs wasm plus the one kernel it lacks for training (Conv2DBackpropFilter).
 *   cpu  — stock tfjs cpu (plain JS, ~100x slower than fast on the BackBone).
 *
 * Both native packages register a backend named 'tensorflow' on the same tfjs-core that
 * '@tensorflow/tfjs' uses, so the rest of recordflow needs no change. Each candidate must
 * also have every kernel a BackBone training step dispatches (required-kernels.ts) —
 * checked up front, instead of failing at the first gradient.
 */

/** selectBackend was asked for a backend name it does not know (e.g. from untyped JS or JSON). */
export class UnknownBackendError extends InputError {
  override name = 'UnknownBackendError';
  constructor(readonly backend: unknown) {
    super(`unknown training backend ${JSON.stringify(backend) ?? String(backend)}: expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
}

/** Options of selectBackend: which backend ('auto' by default) and where to log the choice. */
export interface SelectBackendOptions {
  /** Which backend (default 'auto': the first of gpu, node, fast, cpu that works). */
  backend?: BackendChoice;
  /** Receives one line per backend tried or chosen (default: silent). */
  log?: (line: string) => void;
  /** Module loader for the native packages (tests inject failures/fakes). Default: import(). */
  importer?: (specifier: string) => Promise<unknown>;
}

/** The backend selectBackend activated, and why it skipped the ones before it. */
export interface SelectedBackend {
  /** tfjs backend name now active ('tensorflow', 'recordflow-fast', 'wasm' or 'cpu'). */
  name: string;
  /** Which choice it was ('gpu', 'node', 'fast', 'wasm', 'cpu'). */
  choice: Exclude<BackendChoice, 'auto'>;
  skipped: { name: string; reason: string }[];
}

type Attempt = { ok: true; name: string } | { ok: false; reason: string };

const NATIVE_BACKEND = 'tensorflow';

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

async function activate(name: string, required: readonly string[]): Promise<Attempt> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    return { ok: false, reason: `backend '${name}' failed to initialise: ${message(error)}` };
  }
  if (!ok) return { ok: false, reason: `backend '${name}' failed to initialise` };
  const missing = missingKernels(name, required);
  if (missing.length > 0) return { ok: false, reason: `backend '${name}' lacks training kernels: ${missing.join(', ')}` };
  return { ok: true, name };
}

function nativeRegistered(): boolean {
  return tf.findBackend(NATIVE_BACKEND) !== null || tf.engine().registryFactory[NATIVE_BACKEND] !== undefined;
}

async function tryNative(specifier: string, wantGpu: boolean, importer: (s: string) => Promise<unknown>): Promise<Attempt> {
  // tfjs-node-gpu loaded on a machine without a GPU already registered 'tensorflow' (on the
  // CPU); importing tfjs-node too would register it twice, so reuse it for 'node'.
  if (wantGpu || !nativeRegistered()) {
    try {
      await importer(specifier);
    } catch (error) {
      return { ok: false, reason: `${specifier} not loadable: ${message(error)}` };
    }
  }
  if (!nativeRegistered()) {
    return { ok: false, reason: `${specifier} loaded but registered no '${NATIVE_BACKEND}' backend (a second copy of tfjs-core?)` };
  }
  const attempt = await activate(NATIVE_BACKEND, STOCK_TRAINING_KERNELS);
  if (!attempt.ok || !wantGpu) return attempt;
  const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  if (usingGpu === false) return { ok: false, reason: `${specifier} loaded but TensorFlow sees no CUDA GPU (needs CUDA 11.2 + cuDNN 8.1)` };
  return attempt;
}

async function tryChoice(choice: Exclude<BackendChoice, 'auto'>, importer: (s: string) => Promise<unknown>): Promise<Attempt> {
  switch (choice) {
    case 'gpu':
      return tryNative('@tensorflow/tfjs-node-gpu', true, importer);
    case 'node':
      return tryNative('@tensorflow/tfjs-node', false, importer);
    case 'fast':
      try {
        if (!(await registerFastBackend())) return { ok: false, reason: 'the wasm module failed to initialise' };
      } catch (error) {
        return { ok: false, reason: `fast path unavailable: ${message(error)}` };
      }
      return activate(FAST_BACKEND, FAST_TRAINING_KERNELS);
    case 'wasm':
      registerWasmTrainingKernels();
      return activate('wasm', STOCK_TRAINING_KERNELS);
    case 'cpu':
      return activate('cpu', STOCK_TRAINING_KERNELS);
  }
}

const CHAIN: Exclude<BackendChoice, 'auto'>[] = ['gpu', 'node', 'fast', 'cpu'];

/**
 * Activates the fastest training backend this machine can run (or the one asked for), after
 * checking it has every kernel a training step needs; throws when none can.
 * @example
 * const chosen = await selectBackend({ backend: 'cpu' });
 * console.log(chosen.name); // 'cpu'
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const choice = options.backend ?? 'auto';
  // The type does not stop untyped callers, and an unknown name would reach no switch case.
  if (!(BACKEND_CHOICES as readonly unknown[]).includes(choice)) throw new UnknownBackendError(choice);
  const log = options.log ?? (() => {});
  const importer = options.importer ?? ((specifier: string) => import(specifier));
  const candidates = choice === 'auto' ? CHAIN : [choice];
  const skipped: SelectedBackend['skipped'] = [];
  for (const candidate of candidates) {
    const attempt = await tryChoice(candidate, importer);
    if (attempt.ok) {
      log(`backend: ${candidate} (tfjs '${attempt.name}')${choice === 'auto' ? '' : ' — requested'}`);
      return { name: attempt.name, choice: candidate, skipped };
    }
    skipped.push({ name: candidate, reason: attempt.reason });
    log(`backend: skipped ${candidate}: ${attempt.reason}`);
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(`no usable training backend (${choice}): ${why}`);
}
