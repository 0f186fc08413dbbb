import { state } from './shared-state.js'
import { type Normalized, StatementCache } from './statement-cache.js'

/**
 * `pg`: '…' strings have no backslash escapes (unless E'…'), "…" quotes identifiers,
 * $tag$…$tag$ quotes strings. `mysql`: backslash escapes in strings, "…" is a string
 * (MySQL's default sql_mode), `…` quotes identifiers, # starts a comment.
 */
export type SqlDialect = 'pg' | 'mysql'

/** Entries per dialect in the normalized-statement cache. */
export const SQL_CACHE_SIZE = 2000

const SPACE = 32
const QUOTE = 39 // '
const DQUOTE = 34 // "
const BACKTICK = 96
const BACKSLASH = 92
const DOLLAR = 36
const DASH = 45
const SLASH = 47
const STAR = 42
const HASH = 35
const DOT = 46

function isSpace(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13)
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}
function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === DOLLAR
}
/** Letters that prefix a string literal: E'…' (escapes), N'…', X'…', B'…'. */
function isLiteralPrefix(word: string): boolean {
  return word.length === 1 && 'eEnNxXbB'.includes(word)
}

/** Index just past a quoted run that starts at `i` (the opening quote). */
function skipQuoted(text: string, i: number, quote: number, backslashEscapes: boolean): number {
  const n = text.length
  let j = i + 1
  while (j < n) {
    const c = text.charCodeAt(j)
    if (backslashEscapes && c === BACKSLASH) {
      j += 2
      continue
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        j += 2
        continue
      }
      return j + 1
    }
    j++
  }
  return n
}

/** A dollar-quote opener ($$ or $tag$) at `i`, or null. */
function dollarTag(text: string, i: number): string | null {
  let j = i + 1
  const n = text.length
  if (j < n && text.charCodeAt(j) === DOLLAR) return '$$'
  if (j >= n || !isWordStart(text.charCodeAt(j))) return null
  while (j < n && (isWordStart(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++
  return j < n && text.charCodeAt(j) === DOLLAR ? text.slice(i, j + 1) : null
}

function skipNumber(text: string, i: number): number {
  const n = text.length
  let j = i
  if (text.charCodeAt(j) === 48 && (text[j + 1] === 'x' || text[j + 1] === 'X')) {
    j += 2
    while (j < n && /[0-9a-fA-F]/.test(text[j]!)) j++
    return j
  }
  while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === DOT)) j++
  if (j < n && (text[j] === 'e' || text[j] === 'E')) {
    let k = j + 1
    if (text[k] === '+' || text[k] === '-') k++
    if (isDigit(text.charCodeAt(k))) {
      j = k
      while (j < n && isDigit(text.charCodeAt(j))) j++
    }
  }
  return j
}

/**
 * Replaces every literal (strings, numbers, dollar-quoted bodies, hex and bit strings) by
 * `?`, drops comments (they can carry anything), collapses whitespace and lists of `?`.
 * Identifiers and placeholders ($1, ?, :name) stay. Scanning stops once the output is
 * `maxLength` long, so a huge statement costs no more than a short one.
 */
export function normalizeSqlText(text: string, dialect: SqlDialect, maxLength: number): Normalized {
  const mysql = dialect === 'mysql'
  const n = text.length
  let out = ''
  let pendingSpace = false
  let i = 0
  const emit = (s: string) => {
    if (pendingSpace && out.length > 0 && out.charCodeAt(out.length - 1) !== 40) out += ' '
    pendingSpace = false
    out += s
  }
  while (i < n && out.length <= maxLength) {
    const c = text.charCodeAt(i)
    if (isSpace(c)) {
      pendingSpace = true
      i++
    } else if ((c === DASH && text.charCodeAt(i + 1) === DASH) || (mysql && c === HASH)) {
      const eol = text.indexOf('\n', i)
      i = eol === -1 ? n : eol + 1
      pendingSpace = true
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const close = text.indexOf('*/', i + 2)
      i = close === -1 ? n : close + 2
      pendingSpace = true
    } else if (c === QUOTE) {
      i = skipQuoted(text, i, QUOTE, mysql)
      emit('?')
    } else if (c === DQUOTE) {
      const end = skipQuoted(text, i, DQUOTE, mysql)
      emit(mysql ? '?' : text.slice(i, end))
      i = end
    } else if (c === BACKTICK) {
      const end = skipQuoted(text, i, BACKTICK, false)
      emit(text.slice(i, end))
      i = end
    } else if (c === DOLLAR && !mysql) {
      if (isDigit(text.charCodeAt(i + 1))) {
        let j = i + 1
        while (j < n && isDigit(text.charCodeAt(j))) j++
        emit(text.slice(i, j))
        i = j
        continue
      }
      const tag = dollarTag(text, i)
      if (tag === null) {
        emit('$')
        i++
        continue
      }
      const close = text.indexOf(tag, i + tag.length)
      i = close === -1 ? n : close + tag.length
      emit('?')
    } else if (isDigit(c) || (c === DOT && isDigit(text.charCodeAt(i + 1)))) {
      i = skipNumber(text, i)
      emit('?')
    } else if (isWordStart(c)) {
      let j = i + 1
      while (j < n && isWordPart(text.charCodeAt(j))) j++
      const word = text.slice(i, j)
      if (text.charCodeAt(j) === QUOTE && isLiteralPrefix(word)) {
        i = skipQuoted(text, j, QUOTE, mysql || word === 'e' || word === 'E')
        emit('?')
        continue
      }
      emit(word)
      i = j
    } else {
      // punctuation: no space before a comma or a closing parenthesis
      if (c === 44 || c === 41) pendingSpace = false
      emit(text[i]!)
      if (c === 44) pendingSpace = true
      i++
    }
  }
  if (out.includes('?')) out = collapseLists(out)
  const statement = out.length > maxLength ? out.slice(0, maxLength) : out
  return { operation: operationOf(statement), statement, maxLength }
}

/** `IN (?, ?, ?)` and `VALUES (?, ?), (?, ?)` vary with the data: one `?` / one tuple stands for them. */
function collapseLists(s: string): string {
  return s.replace(/\?(?:\s?,\s?\?)+/g, '?').replace(/\(\?\)(?:\s?,\s?\(\?\))+/g, '(?)')
}

function operationOf(statement: string): string {
  const m = /^[\s(]*([A-Za-z]+)/.exec(statement)
  return m === null ? 'QUERY' : m[1]!.toUpperCase().slice(0, 20)
}

const caches: Record<SqlDialect, StatementCache> = {
  pg: new StatementCache(SQL_CACHE_SIZE, (text, max) => normalizeSqlText(text, 'pg', max)),
  mysql: new StatementCache(SQL_CACHE_SIZE, (text, max) => normalizeSqlText(text, 'mysql', max)),
}

/**
 * Normalized form of `text`, from the cache when it has been seen; undefined if normalizing
 * failed (a bug of ours), in which case the caller runs the query untimed.
 */
export function normalizeSql(text: string, dialect: SqlDialect, maxLength: number): Normalized | undefined {
  try {
    return caches[dialect].get(text, maxLength)
  } catch {
    state.internalErrors++
    return undefined
  }
}

/** Cache figures (hits, misses, evictions, size) for tests and self-telemetry. */
export function sqlCacheStats(): Record<SqlDialect, { hits: number; misses: number; evictions: number; size: number }> {
  const figures = (c: StatementCache) => ({ hits: c.hits, misses: c.misses, evictions: c.evictions, size: c.size })
  return { pg: figures(caches.pg), mysql: figures(caches.mysql) }
}

/** Empties the caches (tests). */
export function clearSqlCache(): void {
  caches.pg.clear()
  caches.mysql.clear()
}
