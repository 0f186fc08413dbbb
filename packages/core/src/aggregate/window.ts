import { ErrorTable } from '../errors/error-table.js'
import type { TraceRecord } from '../types.js'
import { EventTable } from './event-table.js'
import { ResourceTable } from './resource-table.js'
import { RouteTable } from './route-table.js'

export interface WindowCaps {
  maxRoutes: number
  maxResources: number
  maxEvents: number
  maxErrorsPerWindow: number
}

/** Everything aggregated during one flush window. */
export class Window {
  readonly routes: RouteTable
  readonly resources: ResourceTable
  readonly events: EventTable
  readonly errors: ErrorTable
  readonly traces: TraceRecord[] = []

  constructor(
    readonly start: number,
    caps: WindowCaps,
  ) {
    this.routes = new RouteTable(caps.maxRoutes)
    this.resources = new ResourceTable(caps.maxResources)
    this.events = new EventTable(caps.maxEvents)
    this.errors = new ErrorTable(caps.maxErrorsPerWindow)
  }
}
