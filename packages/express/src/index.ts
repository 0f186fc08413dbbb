export { telltaleMiddleware } from './middleware.js'
export { telltaleErrorHandler } from './middleware.js'
export { setRoute } from './route-tracking.js'
