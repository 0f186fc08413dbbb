/** The two client shapes the transport accepts, reduced to what it needs: send commands as one pipeline. */
export interface CommandSink {
  /** Sends every command in one round trip; rejects if any failed. */
  pipeline(commands: string[][]): Promise<void>
  /** True when a command sent now would be written to the socket. */
  ready(): boolean
  /** Waits until ready or `ms` passed. */
  waitReady(ms: number): Promise<boolean>
}

interface IoredisLike {
  status: string
  pipeline(commands: string[][]): { exec(): Promise<[Error | null, unknown][] | null> }
  once(event: string, fn: () => void): unknown
  off(event: string, fn: () => void): unknown
}

interface NodeRedisLike {
  isReady: boolean
  isOpen: boolean
  sendCommand(args: string[]): Promise<unknown>
}

export function isIoredis(client: unknown): client is IoredisLike {
  const c = client as Partial<IoredisLike> | null
  return typeof c === 'object' && c !== null && typeof c.pipeline === 'function' && typeof c.status === 'string'
}

export function isNodeRedis(client: unknown): client is NodeRedisLike {
  const c = client as Partial<NodeRedisLike> | null
  return typeof c === 'object' && c !== null && typeof c.sendCommand === 'function' && typeof c.isOpen === 'boolean'
}

export function ioredisSink(client: IoredisLike): CommandSink {
  return {
    ready: () => client.status === 'ready',
    waitReady(ms) {
      if (client.status === 'ready') return Promise.resolve(true)
      return new Promise((resolve) => {
        const onReady = () => {
          clearTimeout(timer)
          resolve(true)
        }
        const timer = setTimeout(() => {
          client.off('ready', onReady)
          resolve(false)
        }, ms)
        timer.unref()
        client.once('ready', onReady)
      })
    },
    async pipeline(commands) {
      const results = await client.pipeline(commands).exec()
      if (results === null) throw new Error('pipeline aborted')
      for (const [err] of results) if (err) throw err
    },
  }
}

export function nodeRedisSink(client: NodeRedisLike): CommandSink {
  return {
    ready: () => client.isReady,
    async waitReady(ms) {
      // node-redis keeps its own offline queue; we never wait on it, the core retries instead.
      void ms
      return client.isReady
    },
    async pipeline(commands) {
      // node-redis writes the commands issued in one tick as a single pipeline.
      const results = await Promise.allSettled(commands.map((args) => client.sendCommand(args)))
      for (const r of results) if (r.status === 'rejected') throw r.reason
    },
  }
}
