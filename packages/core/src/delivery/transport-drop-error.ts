/**
 * Thrown by a transport to have a batch dropped without retry (a rejected payload, a rate
 * limit): the core counts the batch under `reason`.
 */
export class TransportDropError extends Error {
  override readonly name = 'TransportDropError'
  constructor(
    readonly reason: string,
    message?: string,
  ) {
    super(message ?? `batch dropped: ${reason}`)
  }
}
