import { randomUUID } from 'node:crypto'

/** PostgreSQL used by tests: DATABASE_URL, else the local server. */
export const databaseUrl = (): string => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** MariaDB/MySQL used by tests: MYSQL_URL, else the local server. */
export const mysqlUrl = (): string => process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** Redis used by tests: REDIS_URL, else the local server. */
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * A name no other test run uses (Redis keys, table names): packages' suites run one
 * after the other against the same servers, and a run may be interrupted before cleanup.
 */
export const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${randomUUID().slice(0, 8)}`
