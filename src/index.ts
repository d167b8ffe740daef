// The public API: each room exports its own names; this file only gathers them.
export * from './core/index.js';
export * from './io/index.js';
export * from './storage/index.js';
export * from './transforms/index.js';
export * from './pipeline/index.js';
export * from './train/index.js';
export * from './synth/index.js';
export * from './detect/coco/index.js';
export * from './render/index.js';
export * from './detect/index.js';
