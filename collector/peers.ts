// Not raft/index.js: `quorumwatch agent` loads this (through the collector's flags) and should not load the core.
import { isNodeId } from './raft/config.js';
import type { NodeId } from './raft/types.js';

export interface Peer {
  readonly id: NodeId;
  /** Base URL of the member's HTTP port, e.g. http://10.0.0.2:9471. */
  readonly url: string;
}

/** A member's base URL as stored and dialled: the origin of an http(s) URL. Throws an Error saying why not. */
export function parseMemberUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('the URL must be http or https');
  return url.origin;
}

/** A member id written in decimal: a positive integer, or undefined. */
export function parseMemberId(text: string): NodeId | undefined {
  const id = Number(text);
  return /^\d+$/.test(text) && isNodeId(id) ? id : undefined;
}

/**
 * Parses `--peers 1=http://host:9471,2=http://host2:9471,...`: members including this one, each a
 * positive integer id and an http(s) URL. Throws an Error naming the bad part.
 */
export function parsePeers(text: string): Peer[] {
  const peers: Peer[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const id = parseMemberId(eq < 0 ? '' : part.slice(0, eq));
    if (id === undefined) {
      throw new Error(`"${part}": expected id=url with a positive integer id, e.g. 1=http://10.0.0.1:9471`);
    }
    let url: string;
    try {
      url = parseMemberUrl(part.slice(eq + 1));
    } catch (err) {
      throw new Error(`"${part}": ${(err as Error).message}`);
    }
    if (peers.some((p) => p.id === id)) throw new Error(`id ${id} is listed twice`);
    peers.push({ id, url });
  }
  if (peers.length === 0) throw new Error('no members listed');
  return peers;
}
