import { describe, expect, it } from 'vitest'
import { redisCommand, redisStatement } from './redis-normalize.js'

describe('redis statements', () => {
  it('keep the command name and replace every argument, keys included, by ?', () => {
    const set = redisCommand('set')
    expect(set.operation).toBe('SET')
    expect(redisStatement(set, 2)).toBe('SET ? ?')
    expect(redisStatement(redisCommand('GET'), 1)).toBe('GET ?')
    expect(redisStatement(redisCommand('ping'), 0)).toBe('PING')
    expect(redisStatement(redisCommand('mset'), 40)).toBe('MSET ? ? ? ? ? ? …')
  })

  it('reuse one string per command and argument count', () => {
    expect(redisStatement(redisCommand('hset'), 3)).toBe(redisStatement(redisCommand('hset'), 3))
    expect(redisCommand('hset')).toBe(redisCommand('hset'))
  })

  it('cannot be used to smuggle text through a command name', () => {
    expect(redisCommand('evil name\nwith "stuff" that is far too long to be a command').operation).toBe('EVIL_NAME_WITH__STUFF__THAT_IS_F')
  })
})

describe('redis statements, looked up in turn', () => {
  it('give each command its own entry when names alternate (the last-name shortcut never answers for another name)', () => {
    const names = ['get', 'set', 'get', 'GET', 'incr', 'get', 'set']
    const ops = names.map((n) => redisCommand(n).operation)
    expect(ops).toEqual(['GET', 'SET', 'GET', 'GET', 'INCR', 'GET', 'SET'])
    expect(redisCommand(42).operation).toBe('42')
  })
})
