// Record counts of the real TensorFlow-written files in golden/tf, as its SOURCES.md states them.

export const GOLDEN_TF_COUNTS: Record<string, number> = {
  'pwnall-tfrecord__singles.tfrecords': 3,
  'lingvo__wmt14_ende_wpm_32k_test.tfrecord': 100,
  'deepconsensus__human_1m_tf_examples_eval.tfrecord.gz': 65,
  'lingvo__events.out.tfevents.test': 361,
  'tensorboard__end_to_end.tfevents': 25,
  'nucleus__test_regions.bed.tfrecord': 2,
  'nucleus__test_regions.bed.tfrecord.gz': 2,
  'lingvo__en_fr.tfrecord': 2,
};
