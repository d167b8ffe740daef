// Public names of the train room.
export { createBackbone, type BackboneOptions } from './model.js';
export { SeededDropout } from './seeded-dropout.js';
