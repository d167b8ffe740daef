// Public names of the io room.
export * from './errors.js';
export * from './chunks.js';
export * from './example.js';
