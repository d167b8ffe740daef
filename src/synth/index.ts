// Public names of the synth room: the seeded thermal data generator of the reference layout.
export {
  synthesizeThermal,
  synthesizeRecording,
  flipSet,
  framesPerCount,
  expectedLocalizationRows,
  FRAMES_PER_COUNT,
  type SynthOptions,
  type SyntheticSet,
  type SyntheticSets,
} from './synthesize.js';
export { flipFrames, flipCoordinates, type FlipKind } from './flips.js';
export { renderThermalFrame, FILTER_ON, type ThermalFrame } from './thermal-frame.js';
export { samplePerson, renderPerson, type PersonShape, type RenderedPerson } from './person-blob.js';
export { writeSyntheticSets } from './write-sets.js';
