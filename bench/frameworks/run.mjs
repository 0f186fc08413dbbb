// npm run bench:frameworks — what each adapter costs its framework: hello-world and a
// route with one pg query and one Redis GET, bare vs Telltale (memory transport). Server
// on core 0, wrk (else autocannon) on core 1, bare and Telltale interleaved round by round; the
// ratio is the median of the per-round throughput ratios. Builds missing dist/ folders.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { interleave, LOADGEN_NAME, loadSideBySide, median, pinServices, printTable, sideBySideRounds, startServer } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION = Number(process.env.DURATION ?? 3)
/** Seconds of uncounted load before each measurement, while V8 compiles the hot code. */
const WARMUP = Number(process.env.WARMUP ?? 1)
if (!(WARMUP >= 1)) throw new Error(`bench:frameworks: WARMUP is seconds, at least 1; received '${process.env.WARMUP}'`)
const FRAMEWORKS = (process.env.FRAMEWORKS ?? 'express,koa,fastify,nestjs-express,nestjs-fastify').split(',')
/** NestJS on each platform: nestjs-server.mjs with PLATFORM, built from these packages. */
const NEST = { 'nestjs-express': 'express', 'nestjs-fastify': 'fastify' }
const ROUTES = (process.env.ROUTES ?? 'hello,db').split(',')
if (ROUTES.some((r) => r !== 'hello' && r !== 'db')) throw new Error(`bench:frameworks: ROUTES lists hello and/or db; received '${ROUTES.join(',')}'`)
/** VARIANTS=bare,als,telltale adds the AsyncLocalStorage floor (see server.mjs) as a column; prom, a prom-client route-metrics plugin (Express and Fastify). */
const VARIANTS = (process.env.VARIANTS ?? 'bare,telltale').split(',')
if (!VARIANTS.includes('bare') || !VARIANTS.includes('telltale') || VARIANTS.some((v) => !['bare', 'als', 'prom', 'telltale'].includes(v))) {
  throw new Error(`bench:frameworks: VARIANTS must list bare and telltale, and may add als and prom; received '${VARIANTS.join(',')}'`)
}
if (VARIANTS.includes('prom') && FRAMEWORKS.some((f) => f !== 'express' && f !== 'fastify')) {
  throw new Error(`bench:frameworks: VARIANTS with prom (a prom-client route-metrics plugin) needs FRAMEWORKS=express and/or fastify; received '${FRAMEWORKS.join(',')}'`)
}

/** The servers import the built packages; a build elsewhere in the repo may have cleaned them. */
function ensureBuilt(framework) {
  for (const pkg of framework in NEST ? ['core', 'express', 'fastify', 'nestjs'] : ['core', framework]) {
    const dir = here(`../../packages/${pkg}/`)
    if (!existsSync(`${dir}dist/index.mjs`)) execFileSync('npx', ['tsdown'], { cwd: dir, stdio: 'ignore' })
  }
}

async function startVariant(framework, variant, attempt = 1) {
  ensureBuilt(framework)
  try {
    return framework in NEST
      ? await startServer({ script: here('./nestjs-server.mjs'), env: { PLATFORM: NEST[framework], VARIANT: variant } })
      : await startServer({ script: here('./server.mjs'), env: { FRAMEWORK: framework, VARIANT: variant } })
  } catch (err) {
    if (attempt >= 3) throw err
    return startVariant(framework, variant, attempt + 1)
  }
}

async function measure(framework, route, variant) {
  const server = await startVariant(framework, variant)
  try {
    return (await loadSideBySide([server], `/${route}`, { warmupSec: WARMUP, durationSec: DURATION }))[0]
  } finally {
    await server.stop()
  }
}

/**
 * PAIRED=1: each round runs every variant at the same time, all servers on core 0 and
 * all load generators on core 1 (sideBySideRounds in ../lib/load.mjs), so whatever else the
 * machine does hits them alike; the servers split core 0, so their throughput ratio is
 * their CPU-cost ratio.
 */
async function measureAll(framework, route) {
  if (process.env.PAIRED !== '1') return interleave(VARIANTS, ROUNDS, (variant) => measure(framework, route, variant))
  return sideBySideRounds(VARIANTS, ROUNDS, (variant) => startVariant(framework, variant), `/${route}`, { warmupSec: WARMUP, durationSec: DURATION })
}

// The /db route's PostgreSQL and Redis go to the load generator's core, off the server's.
const restoreServices = ROUTES.includes('db') ? pinServices(1) : () => {}
process.once('exit', restoreServices)
process.once('SIGINT', () => process.exit(130))

const rows = []
for (const framework of FRAMEWORKS) {
  for (const route of ROUTES) {
    const results = await measureAll(framework, route)
    const ratios = results.telltale.map((t, i) => t.rps / results.bare[i].rps)
    // CPU per request is less disturbed than throughput when other processes share the
    // machine: the server-bound ratio it implies is reported next to the measured one.
    const cpuRatios = results.telltale.map((t, i) => results.bare[i].cpuUsPerReq / t.cpuUsPerReq)
    const m = (variant, field) => median(results[variant].map((x) => x[field]))
    rows.push({
      framework,
      route: route === 'hello' ? 'hello-world' : 'pg + redis',
      'bare req/s': Math.round(m('bare', 'rps')),
      'telltale req/s': Math.round(m('telltale', 'rps')),
      ratio: median(ratios).toFixed(3),
      ...(results.als
        ? {
            'als ratio': median(results.als.map((a, i) => a.rps / results.bare[i].rps)).toFixed(3),
            'telltale/als': median(results.telltale.map((t, i) => t.rps / results.als[i].rps)).toFixed(3),
          }
        : {}),
      ...(results.prom ? { 'prom ratio': median(results.prom.map((p, i) => p.rps / results.bare[i].rps)).toFixed(3) } : {}),
      'CPU ratio': median(cpuRatios).toFixed(3),
      'p99 ms bare/tt': `${m('bare', 'p99')}/${m('telltale', 'p99')}`,
      'CPU µs/req bare/tt': `${m('bare', 'cpuUsPerReq').toFixed(1)}/${m('telltale', 'cpuUsPerReq').toFixed(1)}`,
      'RSS MB bare/tt': `${m('bare', 'rssMb').toFixed(1)}/${m('telltale', 'rssMb').toFixed(1)}`,
      errors: [...results.bare, ...results.telltale].reduce((n, x) => n + x.errors, 0),
    })
    console.error(`${framework} ${route}: ratio ${median(ratios).toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(3)).join(', ')})`)
  }
}
console.log(`\n${ROUNDS} rounds × ${DURATION} s per variant after ${WARMUP} s of warm-up, 50 connections (${LOADGEN_NAME}), ${process.env.PAIRED === '1' ? `${VARIANTS.join(', ')} side by side on one core` : 'variants interleaved'}, ${process.version}`)
console.log('ratio: median of per-round Telltale/bare throughput; CPU ratio: median of per-round bare/Telltale CPU time per request\n')
printTable(rows)
