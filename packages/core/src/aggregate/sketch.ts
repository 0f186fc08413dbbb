import type { SketchData } from '../types.js'

/** Relative accuracy of every latency quantile Telltale reports. */
export const SKETCH_ALPHA = 0.01
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA)
const LN_GAMMA = Math.log(GAMMA)
const INV_LN_GAMMA = 1 / LN_GAMMA
/** Values at or below 1 ns (in ms) go to the zero bucket: nothing is that fast. */
const MIN_VALUE = 1e-6

/**
 * A DDSketch-style log-bucket histogram with a dense, growable store. Bucket `i` holds
 * values in (gamma^(i-1), gamma^i]; reporting the bucket's midpoint 2·gamma^i/(gamma+1)
 * keeps every quantile within SKETCH_ALPHA of the true value. Two sketches merge by adding
 * bucket counts, so merging windows equals recording both streams into one sketch.
 */
export class LatencySketch {
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY
  zero = 0
  offset = 0
  bins: number[] = []

  add(value: number): void {
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    if (!(value > MIN_VALUE)) {
      this.zero++
      return
    }
    this.addToBin(Math.ceil(Math.log(value) * INV_LN_GAMMA), 1)
  }

  private addToBin(index: number, n: number): void {
    const bins = this.bins
    if (bins.length === 0) {
      this.offset = index
      bins.push(n)
      return
    }
    const pos = index - this.offset
    if (pos >= 0 && pos < bins.length) {
      bins[pos]! += n
    } else if (pos >= bins.length) {
      for (let i = bins.length; i < pos; i++) bins.push(0)
      bins.push(n)
    } else {
      const grown: number[] = new Array(bins.length - pos).fill(0)
      grown[0] = n
      for (let i = 0; i < bins.length; i++) grown[i - pos] = bins[i]!
      this.bins = grown
      this.offset = index
    }
  }

  merge(other: LatencySketch | SketchData): void {
    if (other.count === 0) return
    this.count += other.count
    this.sum += other.sum
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
    this.zero += other.zero
    const bins = other.bins
    for (let i = 0; i < bins.length; i++) {
      const n = bins[i]!
      if (n !== 0) this.addToBin(other.offset + i, n)
    }
  }

  /** The value at rank floor(q·(count−1)) of the recorded values, within SKETCH_ALPHA. */
  quantile(q: number): number {
    if (this.count === 0) return 0
    if (q <= 0) return this.min
    if (q >= 1) return this.max
    const rank = Math.floor(q * (this.count - 1))
    let seen = this.zero
    if (rank < seen) return Math.max(this.min, 0)
    const bins = this.bins
    for (let i = 0; i < bins.length; i++) {
      seen += bins[i]!
      if (seen > rank) {
        const estimate = (2 * Math.exp((this.offset + i) * LN_GAMMA)) / (GAMMA + 1)
        return Math.min(this.max, Math.max(this.min, estimate))
      }
    }
    return this.max
  }

  toJSON(): SketchData {
    return {
      alpha: SKETCH_ALPHA,
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? 0 : this.min,
      max: this.count === 0 ? 0 : this.max,
      zero: this.zero,
      offset: this.offset,
      bins: this.bins.slice(),
    }
  }

  static from(data: SketchData): LatencySketch {
    const sketch = new LatencySketch()
    sketch.merge(data)
    return sketch
  }
}

/** Quantile of a wire sketch, for consumers of records (collector, transports). */
export function sketchQuantile(data: SketchData, q: number): number {
  return LatencySketch.from(data).quantile(q)
}
