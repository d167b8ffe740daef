// The names selectBackend accepts, in a module that imports nothing: the CLI validates --backend
// with them before it loads tfjs.

/**
 * The backends selectBackend (and --backend) accept; 'auto' tries gpu, node, fast, cpu in turn.
 */
export const BACKEND_CHOICES = ['auto', 'gpu', 'node', 'fast', 'wasm', 'cpu'] as const;
/** One of BACKEND_CHOICES. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
