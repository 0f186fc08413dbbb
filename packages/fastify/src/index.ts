import { telltalePlugin } from './plugin.js'

export { telltalePlugin } from './plugin.js'
export type { TelltalePluginOptions } from './plugin.js'
export default telltalePlugin
