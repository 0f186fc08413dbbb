export { telltaleMiddleware } from './middleware.js'
export { setRoute } from './middleware.js'
export type { KoaAppLike, KoaContextLike } from './middleware.js'
