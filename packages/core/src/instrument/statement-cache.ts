/** A normalized statement and the operation it starts with. */
export interface Normalized {
  readonly operation: string
  readonly statement: string
  readonly maxLength: number
}

/** Texts longer than this are normalized on every call rather than kept as cache keys. */
const MAX_KEY_LENGTH = 2048

/**
 * Bounded cache of normalized statements: an app runs the same few hundred query texts
 * over and over, so each is scanned once. When full, the oldest entry is evicted (and
 * counted), which bounds memory even when an app builds SQL with literals inline.
 */
export class StatementCache {
  private readonly map = new Map<string, Normalized>()
  evictions = 0
  hits = 0
  misses = 0

  constructor(
    private readonly capacity: number,
    private readonly compute: (text: string, maxLength: number) => Normalized,
  ) {}

  get(text: string, maxLength: number): Normalized {
    const cached = this.map.get(text)
    if (cached !== undefined && cached.maxLength === maxLength) {
      this.hits++
      return cached
    }
    this.misses++
    const computed = this.compute(text, maxLength)
    if (text.length > MAX_KEY_LENGTH) return computed
    if (cached === undefined && this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value as string
      this.map.delete(oldest)
      this.evictions++
    }
    this.map.set(text, computed)
    return computed
  }

  get size(): number {
    return this.map.size
  }

  clear(): void {
    this.map.clear()
    this.evictions = 0
    this.hits = 0
    this.misses = 0
  }
}
