import type { NodeId } from './raft/index.js';

export interface Peer {
  readonly id: NodeId;
  /** Base URL of the member's HTTP port, e.g. http://10.0.0.2:9471. */
  readonly url: string;
}

/**
 * Parses `--peers 1=http://host:9471,2=http://host2:9471,...`: every member including this one,
 * each a positive integer id and an http(s) URL. Throws an Error naming the bad part.
 */
export function parsePeers(text: string): Peer[] {
  const peers: Peer[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const idText = eq < 0 ? '' : part.slice(0, eq);
    const urlText = eq < 0 ? '' : part.slice(eq + 1);
    const id = Number(idText);
    if (!/^\d+$/.test(idText) || !Number.isSafeInteger(id) || id < 1) {
      throw new Error(`"${part}": expected id=url with a positive integer id, e.g. 1=http://10.0.0.1:9471`);
    }
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new Error(`"${part}": "${urlText}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`"${part}": the URL must be http or https`);
    if (peers.some((p) => p.id === id)) throw new Error(`id ${id} is listed twice`);
    peers.push({ id, url: url.origin });
  }
  if (peers.length === 0) throw new Error('no members listed');
  return peers;
}
