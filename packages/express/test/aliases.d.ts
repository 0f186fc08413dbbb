// Each supported major is installed under an alias; both are typed by @types/express.
declare module 'express-v4' {
  import express from 'express'
  export default express
}
declare module 'express-v5' {
  import express from 'express'
  export default express
}
