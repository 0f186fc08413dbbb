export { telltaleMiddleware } from './middleware.js'
export { setRoute } from './middleware.js'
export type { KoaContextLike } from './middleware.js'
