import type { TelltaleRecord } from '../types.js'

/** A record in the shared queue; released when every transport is done with it. */
export interface QueueEntry {
  readonly record: TelltaleRecord
  readonly bytes: number
  /** Transports that have not yet sent or dropped it. */
  pending: number
}
