// Each supported major is installed under an alias; both are typed by @types/koa.
declare module 'koa-v2' {
  import Koa from 'koa'
  export default Koa
}
declare module 'koa-v3' {
  import Koa from 'koa'
  export default Koa
}
