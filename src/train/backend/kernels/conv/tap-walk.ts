// The loop nest both JS reference kernels of a convolution's backward pass walk (the filter
// gradient and the scattered input gradient): one place for the padding and stride arithmetic.
import type { ConvGeometry } from './geometry.js';

/**
 * Calls `visit` for every output pixel whose dy is not all zero and every kernel tap of it that
 * falls inside the input (taps in the padding are skipped), in NHWC order: `xOff` is the input
 * pixel's first float, `tapOff` = (kh·kW + kw)·inC·outC the tap's first weight, and `dyv` the
 * pixel's outC dy values (float64, reused between calls).
 */
export function forEachTap(g: ConvGeometry, dy: Float32Array, visit: (xOff: number, tapOff: number, dyv: Float64Array) => void): void {
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const dyv = new Float64Array(outC);
  for (let b = 0; b < batch; b++) {
    const xb = b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        let any = false;
        for (let co = 0; co < outC; co++) {
          const v = dy[dyOff + co]!;
          dyv[co] = v;
          if (v !== 0) any = true;
        }
        if (!any) continue;
        for (let kh = 0; kh < kH; kh++) {
          const iy = iy0 + kh;
          if (iy < 0 || iy >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const ix = ix0 + kw;
            if (ix < 0 || ix >= inW) continue;
            visit(xb + (iy * inW + ix) * inC, (kh * kW + kw) * inC * outC, dyv);
          }
        }
      }
    }
  }
}
