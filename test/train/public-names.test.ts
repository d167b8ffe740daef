import { test } from 'node:test';
import assert from 'node:assert/strict';

test('the training names are exported from the package root (no export * collisions)', async () => {
  const root = (await import('../../src/index.js')) as Record<string, unknown>;
  for (const name of ['selectBackend', 'createBackbone', 'train', 'evaluate', 'validationIoU', 'iou', 'giou', 'giouLoss', 'focalLoss', 'loadModel']) {
    assert.equal(typeof root[name], 'function', `${name} missing from src/index.ts`);
  }
});
