/** A guard makes an item's effect happen once: `b` a bit (window seq), `f` a hash field, `k` a key. */
export interface Guard {
  kind: 'b' | 'f' | 'k'
  key: string
  arg: string
}

export interface HashOps {
  ttl: number
  ints: Map<string, number>
  /** Sketch bucket counts by bucket index: stored as integer fields `b:<index>`. Number keys keep the hot loop cheap. */
  bins: Map<number, number>
  floats: Map<string, number>
  max: Map<string, number>
  min: Map<string, number>
  set: Map<string, string>
}

export interface ZsetOps {
  ttl: number
  /** Members with a score below this are removed (retention); -Infinity keeps all. */
  trimBelow: number
  /** Keep only the highest-scored N members; 0 keeps all. */
  keepLast: number
  /** Members removed by trimming also delete the key `companionPrefix + member` ('' = none). */
  companionPrefix: string
  members: Map<string, number>
}

export interface StringOps {
  ttl: number
  value: string
}

export interface ListOps {
  ttl: number
  maxLen: number
  values: string[]
}

export interface StreamAdd {
  key: string
  maxLen: number
  fields: string[]
}

/**
 * Everything one batch of stream entries changes, merged: the same hash field touched by
 * 100 windows is one HINCRBY of the sum. A store applies a batch atomically, and only if
 * none of its guards is already set, so a window is counted once however often it arrives.
 */
export class OpBatch {
  readonly guards: Guard[] = []
  readonly hashes = new Map<string, HashOps>()
  readonly zsets = new Map<string, ZsetOps>()
  readonly lists = new Map<string, ListOps>()
  readonly strings = new Map<string, StringOps>()
  readonly streams: StreamAdd[] = []
  readonly acks: string[] = []

  constructor(readonly guardTtl: number) {}

  hash(key: string, ttl: number): HashOps {
    let h = this.hashes.get(key)
    if (h === undefined) {
      h = { ttl, ints: new Map(), bins: new Map(), floats: new Map(), max: new Map(), min: new Map(), set: new Map() }
      this.hashes.set(key, h)
    }
    return h
  }

  zset(key: string, ttl: number, trimBelow = Number.NEGATIVE_INFINITY, keepLast = 0, companionPrefix = ''): ZsetOps {
    let z = this.zsets.get(key)
    if (z === undefined) {
      z = { ttl, trimBelow, keepLast, companionPrefix, members: new Map() }
      this.zsets.set(key, z)
    }
    return z
  }

  list(key: string, ttl: number, maxLen: number): ListOps {
    let l = this.lists.get(key)
    if (l === undefined) {
      l = { ttl, maxLen, values: [] }
      this.lists.set(key, l)
    }
    return l
  }

  get empty(): boolean {
    return this.guards.length === 0 && this.hashes.size === 0 && this.zsets.size === 0 && this.lists.size === 0 && this.strings.size === 0 && this.streams.length === 0 && this.acks.length === 0
  }
}

export function incr(m: Map<string, number>, field: string, n: number): void {
  m.set(field, (m.get(field) ?? 0) + n)
}

export function keepMax(m: Map<string, number>, field: string, n: number): void {
  const cur = m.get(field)
  if (cur === undefined || n > cur) m.set(field, n)
}

export function keepMin(m: Map<string, number>, field: string, n: number): void {
  const cur = m.get(field)
  if (cur === undefined || n < cur) m.set(field, n)
}

/** ZADD GT semantics: a member's score only grows. */
export function zadd(z: ZsetOps, member: string, score: number): void {
  const cur = z.members.get(member)
  if (cur === undefined || score > cur) z.members.set(member, score)
}
