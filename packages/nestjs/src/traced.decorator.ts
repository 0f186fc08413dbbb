import { describeValue } from './describe-value.js'
import { currentInstance } from './telltale.registry.js'

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown

/**
 * Times a method (sync or async) as a span named `name`, by default `ClassName.method`:
 * inside a request the span joins the request's breakdown and trace, outside one it is
 * counted as a background resource. The method keeps its name, `this`, arguments, return
 * value and thrown errors. Order among other decorators does not matter: metadata the
 * others put on the method (`@Get()`, `@UseGuards()`, `@SetMetadata()`) is carried over.
 */
export function Traced(name?: string): MethodDecorator {
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(`@telltale/nestjs: @Traced(name) expects a non-empty string or nothing; received ${describeValue(name)}`)
  }
  return function traced(target, key, descriptor) {
    const original = descriptor.value as unknown
    if (typeof original !== 'function') {
      throw new TypeError(`@telltale/nestjs: @Traced() decorates methods; ${String(key)} is ${describeValue(original)}`)
    }
    const owner = typeof target === 'function' ? target.name : (target as object).constructor.name
    const label = name ?? `${owner}.${String(key)}`
    const method = original as AnyMethod
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const telltale = currentInstance()
      if (telltale === undefined) return method.apply(this, args)
      return telltale.span(label, () => method.apply(this, args))
    }
    Object.defineProperty(wrapped, 'name', { value: method.name, configurable: true })
    Object.defineProperty(wrapped, 'length', { value: method.length, configurable: true })
    copyMetadata(method, wrapped)
    descriptor.value = wrapped as never
    return descriptor
  }
}

/** Nest reads route, guard and custom metadata from the method function itself. */
function copyMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as {
    getOwnMetadataKeys?: (target: object) => unknown[]
    getOwnMetadata?: (key: unknown, target: object) => unknown
    defineMetadata?: (key: unknown, value: unknown, target: object) => void
  }
  if (typeof reflect.getOwnMetadataKeys !== 'function' || reflect.getOwnMetadata === undefined || reflect.defineMetadata === undefined) return
  for (const key of reflect.getOwnMetadataKeys(from)) reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to)
}
