// The sizes of an upsampling Conv2DTranspose followed by a 'same' Conv2D, in a file of its own:
// the fused pair's forward kernels (forward.ts) and its differentiable ops (ops.ts) both read it,
// and ops.ts runs forward.ts's kernels, so the type cannot live in either.

/** The pair's sizes (see ops.ts for the algebra). */
export interface UpsampleConvShape {
  /** Upsampling factor = the transposed conv's kernel size, per axis. */
  sH: number;
  sW: number;
  /** The conv's (odd) kernel size. */
  kH: number;
  kW: number;
  /** Channels: x, u, y. */
  Ci: number;
  C: number;
  Co: number;
}

/** The R×R window of T per axis. */
export function correlationWindow(d: UpsampleConvShape): [number, number] {
  return [d.sH + d.kH - 1, d.sW + d.kW - 1];
}
