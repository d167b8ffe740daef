import * as tf from '@tensorflow/tfjs';
import { access, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileError, fileProblem, InputError } from '../core/errors.js';
import './seeded-dropout.js';
import { makeDirs } from '../io/make-dirs.js';

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
} // registers SeededDropout so saved BackBone models load back

/**
 * Saving and loading tfjs models as files without tfjs-node.
 *
 * `fileHandler(dir)` is a tf.io IOHandler writing `dir/model.json` + `dir/weights.bin` in
 * the tfjs "layers-model" format (the format tfjs-node's `file://` handler and the
 * converter use), so `model.save(fileHandler(dir))` and
 * `tf.loadLayersModel(fileHandler(dir))` work in plain Node. Each file is written to a
 * temporary name and renamed, so a crash never leaves a half-written model.json.
 * Importing this module also routes `file://` URLs to it when nothing else handles them.
 */

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * A tfjs IOHandler that saves and loads `model.json` + `weights.bin` in `dir` (Node's file system,
 * written atomically) for model.save and tf.loadLayersModel.
 */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new InputError('fileHandler saves JSON model topologies only (not GraphDef binaries)', dir);
      }
      await makeDirs(dir);
      const weights = joinWeightData(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      await writeAtomic(join(dir, MODEL_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(modelJson.modelTopology).length,
          weightSpecsBytes: JSON.stringify(modelJson.weightsManifest).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const path = join(dir, MODEL_FILE);
      let modelJson: tf.io.ModelJSON;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw fileError(err, path);
      }
      try {
        modelJson = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw new InputError(`not valid JSON (${(err as Error).message}): not a tfjs model.json`, path, { cause: err });
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: Uint8Array[] = [];
        const files: string[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = await weightsFile(dir, path, p);
            files.push(file);
            try {
              buffers.push(await readFile(file));
            } catch (err) {
              throw new InputError(`${fileProblem(err)} (named by model.json)`, file, { cause: err });
            }
          }
        }
        checkWeightBytes(specs, buffers, files);
        return [specs, concat(buffers)];
      });
    },
  };
}

/**
 * A weightsManifest path, resolved inside the model directory: absolute paths, `..` steps out
 * and symbolic links leading out are refused, so a model.json can never make us read elsewhere.
 */
async function weightsFile(dir: string, modelJson: string, p: unknown): Promise<string> {
  const refuse = (why: string): never => {
    throw new InputError(`weightsManifest path ${JSON.stringify(p)} ${why}`, modelJson);
  };
  if (typeof p !== 'string' || p === '') return refuse('is not a file name');
  if (isAbsolute(p) || /^[a-zA-Z]:|^[\\/]/.test(p) || p.includes('\0')) refuse('is absolute; weights must lie in the model directory');
  const root = resolve(dir);
  const file = resolve(root, p);
  const inside = (base: string, f: string): boolean => {
    const r = relative(base, f);
    return r !== '' && !r.startsWith('..') && !isAbsolute(r);
  };
  if (!inside(root, file)) refuse('leads out of the model directory');
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(file);
  } catch {
    return file; // missing: reading it reports that, naming the file
  }
  if (!inside(realRoot, realFile)) refuse(`leads out of the model directory (a symbolic link to ${realFile})`);
  return file;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** The weights' bytes must cover what the manifest describes: a cut file is named, not a tfjs RangeError. */
function checkWeightBytes(specs: tf.io.WeightsManifestEntry[], buffers: Uint8Array[], files: string[]): void {
  let need = 0;
  for (const s of specs) {
    const bytes = DTYPE_BYTES[s.quantization?.dtype ?? s.dtype];
    if (bytes === undefined) return; // strings and other variable sizes: tfjs checks
    need += s.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  const have = buffers.reduce((a, b) => a + b.length, 0);
  if (have < need) {
    throw new InputError(`weights are truncated: ${have} bytes, the manifest needs ${need}`, files.length === 1 ? files[0] : files.join(', '));
  }
}

/** Saves a model (topology + weights) as dir/model.json + dir/weights.bin. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}

/** saveModel into a replaceDir swap: an interrupted save leaves a complete model (recoverModelDir). */
export async function replaceModel(model: tf.LayersModel, dir: string): Promise<void> {
  await replaceDir(dir, (tmp) => saveModel(model, tmp));
}

export function recoverModelDir(dir: string): Promise<boolean> {
  return recoverDir(dir, MODEL_FILE);
}

/**
 * Loads the model saved in `dir` (`model.json` + `weights.bin`).
 *
 * @example
 * const model = await loadModel('model'); // what train --out or saveModel wrote
 * model.summary();
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileHandler(dir));
}

/** Writes named tensors as `name.json` (specs) + `name.bin` (data), e.g. optimizer state. */
export async function saveTensors(dir: string, name: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await makeDirs(dir);
  await writeAtomic(join(dir, `${name}.bin`), new Uint8Array(joinWeightData(data)));
  await writeAtomic(join(dir, `${name}.json`), JSON.stringify(specs));
}

export async function loadTensors(dir: string, name: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(join(dir, `${name}.bin`));
  const map = tf.io.decodeWeights(concat([bytes]), specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Replaces directory `dir` by what `write` puts into a sibling directory, so an interrupt at
 * any point leaves a complete old or new `dir` (or its sibling: see recoverDir), never a mix
 * of two saves' files.
 */
export async function replaceDir(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const next = `${dir}.next`;
  const old = `${dir}.old`;
  await rm(next, { recursive: true, force: true });
  await write(next);
  await rm(old, { recursive: true, force: true });
  try {
    await rename(dir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(next, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * After an interrupted replaceDir: when `dir` lacks `marker` (the file its writer writes last),
 * moves the complete sibling into place, preferring the newer one. True when `dir` has `marker`.
 */
export async function recoverDir(dir: string, marker: string): Promise<boolean> {
  if (await exists(join(dir, marker))) return true;
  const siblings = [`${dir}.next`, `${dir}.old`];
  for (const sibling of siblings) {
    if (await exists(join(sibling, marker))) {
      await rm(dir, { recursive: true, force: true });
      await rename(sibling, dir);
      for (const stale of siblings) await rm(stale, { recursive: true, force: true });
      return true;
    }
  }
  return false;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data == null) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out.buffer;
}

// Route file:// URLs (model.save('file://dir'), tf.loadLayersModel('file://dir/model.json'))
// here unless another handler (tfjs-node) already claims them.
const FILE_SCHEME = 'file://';
if (tf.io.getSaveHandlers(`${FILE_SCHEME}probe`).length === 0) {
  tf.io.registerSaveRouter(((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === 'string' && u.startsWith(FILE_SCHEME) ? fileHandler(u.slice(FILE_SCHEME.length)) : null;
  }) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0]);
}
if (tf.io.getLoadHandlers(`${FILE_SCHEME}probe`).length === 0) {
  tf.io.registerLoadRouter(((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith(FILE_SCHEME)) return null;
    const path = u.slice(FILE_SCHEME.length);
    return fileHandler(path.endsWith(`/${MODEL_FILE}`) || path === MODEL_FILE ? dirname(path) : path);
  }) as unknown as Parameters<typeof tf.io.registerLoadRouter>[0]);
}
