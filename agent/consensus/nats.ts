import { endpoint, fetchJson, okJson, request } from './http.js';
import {
  arrayField,
  countField,
  type JsonObject,
  object,
  objectField,
  optionalCount,
  optionalObjectField,
  optionalString,
  parsing,
  ShapeError,
  stringField,
} from './json-shape.js';
import type { ConsensusReading, Parsed, Probe } from './reading.js';
import { unwrap } from './reading.js';

/** Who the polled server is, from GET /varz: /jsz does not name the server it comes from. */
export interface NatsServer {
  /** New on every start of the server. */
  readonly id: string;
  readonly name: string;
  readonly cluster: string;
}

/**
 * The JetStream meta group (the Raft group of the whole cluster) as this server sees it: only /raftz
 * gives term and indexes, and only the leader knows the others' lag.
 */
export type NatsMetaGroup = Omit<ConsensusReading, 'cluster' | 'member' | 'systemLeaderChanges'>;

export function parseVarz(json: unknown): Parsed<NatsServer> {
  return parsing('nats /varz', () => {
    const doc = object(json, '');
    const cluster = optionalObjectField(doc, 'cluster', '');
    const clusterName = cluster && optionalString(cluster, 'name', 'cluster');
    if (!clusterName) throw new ShapeError('cluster.name is missing: the server is not clustered');
    return {
      id: stringField(doc, 'server_id', ''),
      name: stringField(doc, 'server_name', ''),
      cluster: clusterName,
    };
  });
}

/**
 * GET /jsz (nats-server 2.9): `meta_cluster` carries the leader's name (absent with no leader) and
 * the group's size; its `replicas` (each follower's `lag`, omitted when 0) only on the leader.
 */
export function parseJszMeta(json: unknown): Parsed<NatsMetaGroup> {
  return parsing('nats /jsz', () => {
    const doc = object(json, '');
    if (doc.meta_cluster === undefined) {
      throw new ShapeError('meta_cluster is missing: JetStream is off or not clustered on this server');
    }
    const meta = objectField(doc, 'meta_cluster', '');
    const leader = optionalString(meta, 'leader', 'meta_cluster');
    const replicationLag = new Map<string, number>();
    arrayField(meta, 'replicas', 'meta_cluster').forEach((item, i) => {
      const path = `meta_cluster.replicas[${i}]`;
      const replica = object(item, path);
      // Go's omitempty: a lag of 0 is left out.
      replicationLag.set(stringField(replica, 'name', path), optionalCount(replica, 'lag', path) ?? 0);
    });
    return {
      ...(leader ? { leader } : {}),
      members: countField(meta, 'cluster_size', 'meta_cluster'),
      replicationLag,
    };
  });
}

/** The meta group's entry in GET /raftz?group=_meta_: `{"<system account>": {"_meta_": {...}}}`. */
function raftzMetaGroup(doc: JsonObject): JsonObject {
  for (const [account, groups] of Object.entries(doc)) {
    const meta = object(groups, account)._meta_;
    if (meta !== undefined) return object(meta, `${account}._meta_`);
  }
  throw new ShapeError('no _meta_ group');
}

/**
 * GET /raftz (nats-server 2.10 and later): term, committed and applied index of the meta group.
 * `leader` and the keys of `peers` are 8-character peer ids, `peers` leaves this server out, and
 * only the leader knows each peer's `last_replicated_index` (omitted when 0).
 */
export function parseRaftzMeta(json: unknown, serverName: string): Parsed<NatsMetaGroup> {
  return parsing('nats /raftz', () => {
    const group = raftzMetaGroup(object(json, ''));
    const path = '_meta_';
    const self = stringField(group, 'id', path);
    const committed = countField(group, 'committed', path);
    const peers = group.peers === undefined ? {} : objectField(group, 'peers', path);
    const peerName = (id: string) => {
      const peer = peers[id];
      return peer === undefined
        ? id
        : stringField(object(peer, `${path}.peers.${id}`), 'name', `${path}.peers.${id}`);
    };
    const leaderId = optionalString(group, 'leader', path);
    const leader = !leaderId ? undefined : leaderId === self ? serverName : peerName(leaderId);
    const replicationLag = new Map<string, number>();
    if (group.state === 'LEADER') {
      for (const [id, peer] of Object.entries(peers)) {
        const replicated =
          optionalCount(object(peer, `${path}.peers.${id}`), 'last_replicated_index', path) ?? 0;
        replicationLag.set(peerName(id), Math.max(0, committed - replicated));
      }
    }
    return {
      ...(leader === undefined ? {} : { leader }),
      members: countField(group, 'size', path),
      term: countField(group, 'term', path),
      commitIndex: committed,
      appliedIndex: countField(group, 'applied', path),
      replicationLag,
    };
  });
}

export function natsReading(server: NatsServer, meta: NatsMetaGroup): ConsensusReading {
  return { cluster: server.cluster, member: server.name, ...meta };
}

/**
 * Polls one NATS server's monitoring port: /varz for its name, then /raftz where the server has it
 * and /jsz where it does not. A 404 from /raftz is remembered until the server restarts (its
 * server_id changes), so a 2.9 server costs two requests a poll and an upgrade is still noticed.
 */
export function natsProbe(base: URL): Probe {
  let raftzMissingOn: string | undefined;
  return async (signal) => {
    const server = unwrap(parseVarz(await fetchJson(endpoint(base, '/varz'), { signal })));
    if (raftzMissingOn !== server.id) {
      const raftz = await request(endpoint(base, '/raftz?group=_meta_'), { signal });
      if (raftz.status !== 404)
        return natsReading(server, unwrap(parseRaftzMeta(okJson(raftz), server.name)));
      raftzMissingOn = server.id;
    }
    return natsReading(server, unwrap(parseJszMeta(await fetchJson(endpoint(base, '/jsz'), { signal }))));
  };
}
