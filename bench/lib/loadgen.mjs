// One autocannon run, configured on stdin, summary on stdout (run in its own process).
import autocannon from 'autocannon'

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk
const opts = JSON.parse(input)
const result = await autocannon({ ...opts, title: undefined })
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  }),
)
