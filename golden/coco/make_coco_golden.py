#!/usr/bin/python3
"""Seeded COCO box-evaluation cases, scored by the real pycocotools.

    /usr/bin/python3 golden/coco/make_coco_golden.py --pycocotools DIR
    (or PYCOCOTOOLS=DIR /usr/bin/python3 golden/coco/make_coco_golden.py)

DIR is a directory holding an importable pycocotools package with its compiled _mask module
(cocoapi's PythonAPI directory, built outside this repository). Without it the script only
writes the case inputs, to the directory --out names. It writes golden/coco/cases/<name>.json, each {name, about, params, groundTruth,
detections, expected}; expected holds pycocotools' 12 stats, its summary lines and, for some
cases, the flat (C-order) precision/recall/scores arrays with their counts. Cases cover stable
score ties, the per-image maxDets cut, crowd regions absorbing many detections, the gt `area`
field against w*h, thresholds exactly at IoU 0.5/0.75, useCats=0, imgIds/catIds subsets, custom
maxDets/areaRng/thresholds, empty images, absent categories and an annotation with id 0.

Run-time shims (pycocotools' own files are not changed): `np.float` is set to `float` for
numpy >= 1.24 (accumulate() still uses it) and matplotlib, which coco.py imports only for
drawing, is replaced by empty modules when it is not installed.
"""
import argparse
import contextlib
import copy
import io
import json
import os
import random
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'cases')


# ---------------------------------------------------------------- case generation

def box_of(rng, kind, width, height, decimals):
    """A random [x, y, w, h] of a size class inside a width x height image."""
    if kind == 'small':
        side = (rng.uniform(2, 30), rng.uniform(2, 30))
    elif kind == 'medium':
        side = (rng.uniform(33, 90), rng.uniform(33, 90))
    else:
        side = (rng.uniform(97, 300), rng.uniform(97, 300))
    w, h = side
    x = rng.uniform(0, max(1, width - w))
    y = rng.uniform(0, max(1, height - h))
    b = [x, y, w, h]
    return [round(v, decimals) for v in b] if decimals is not None else b


def jitter(rng, b, amount, decimals):
    x, y, w, h = b
    out = [x + rng.gauss(0, amount * w), y + rng.gauss(0, amount * h),
           max(0.0, w * (1 + rng.gauss(0, amount))), max(0.0, h * (1 + rng.gauss(0, amount)))]
    return [round(v, decimals) for v in out] if decimals is not None else out


def score_of(rng, ties):
    if ties:
        return rng.choice(ties)
    return round(rng.random(), 6)


def random_case(seed, n_images=20, n_cats=3, gt_per_image=(0, 6), kinds=('small', 'medium', 'large'),
                crowd_p=0.05, area_noise_p=0.2, hit_p=0.8, extra_dets=(0, 8), ties=None,
                decimals=2, wrong_cat_p=0.1, dets_per_gt=(1, 2), image_ids=None, cat_ids=None):
    rng = random.Random(seed)
    image_ids = image_ids or rng.sample(range(1, 10 * n_images + 1), n_images)
    cat_ids = cat_ids or rng.sample(range(1, 100), n_cats)
    images = [{'id': i, 'width': 640, 'height': 480} for i in image_ids]
    rng.shuffle(images)
    categories = [{'id': c, 'name': 'c%d' % c} for c in cat_ids]
    anns, dets = [], []
    ann_id = 1
    for img in image_ids:
        for _ in range(rng.randint(*gt_per_image)):
            cat = rng.choice(cat_ids)
            b = box_of(rng, rng.choice(kinds), 640, 480, decimals)
            crowd = 1 if rng.random() < crowd_p else 0
            area = b[2] * b[3]
            if rng.random() < area_noise_p:
                area = area * rng.uniform(0.4, 1.0)  # a segmentation area, smaller than the box
            anns.append({'id': ann_id, 'image_id': img, 'category_id': cat, 'bbox': b,
                         'area': area, 'iscrowd': crowd})
            ann_id += 1
            if rng.random() < hit_p:
                for _ in range(rng.randint(*dets_per_gt)):
                    c = cat if rng.random() >= wrong_cat_p else rng.choice(cat_ids)
                    dets.append({'image_id': img, 'category_id': c,
                                 'bbox': jitter(rng, b, rng.choice([0.02, 0.05, 0.1, 0.2]), decimals),
                                 'score': score_of(rng, ties)})
        for _ in range(rng.randint(*extra_dets)):
            dets.append({'image_id': img, 'category_id': rng.choice(cat_ids),
                         'bbox': box_of(rng, rng.choice(kinds), 640, 480, decimals),
                         'score': score_of(rng, ties)})
    rng.shuffle(dets)
    return {'images': images, 'annotations': anns, 'categories': categories}, dets


def crowd_case(seed):
    """Crowd regions, each absorbing many detections, next to regular objects."""
    rng = random.Random(seed)
    gt, dets = random_case(seed, n_images=12, n_cats=2, crowd_p=0.0, cat_ids=[1, 2])
    anns = gt['annotations']
    next_id = max(a['id'] for a in anns) + 1
    for img in [im['id'] for im in gt['images']][:8]:
        cat = rng.choice([1, 2])
        region = [rng.uniform(0, 200), rng.uniform(0, 200), rng.uniform(150, 400), rng.uniform(150, 250)]
        region = [round(v, 1) for v in region]
        anns.append({'id': next_id, 'image_id': img, 'category_id': cat, 'bbox': region,
                     'area': region[2] * region[3] * 0.7, 'iscrowd': 1})
        next_id += 1
        # A regular object inside the crowd region, overlapped by some of the same detections.
        inner = [region[0] + 10, region[1] + 10, 40, 50]
        anns.append({'id': next_id, 'image_id': img, 'category_id': cat, 'bbox': inner,
                     'area': 2000, 'iscrowd': 0})
        next_id += 1
        for _ in range(rng.randint(3, 12)):
            w, h = rng.uniform(10, 60), rng.uniform(10, 60)
            dets.append({'image_id': img, 'category_id': cat,
                         'bbox': [round(region[0] + rng.uniform(0, region[2] - w), 1),
                                  round(region[1] + rng.uniform(0, region[3] - h), 1), round(w, 1), round(h, 1)],
                         'score': round(rng.random(), 3)})
        dets.append({'image_id': img, 'category_id': cat, 'bbox': list(inner), 'score': 0.5})
    return gt, dets


def area_case():
    """Ground truth whose `area` field and box size sit on the range ends (both inclusive)."""
    images = [{'id': i} for i in range(1, 5)]
    anns = []
    dets = []
    k = 1
    sizes = [(32, 32), (96, 96), (31, 33), (16, 64), (48, 192), (100, 100), (8, 8), (0.5, 2048)]
    areas = [1024, 9216, 1024, 1024, 9216, 9216.000001, 1023.999999, 0]
    for img in range(1, 5):
        for (w, h), area in zip(sizes, areas):
            x, y = (k * 37) % 500, (k * 53) % 380
            anns.append({'id': k, 'image_id': img, 'category_id': 1, 'bbox': [x, y, w, h], 'area': area, 'iscrowd': 0})
            # One exact and one shifted detection per object; the shifted one keeps w*h.
            dets.append({'image_id': img, 'category_id': 1, 'bbox': [x, y, w, h], 'score': 0.9 - 0.01 * (k % 7)})
            dets.append({'image_id': img, 'category_id': 1, 'bbox': [x + w / 4, y, w, h], 'score': 0.6 + 0.01 * (k % 5)})
            k += 1
        # Detections of boundary area with no object: ignored or not by w*h alone.
        for w, h in [(32, 32), (96, 96), (32, 32.0001), (0, 10)]:
            dets.append({'image_id': img, 'category_id': 1, 'bbox': [600 - w, 470 - h, w, h], 'score': 0.99})
    return {'images': images, 'annotations': anns, 'categories': [{'id': 1, 'name': 'thing'}]}, dets


def exact_iou_case():
    """Integer boxes whose IoU with their object is exactly 0.5, 0.55, 0.75, 0.95, 1."""
    images = [{'id': i} for i in range(1, 4)]
    anns, dets = [], []
    k = 1
    for img in range(1, 4):
        for j, (dw, iou) in enumerate([(50, 0.5), (55, 0.55), (75, 0.75), (95, 0.95), (100, 1.0), (60, 0.6), (85, 0.85), (90, 0.9)]):
            x, y = 110 * j, 10 * img
            anns.append({'id': k, 'image_id': img, 'category_id': 7, 'bbox': [x, y, 100, 10], 'area': 1000, 'iscrowd': 0})
            # A detection inside the object: IoU = dw / 100 exactly.
            dets.append({'image_id': img, 'category_id': 7, 'bbox': [x, y, dw, 10], 'score': round(0.3 + 0.07 * j, 2)})
            k += 1
    return {'images': images, 'annotations': anns, 'categories': [{'id': 7, 'name': 'bar'}]}, dets


def maxdets_case(seed):
    """More detections per image and category than maxDets, with score ties at the cut."""
    rng = random.Random(seed)
    gt, _ = random_case(seed, n_images=6, n_cats=2, gt_per_image=(3, 15), kinds=('small', 'medium'), cat_ids=[1, 2])
    dets = []
    for a in gt['annotations']:
        for _ in range(rng.randint(1, 3)):
            dets.append({'image_id': a['image_id'], 'category_id': a['category_id'],
                         'bbox': jitter(rng, a['bbox'], 0.1, 2), 'score': rng.choice([0.2, 0.4, 0.6, 0.8, 0.95])})
    for img in [im['id'] for im in gt['images']]:
        for _ in range(rng.randint(220, 320)):
            dets.append({'image_id': img, 'category_id': rng.choice([1, 2]),
                         'bbox': box_of(rng, 'small', 640, 480, 1), 'score': rng.choice([0.2, 0.4, 0.6, 0.8, 0.95])})
    rng.shuffle(dets)
    return gt, dets


def empty_case(seed):
    """Images without objects, images without detections, a category absent from the
    detections and one absent from the ground truth."""
    rng = random.Random(seed)
    gt, dets = random_case(seed, n_images=10, n_cats=2, cat_ids=[1, 2], extra_dets=(0, 2))
    gt['categories'] += [{'id': 3, 'name': 'no-dets'}, {'id': 4, 'name': 'no-gt'}]
    ids = [im['id'] for im in gt['images']]
    next_id = max([a['id'] for a in gt['annotations']] + [0]) + 1
    for img in ids[:3]:
        gt['annotations'].append({'id': next_id, 'image_id': img, 'category_id': 3,
                                  'bbox': [10, 10, 20, 20], 'area': 400, 'iscrowd': 0})
        next_id += 1
    no_gt = ids[3]
    gt['annotations'] = [a for a in gt['annotations'] if a['image_id'] != no_gt]
    no_dt = ids[4]
    dets = [d for d in dets if d['image_id'] != no_dt]
    dets += [{'image_id': ids[5], 'category_id': 4, 'bbox': [1, 2, 30, 40], 'score': 0.77},
             {'image_id': no_gt, 'category_id': 1, 'bbox': [5, 5, 50, 50], 'score': 0.99}]
    gt['images'].append({'id': 999})  # neither objects nor detections
    gt['images'].append(dict(gt['images'][0]))  # a repeated image entry counts once
    return gt, dets


def id_zero_case(seed):
    """An annotation with id 0: pycocotools stores the matched id and tests it for truth."""
    gt, dets = random_case(seed, n_images=5, n_cats=1, gt_per_image=(2, 5), cat_ids=[1], hit_p=1.0)
    a = gt['annotations'][0]
    a['id'] = 0
    a['area'] = 500.0  # 'small' by its area field while its box is larger
    x, y, w, h = a['bbox']
    dets.append({'image_id': a['image_id'], 'category_id': a['category_id'], 'bbox': [x, y, w, h], 'score': 0.95})
    dets.append({'image_id': a['image_id'], 'category_id': a['category_id'], 'bbox': [x + w * 0.1, y, w, h], 'score': 0.9})
    return gt, dets


def string_ids_case(seed):
    gt, dets = random_case(seed, n_images=8, n_cats=2, cat_ids=[1, 2])
    name = {im['id']: 'img-%03d' % im['id'] for im in gt['images']}
    for im in gt['images']:
        im['id'] = name[im['id']]
    for a in gt['annotations']:
        a['image_id'] = name[a['image_id']]
    for d in dets:
        d['image_id'] = name[d['image_id']]
    return gt, dets


def special_scores_case(seed):
    """Negative and zero scores (including -0.0), zero-width detections."""
    rng = random.Random(seed)
    gt, dets = random_case(seed, n_images=8, n_cats=1, cat_ids=[5])
    for d in dets:
        r = rng.random()
        if r < 0.2:
            d['score'] = -round(rng.random(), 2)
        elif r < 0.3:
            d['score'] = rng.choice([0.0, -0.0])
        elif r < 0.35:
            d['bbox'][2] = 0.0
    return gt, dets


def linspace(a, b, n):
    import numpy as np
    return [float(v) for v in np.linspace(a, b, n)]


def build_cases():
    cases = []

    def add(name, about, gt, dets, params=None, arrays=False):
        cases.append({'name': name, 'about': about, 'params': params or {}, 'groundTruth': gt,
                      'detections': dets, 'arrays': arrays})

    gt, dets = random_case(1, n_cats=2)
    add('basic', 'random objects of three sizes and three categories', gt, dets, arrays='all')
    gt, dets = random_case(2, n_images=25, ties=[0.1, 0.5, 0.9], dets_per_gt=(1, 4))
    add('score-ties', 'three score values: stable order across and within images', gt, dets)
    gt, dets = crowd_case(3)
    add('crowd', 'crowd regions absorbing many detections, regular objects inside them', gt, dets, arrays=True)
    gt, dets = area_case()
    add('area-bounds', 'gt area field and detection w*h on the area range ends', gt, dets, arrays=True)
    gt, dets = exact_iou_case()
    add('exact-iou', 'IoU exactly 0.5, 0.55, 0.75, 0.95 and 1 on integer boxes', gt, dets, arrays=True)
    gt, dets = maxdets_case(4)
    add('maxdets-cut', '110-160 detections per image and category, ties at the cut', gt, dets)
    gt, dets = random_case(5, n_images=15, n_cats=4)
    add('usecats-0', 'categories pooled (useCats=0)', gt, dets, {'useCats': 0}, arrays=True)
    add('usecats-0-order', 'pooled categories in a given order, which decides ties',
        *random_case(6, n_images=12, n_cats=3, cat_ids=[3, 1, 2], ties=[0.3, 0.6]), {'useCats': 0, 'catIds': [3, 1, 2]})
    gt, dets = random_case(7, n_images=20, n_cats=4, cat_ids=[1, 2, 3, 4])
    img_ids = sorted(im['id'] for im in gt['images'])
    add('subsets', 'imgIds and catIds subsets (unsorted, repeated, one unknown category)', gt, dets,
        {'imgIds': img_ids[10:] + img_ids[:3] + [img_ids[12]], 'catIds': [4, 2, 2, 99]})
    gt, dets = maxdets_case(8)
    add('custom-maxdets', 'maxDets [20, 1, 5]: sorted, and stats[0] is -1 without 100', gt, dets, {'maxDets': [20, 1, 5]})
    gt, dets = random_case(9, n_images=20)
    add('custom-area', 'other area bounds and label order', gt, dets,
        {'areaRng': [[0, 400], [400, 1e10], [0, 1e10], [2500, 20000]], 'areaRngLbl': ['small', 'large', 'all', 'medium']})
    gt, dets = random_case(10, n_images=15)
    add('custom-thresholds', 'iouThrs without 0.5, and 11 recall thresholds', gt, dets,
        {'iouThrs': [0.3, 0.45, 0.75, 0.8], 'recThrs': linspace(0, 1, 11)}, arrays=True)
    gt, dets = random_case(11, n_images=15)
    add('thresholds-with-05', 'iouThrs [0.5, 0.75] and uneven recall thresholds', gt, dets,
        {'iouThrs': [0.75, 0.5], 'recThrs': [0.0, 0.05, 0.5, 0.7, 0.95, 1.0]})
    gt, dets = empty_case(12)
    add('empty', 'images without objects or detections, categories without detections or objects', gt, dets, arrays=True)
    gt, dets = id_zero_case(13)
    add('annotation-id-0', 'a match to annotation id 0 counts as a false positive', gt, dets, arrays=True)
    gt, dets = string_ids_case(14)
    add('string-image-ids', 'image ids that are strings', gt, dets)
    gt, dets = special_scores_case(15)
    add('special-scores', 'negative, zero and -0.0 scores, zero-width detections', gt, dets)
    gt, dets = random_case(16, n_images=8, decimals=None, gt_per_image=(1, 4), dets_per_gt=(1, 3))
    add('full-precision', 'coordinates at full double precision', gt, dets)
    gt, dets = random_case(17, n_images=80, n_cats=1, cat_ids=[1], gt_per_image=(0, 9), extra_dets=(20, 90),
                           kinds=('small', 'small', 'medium'), ties=[round(0.01 * i, 2) for i in range(100)])
    add('larger', '80 images, up to ~100 detections each, one category', gt, dets, arrays='all')
    for s in range(20):
        rng = random.Random(1000 + s)
        opts = dict(n_images=rng.randint(1, 30), n_cats=rng.randint(1, 4), crowd_p=rng.choice([0, 0.05, 0.3]),
                    area_noise_p=rng.choice([0, 0.3]), hit_p=rng.random(), extra_dets=(0, rng.randint(0, 20)),
                    ties=rng.choice([None, [0.25, 0.5, 0.75]]), wrong_cat_p=rng.choice([0, 0.2]),
                    dets_per_gt=(1, rng.randint(1, 4)), gt_per_image=(0, rng.randint(0, 10)))
        gt, dets = random_case(2000 + s, **opts)
        params = {}
        if rng.random() < 0.25:
            params['useCats'] = 0
        if rng.random() < 0.2:
            params['maxDets'] = sorted(rng.sample(range(1, 40), 3))
        add('random-%02d' % s, 'seeded random options %r' % sorted(opts.items()), gt, dets, params)
    return [c for c in cases if c['detections']]


# ---------------------------------------------------------------- pycocotools

def load_pycocotools(path):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        for name in ('matplotlib', 'matplotlib.pyplot', 'matplotlib.collections', 'matplotlib.patches'):
            sys.modules[name] = types.ModuleType(name)
        sys.modules['matplotlib.collections'].PatchCollection = None
        sys.modules['matplotlib.patches'].Polygon = None
    import numpy as np
    if not hasattr(np, 'float'):
        np.float = float
    sys.path.insert(0, os.path.abspath(path))
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    return COCO, COCOeval


def run_pycocotools(COCO, COCOeval, case):
    import numpy as np
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = copy.deepcopy(case['groundTruth'])
        gt.createIndex()
        dt = gt.loadRes(copy.deepcopy(case['detections']))
        E = COCOeval(gt, dt, 'bbox')
        for key, value in case['params'].items():
            setattr(E.params, key, np.array(value, dtype=np.float64) if key in ('iouThrs', 'recThrs') else value)
        E.evaluate()
        E.accumulate()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        E.summarize()
    expected = {'stats': [float(v) for v in E.stats], 'summary': out.getvalue().splitlines()}
    if case['arrays']:
        ev = E.eval
        expected['counts'] = [int(v) for v in ev['counts']]
        for key in ('precision', 'recall', 'scores') if case['arrays'] == 'all' else ('precision', 'recall'):
            expected[key] = [float(v) for v in np.asarray(ev[key]).ravel()]
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--pycocotools', default=os.environ.get('PYCOCOTOOLS'),
                    help='directory containing the built pycocotools package (or env PYCOCOTOOLS)')
    ap.add_argument('--out', default=None,
                    help='where to write the cases (default golden/coco/cases; required without pycocotools, '
                         'so that inputs without expected outputs never replace the golden files)')
    args = ap.parse_args()
    if not args.pycocotools and not args.out:
        ap.error('without --pycocotools only inputs can be written: name a directory with --out')
    out_dir = args.out or OUT
    cases = build_cases()
    runner = load_pycocotools(args.pycocotools) if args.pycocotools else None
    os.makedirs(out_dir, exist_ok=True)
    for case in cases:
        record = {k: case[k] for k in ('name', 'about', 'params', 'groundTruth', 'detections')}
        if runner:
            record['expected'] = run_pycocotools(*runner, case)
        with open(os.path.join(out_dir, case['name'] + '.json'), 'w') as f:
            json.dump(record, f, separators=(',', ':'), allow_nan=False)
            f.write('\n')
    if runner:
        import numpy as np
        from pycocotools.cocoeval import Params
        p = Params(iouType='bbox')
        with open(os.path.join(HERE, 'default-params.json'), 'w') as f:
            json.dump({'iouThrs': [float(v) for v in p.iouThrs], 'recThrs': [float(v) for v in p.recThrs],
                       'maxDets': p.maxDets, 'areaRng': p.areaRng, 'areaRngLbl': p.areaRngLbl,
                       'numpy': np.__version__}, f, indent=1)
            f.write('\n')
    print('wrote %d cases to %s%s' % (len(cases), out_dir, '' if runner else ' (inputs only: no --pycocotools)'))


if __name__ == '__main__':
    main()
