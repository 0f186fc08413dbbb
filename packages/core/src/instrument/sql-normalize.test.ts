import { describe, expect, it } from 'vitest'
import { clearSqlCache, normalizeSql, normalizeSqlText, SQL_CACHE_SIZE, sqlCacheStats } from './sql-normalize.js'

const pg = (s: string, max = 1000) => normalizeSqlText(s, 'pg', max)
const my = (s: string, max = 1000) => normalizeSqlText(s, 'mysql', max)

describe('normalizeSqlText', () => {
  it.each([
    ["SELECT * FROM users WHERE email = 'a@b.c' AND id = 42", 'SELECT * FROM users WHERE email = ? AND id = ?'],
    ["select 'it''s', -3.5e-2, .5, 0x1F", 'select ?, -?'],
    ["SELECT a FROM t WHERE b = 'x' AND c = 2", 'SELECT a FROM t WHERE b = ? AND c = ?'],
    ['SELECT * FROM t WHERE id = $1 AND x = $2', 'SELECT * FROM t WHERE id = $1 AND x = $2'],
    ['SELECT "Weird ""Col""", t1.c2 FROM "T"', 'SELECT "Weird ""Col""", t1.c2 FROM "T"'],
    ["SELECT E'a\\'secret', B'0101', X'ff', N'x'", 'SELECT ?'],
    ["SELECT 'C:\\' AS path, 'secret' AS s", 'SELECT ? AS path, ? AS s'],
    ['SELECT $$secret$$ AS a, $tag$also $$ secret$tag$ AS b', 'SELECT ? AS a, ? AS b'],
    ['SELECT 1 -- secret comment\nFROM t /* another secret */ WHERE a IN (1, 2, 3)', 'SELECT ? FROM t WHERE a IN (?)'],
    ['INSERT INTO t (a, b) VALUES (1, 2), (3, 4), (5, 6)', 'INSERT INTO t (a, b) VALUES (?)'],
    ['  SELECT\n\t a ,b\n FROM  t  ', 'SELECT a, b FROM t'],
  ])('pg: %s', (input, expected) => {
    expect(pg(input).statement).toBe(expected)
  })

  it.each([
    ["SELECT * FROM t WHERE a = 'it\\'s secret' AND b = \"dq secret\"", 'SELECT * FROM t WHERE a = ? AND b = ?'],
    ['SELECT `select`, col FROM `db`.`t` WHERE x = ? # secret', 'SELECT `select`, col FROM `db`.`t` WHERE x = ?'],
    ["INSERT INTO t VALUES (1,'a'),(2,'b')", 'INSERT INTO t VALUES (?)'],
    ["SELECT _utf8mb4'secret'", 'SELECT _utf8mb4?'],
  ])('mysql: %s', (input, expected) => {
    expect(my(input).statement).toBe(expected)
  })

  it('names the operation by the first keyword', () => {
    expect(pg('  select 1').operation).toBe('SELECT')
    expect(pg('(SELECT 1) UNION (SELECT 2)').operation).toBe('SELECT')
    expect(pg('WITH x AS (SELECT 1) SELECT * FROM x').operation).toBe('WITH')
    expect(my('insert into t values (1)').operation).toBe('INSERT')
    expect(pg('').operation).toBe('QUERY')
  })

  it('cuts the statement at maxLength without reading the rest, and never leaks a literal it cut through', () => {
    const long = `SELECT ${Array.from({ length: 500 }, (_, i) => `col${i}`).join(', ')} FROM t WHERE s = 'secret'`
    const n = pg(long, 100)
    expect(n.statement.length).toBe(100)
    expect(long.startsWith(n.statement)).toBe(true)
    const cutInLiteral = pg(`SELECT '${'x'.repeat(200)}secret'`, 16)
    expect(cutInLiteral.statement).toBe('SELECT ?')
  })
})

describe('normalizeSql cache', () => {
  it('normalizes a text once, and evicts the oldest texts beyond its size, counting them', () => {
    clearSqlCache()
    const a = normalizeSql('SELECT 1', 'pg', 1000)
    expect(normalizeSql('SELECT 1', 'pg', 1000)).toBe(a)
    expect(sqlCacheStats().pg).toMatchObject({ hits: 1, misses: 1, evictions: 0, size: 1 })
    for (let i = 0; i < SQL_CACHE_SIZE + 10; i++) normalizeSql(`SELECT * FROM t WHERE id = ${i}`, 'pg', 1000)
    expect(sqlCacheStats().pg.size).toBe(SQL_CACHE_SIZE)
    expect(sqlCacheStats().pg.evictions).toBe(11)
    // a different maximum length is computed again, not served stale
    expect(normalizeSql('SELECT 1', 'pg', 20)?.maxLength).toBe(20)
    clearSqlCache()
  })
})
