/** Counts by reason; `take()` returns what was counted since the previous take. */
export class DropCounter {
  private readonly total = new Map<string, number>()
  private readonly sinceTake = new Map<string, number>()

  add(reason: string, n = 1): void {
    if (n <= 0) return
    this.total.set(reason, (this.total.get(reason) ?? 0) + n)
    this.sinceTake.set(reason, (this.sinceTake.get(reason) ?? 0) + n)
  }

  totals(): Record<string, number> {
    return Object.fromEntries(this.total)
  }

  /** Puts back counts taken for a record that was itself dropped, so the next one reports them. */
  giveBack(counts: Record<string, number>): void {
    for (const [reason, n] of Object.entries(counts)) this.sinceTake.set(reason, (this.sinceTake.get(reason) ?? 0) + n)
  }

  take(): Record<string, number> {
    const out = Object.fromEntries(this.sinceTake)
    this.sinceTake.clear()
    return out
  }
}
