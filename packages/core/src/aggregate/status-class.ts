import type { StatusClass } from '../types.js'

export const STATUS_CLASSES: readonly StatusClass[] = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx']

/** 0 for a missing or invalid status, else the hundreds digit (1..5). */
export function statusIndex(status: number): number {
  if (!(status >= 100 && status < 600)) return 0
  return (status / 100) | 0
}
