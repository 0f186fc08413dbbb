export { telltaleMiddleware } from './middleware.js'
export { telltaleErrorHandler } from './middleware.js'
