import { Blob } from 'node:buffer'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { instrument } from '@telltale/core'
import pg from 'pg'
import { PRODUCT_COUNT } from './constants.mjs'

/**
 * The shop's PostgreSQL pool, timed by Telltale: `instrument(new pg.Pool())` is all an app
 * needs. With `url` it is a real server (the tables live in their own schema, dropped by
 * `close()`); without, an embedded PGlite (PostgreSQL in WebAssembly) answers on a loopback
 * port, so the app code and what Telltale sees are the same in both cases.
 */
export async function openDatabase({ url, schema }) {
  const embedded = url === null ? await startPglite() : null
  const connectionString = embedded?.url ?? url
  const pool = instrument(new pg.Pool({ connectionString, max: embedded === null ? 10 : 4, options: `-c search_path=${schema}` }))
  // An idle client that errors (server restarted) must not crash the app.
  pool.on('error', () => {})
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  await pool.query(`
    CREATE TABLE IF NOT EXISTS products (id serial PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL);
    CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, product_id integer NOT NULL REFERENCES products (id),
      quantity integer NOT NULL, total_cents integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO products (name, price_cents)
      SELECT 'Product ' || g, 100 + g * 37 FROM generate_series(1, ${PRODUCT_COUNT}) g
      WHERE NOT EXISTS (SELECT 1 FROM products);
  `)
  return {
    pool,
    label: embedded === null ? 'PostgreSQL' : 'PGlite (embedded PostgreSQL, in WebAssembly)',
    async close({ drop }) {
      if (drop) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {})
      await pool.end()
      await embedded?.stop()
    },
  }
}

/**
 * PGlite's first start runs initdb (several seconds); its data directory is kept as a
 * tarball in the temporary directory, which later starts load in a second.
 */
async function startPglite() {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')])
  const { dependencies } = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'))
  const version = dependencies['@electric-sql/pglite'].replace(/[^\w.-]/g, '')
  const dir = join(tmpdir(), 'telltale-demo')
  const cached = join(dir, `pglite-${version}.tar.gz`)
  const image = await readFile(cached).catch(() => null)
  const db = await PGlite.create(image === null ? {} : { loadDataDir: new Blob([image]) })
  if (image === null) {
    const dump = await db.dumpDataDir('gzip')
    // Written aside then renamed: a demo starting meanwhile never reads half a file.
    const partial = `${cached}.${process.pid}`
    await mkdir(dir, { recursive: true })
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()))
      .then(() => rename(partial, cached))
      .catch(() => {})
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 })
  await server.start()
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop()
      await db.close()
    },
  }
}
