/**
 * Whether an Accept or Accept-Encoding header lists `token` with a non-zero quality
 * (`gzip`, `gzip;q=0.5` yes; `gzip;q=0` no).
 */
export function accepts(header: string | undefined, token: string): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [value, ...params] = part.split(';');
    if (value?.trim().toLowerCase() !== token) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
