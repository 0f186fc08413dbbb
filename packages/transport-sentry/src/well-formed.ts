type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string }

/**
 * Replaces lone UTF-16 surrogates with U+FFFD. Telltale cuts long messages and statements
 * to a length, which can split a surrogate pair; JSON.stringify then writes `\ud83d`, and
 * Sentry's ingestion (serde_json) rejects the whole envelope for it. Node 20 has the
 * native methods (ES2024); TypeScript's ES2023 lib does not declare them.
 */
export function wellFormed(value: string): string {
  const s = value as WellFormedString
  return s.isWellFormed() ? value : s.toWellFormed()
}
