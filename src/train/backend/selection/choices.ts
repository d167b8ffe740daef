// The names selectBackend accepts, in a module that imports nothing: the CLI validates --backend
// with them before it loads tfjs.

export const BACKEND_CHOICES = ['auto', 'gpu', 'node', 'fast', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
