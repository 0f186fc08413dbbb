import { IncomingMessage } from 'node:http'
import { routeName, type RequestScope } from '@telltale/core'

// Registered symbols: if both the ESM and the CommonJS build are loaded, they share the
// accessors and the state instead of replacing each other's.
const kState = Symbol.for('telltale.express.state')
const kInstalled = Symbol.for('telltale.express.routeTracking')

/**
 * Everything the adapter keeps on a request, in one object: adding properties to Express's
 * request objects one by one costs more than the whole route lookup.
 */
class RouteState {
  baseUrl: string | undefined = undefined
  route: unknown = undefined
  scope: RequestScope | undefined = undefined
  /** Mounts entered so far: [raw baseUrl, its template] pairs, innermost last. */
  mounts: string[] | undefined = undefined
}

interface TrackedRequest extends IncomingMessage {
  [kState]?: RouteState
  params?: Record<string, unknown>
}

/**
 * Express keeps no route template for mounted routers: a layer holds only a compiled
 * matcher. What it does do is assign `req.baseUrl` (the raw prefix, with `req.params` set
 * to that mount's parameters) each time it enters or leaves a mount, and `req.route` when
 * a route matches. Accessors for those two properties let the adapter follow routing as it
 * happens, in Express 4 and 5 alike, without wrapping layers or patching the router.
 *
 * They sit on `http.IncomingMessage.prototype` because Express 4 assigns `req.baseUrl`
 * before it gives the request Express's own prototype; on any request without a Telltale
 * scope they behave exactly like the plain properties they replace.
 */
const accessors: PropertyDescriptorMap = {
  baseUrl: {
    configurable: true,
    get(this: TrackedRequest) {
      return this[kState]?.baseUrl
    },
    set(this: TrackedRequest, value: string) {
      const state = (this[kState] ??= new RouteState())
      state.baseUrl = value
      if (state.scope !== undefined && typeof value === 'string') followMount(state, value, this.params)
    },
  },
  route: {
    configurable: true,
    get(this: TrackedRequest) {
      return this[kState]?.route
    },
    set(this: TrackedRequest, value: { path?: unknown } | undefined) {
      const state = (this[kState] ??= new RouteState())
      state.route = value
      const scope = state.scope
      if (scope === undefined || value == null) return
      const leaf = routeName(value.path)
      if (leaf === undefined) return
      const mounts = state.mounts
      scope.setRoute(mounts === undefined || mounts.length === 0 ? leaf : joinPath(mounts[mounts.length - 1]!, leaf))
    },
  },
}

/** Defines the accessors, once per process: called when the middleware is created. */
export function installRouteTracking(): void {
  const proto = IncomingMessage.prototype as { [kInstalled]?: true }
  if (proto[kInstalled]) return
  Object.defineProperties(proto, accessors)
  Object.defineProperty(proto, kInstalled, { value: true })
}

/**
 * Names the request's route by hand, for what Express routing cannot name (a catch-all
 * that answers 404s, a route a framework on top of Express registers for itself). Called
 * after routing, it wins over the route Express matched. Pass a template, never the raw path.
 */
export function setRoute(req: IncomingMessage, template: string): void {
  ;(req as TrackedRequest)[kState]?.scope?.setRoute(template)
}

/** Starts following `req` through the routers; `scope` receives the route template. */
export function trackRoute(req: IncomingMessage, scope: RequestScope): void {
  const tracked = req as TrackedRequest
  ;(tracked[kState] ??= new RouteState()).scope = scope
}

function followMount(state: RouteState, baseUrl: string, params: Record<string, unknown> | undefined): void {
  const mounts = state.mounts
  if (mounts === undefined) {
    // The first mount entered; most requests never get here (no routers, or only at '/').
    if (baseUrl !== '') state.mounts = [baseUrl, templateOf(baseUrl, params)]
    return
  }
  // Leaving mounts: Express restores the parent's baseUrl.
  while (mounts.length > 0 && !isPrefix(mounts[mounts.length - 2]!, baseUrl)) mounts.length -= 2
  const parentRaw = mounts.length > 0 ? mounts[mounts.length - 2]! : ''
  if (baseUrl.length <= parentRaw.length) return
  const parentTemplate = mounts.length > 0 ? mounts[mounts.length - 1]! : ''
  mounts.push(baseUrl, parentTemplate + templateOf(baseUrl.slice(parentRaw.length), params))
}

function isPrefix(prefix: string, path: string): boolean {
  return path.length >= prefix.length && path.startsWith(prefix)
}

/** `/shops/17` with params `{ shopId: '17' }` → `/shops/:shopId`: each value once, whole segments only. */
function templateOf(raw: string, params: Record<string, unknown> | undefined): string {
  if (params == null) return raw
  const names = Object.keys(params)
  if (names.length === 0) return raw
  const parts = raw.split('/')
  for (let i = 1; i < parts.length; i++) {
    const part = decode(parts[i]!)
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!
      if (name !== '' && params[name] === part) {
        parts[i] = `:${name}`
        names[j] = ''
        break
      }
    }
  }
  return parts.join('/')
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function joinPath(prefix: string, path: string): string {
  if (path === '/') return prefix
  return prefix.endsWith('/') && path.startsWith('/') ? prefix + path.slice(1) : prefix + path
}
