/** A bad query: the HTTP server answers 400 with its message as JSON. */
export class QueryError extends Error {
  override readonly name = 'QueryError'
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}
