// An RGB raster with the few drawing operations the renderers need: pixels, rectangles, lines,
// box outlines and bitmap text. Everything clips to the canvas, so callers need not.
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './font.js';
import type { RasterImage } from './png.js';

export type Rgb = readonly [number, number, number];

export const COLORS = {
  white: [255, 255, 255],
  black: [0, 0, 0],
  gray: [128, 128, 128],
  lightGray: [225, 225, 225],
  red: [230, 30, 30],
  blue: [40, 110, 255],
  darkBlue: [20, 60, 170],
  orange: [240, 140, 20],
  green: [30, 150, 60],
} as const satisfies Record<string, Rgb>;

export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = COLORS.white,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.data[i] = c[0];
        this.data[i + 1] = c[1];
        this.data[i + 2] = c[2];
      }
    }
  }

  /** Outline of the rectangle [x0,x1]x[y0,y1] (inclusive), `thickness` pixels drawn inward. */
  strokeRect(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    for (let t = 0; t < thickness; t++) {
      this.line(x0 + t, y0 + t, x1 - t, y0 + t, c);
      this.line(x0 + t, y1 - t, x1 - t, y1 - t, c);
      this.line(x0 + t, y0 + t, x0 + t, y1 - t, c);
      this.line(x1 - t, y0 + t, x1 - t, y1 - t, c);
    }
  }

  /** A straight line (Bresenham on rounded end points). */
  line(xa: number, ya: number, xb: number, yb: number, c: Rgb, thickness = 1): void {
    let x0 = Math.round(xa);
    let y0 = Math.round(ya);
    const x1 = Math.round(xb);
    const y1 = Math.round(yb);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    const half = Math.floor((thickness - 1) / 2);
    for (;;) {
      if (thickness === 1) this.set(x0, y0, c);
      else this.fillRect(x0 - half, y0 - half, thickness, thickness, c);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** Text with its top-left corner at (x, y); `scale` enlarges each font pixel to a square. */
  text(x: number, y: number, s: string, c: Rgb, scale = 1): void {
    let cx = Math.round(x);
    for (const ch of s) {
      const bits = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (bits[gy * GLYPH_WIDTH + gx]) this.fillRect(cx + gx * scale, y + gy * scale, scale, scale, c);
        }
      }
      cx += (GLYPH_WIDTH + 1) * scale;
    }
  }

  /** Text drawn rotated 90 degrees counter-clockwise (reads bottom to top), for a y-axis title. */
  textVertical(x: number, y: number, s: string, c: Rgb, scale = 1): void {
    // (x, y) is the top-left of the rotated text's bounding box.
    const len = textWidth(s, scale);
    let cy = y + len;
    for (const ch of s) {
      const bits = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (bits[gy * GLYPH_WIDTH + gx]) this.fillRect(x + gy * scale, cy - (gx + 1) * scale, scale, scale, c);
        }
      }
      cy -= (GLYPH_WIDTH + 1) * scale;
    }
  }

  toImage(): RasterImage {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }
}
