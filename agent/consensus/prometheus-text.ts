/**
 * The value of an unlabelled sample in Prometheus text exposition (`name value [timestamp]`), or
 * undefined when the text has none: enough to read one counter off a server's /metrics.
 */
export function unlabelledSampleValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `)) continue;
    const value = Number(line.slice(name.length).trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}
