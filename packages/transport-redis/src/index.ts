export { redisTransport } from './redis-transport.js'
export type { RedisTransport } from './redis-transport.js'
export type { RedisTransportOptions } from './options.js'
