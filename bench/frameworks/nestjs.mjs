// npm run bench:frameworks covers Express, Koa and Fastify; this adds NestJS on both platforms,
// measured the same way (see run.mjs): hello-world and pg + redis, bare Nest vs Nest with
// TelltaleModule, server on core 0, autocannon on core 1, interleaved rounds, median ratio.
// node bench/frameworks/nestjs.mjs   (ROUNDS, DURATION, PLATFORMS=express,fastify)
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { interleave, median, printTable, runLoad, startServer } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION = Number(process.env.DURATION ?? 3)
const PLATFORMS = (process.env.PLATFORMS ?? 'express,fastify').split(',')
const ROUTES = ['hello', 'db']

function ensureBuilt() {
  for (const pkg of ['core', 'express', 'fastify', 'nestjs']) {
    const dir = here(`../../packages/${pkg}/`)
    if (!existsSync(`${dir}dist/index.mjs`)) execFileSync('npx', ['tsdown'], { cwd: dir, stdio: 'ignore' })
  }
}

async function measure(platform, route, variant, attempt = 1) {
  ensureBuilt()
  let server
  try {
    server = await startServer({ script: here('./nestjs-server.mjs'), env: { PLATFORM: platform, VARIANT: variant } })
  } catch (err) {
    if (attempt >= 3) throw err
    return measure(platform, route, variant, attempt + 1)
  }
  try {
    const url = `${server.url}/${route}`
    await runLoad({ url, connections: 50, durationSec: 1 })
    const cpu0 = server.cpuMs()
    const load = await runLoad({ url, connections: 50, durationSec: DURATION })
    const cpuMs = server.cpuMs() - cpu0
    return { rps: load.rps, p99: load.p99, cpuUsPerReq: (cpuMs * 1000) / load.requests, rssMb: server.rssMb(), errors: load.errors + load.non2xx }
  } finally {
    await server.stop()
  }
}

const rows = []
for (const platform of PLATFORMS) {
  for (const route of ROUTES) {
    const results = await interleave(['bare', 'telltale'], ROUNDS, (variant) => measure(platform, route, variant))
    const ratios = results.telltale.map((t, i) => t.rps / results.bare[i].rps)
    const m = (variant, field) => median(results[variant].map((x) => x[field]))
    rows.push({
      framework: `nestjs (${platform})`,
      route: route === 'hello' ? 'hello-world' : 'pg + redis',
      'bare req/s': Math.round(m('bare', 'rps')),
      'telltale req/s': Math.round(m('telltale', 'rps')),
      ratio: median(ratios).toFixed(3),
      'p99 ms bare/tt': `${m('bare', 'p99')}/${m('telltale', 'p99')}`,
      'CPU µs/req bare/tt': `${m('bare', 'cpuUsPerReq').toFixed(1)}/${m('telltale', 'cpuUsPerReq').toFixed(1)}`,
      'RSS MB bare/tt': `${m('bare', 'rssMb').toFixed(1)}/${m('telltale', 'rssMb').toFixed(1)}`,
      errors: [...results.bare, ...results.telltale].reduce((n, x) => n + x.errors, 0),
    })
    console.error(`nestjs (${platform}) ${route}: ratio ${median(ratios).toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(3)).join(', ')})`)
  }
}
console.log(`\n${ROUNDS} rounds × ${DURATION} s per variant, 50 connections, ${process.version}\n`)
printTable(rows)
