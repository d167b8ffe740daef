// Public names of the train/backend part (re-exported by src/train/index.ts).
export { BACKEND_CHOICES, type BackendChoice } from './selection/choices.js';
export { selectBackend, UnknownBackendError, type SelectBackendOptions, type SelectedBackend } from './selection/select-backend.js';
export { FAST_BACKEND, registerFastBackend, registerWasmTrainingKernels } from './selection/fast-backend.js';
export { FAST_TRAINING_KERNELS, STOCK_TRAINING_KERNELS, missingKernels } from './selection/required-kernels.js';
export { profileStep, type KernelProfileRow } from './profile.js';
