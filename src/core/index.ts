// Public names of the core room: what every other room builds on (the chunk protocol, the
// typed errors, the seeded generator and hash). It imports nothing from the rest of recordflow.
export * from './errors.js';
export * from './chunks.js';
export { createRng, deriveSeed, mix32, Random, randomPermutation, seedTo32, type Rng } from './random.js';
