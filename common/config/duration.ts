const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Parses a duration as Prometheus writes them in configs: `500ms`, `4s`, `1m`, `1m30s`.
 * Returns milliseconds; throws with the offending text.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join('') !== trimmed) {
    throw new Error(`invalid duration "${text}" (expected e.g. 500ms, 4s, 1m30s)`);
  }
  let total = 0;
  for (const part of parts) {
    const [, amount = '0', unit = 's'] = DURATION.exec(part) ?? [];
    total += Number(amount) * (UNIT_MS[unit] ?? 1000);
  }
  return total;
}
