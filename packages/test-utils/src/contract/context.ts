import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Telltale } from '@telltale/core'
import type { ContractContext } from './harness.js'

export const SLOW_MS = 50
export const STREAM_STEP_MS = 60
export const HANG_MS = 300

export interface ContractClients {
  query(sql: string): Promise<unknown>
  get(key: string): Promise<unknown>
  key: string
}

class HandledError extends Error {
  override name = 'ValidationError'
}

export function contractContext(telltale: Telltale, clients: ContractClients, keep: (o: object) => void, hangDone: () => void): ContractContext {
  return {
    telltale,
    errors: {
      sync: new Error('sync failure'),
      async: new Error('async failure'),
      passed: new Error('passed failure'),
      handled: new HandledError('handled failure'),
    },
    slow: () => sleep(SLOW_MS),
    db: async () => {
      await clients.query('SELECT 1 AS one')
      await clients.get(clients.key)
    },
    stream: () =>
      Readable.from(
        (async function* body() {
          yield 'a'
          await sleep(STREAM_STEP_MS)
          await sleep(STREAM_STEP_MS)
          yield 'b'
        })(),
      ),
    hang: () => sleep(HANG_MS).then(hangDone),
    keep,
  }
}
