/**
 * The leader's decision: compare what its own failure detector says about each agent with the
 * replicated table, and return the changes to record. Pure: same inputs, same changes.
 *
 * The rules, beyond "record what the detector says":
 * - A message older than the table's entry never overrides it (a member that missed messages
 *   while it followed must not undo what an earlier leader recorded). Within an incarnation, seq
 *   orders messages; across incarnations, the agent's own sentAt does, so collectors' clocks
 *   never matter.
 * - Left is final for an incarnation; dead is left only for a heartbeat newer than the death
 *   (a process resumed after SIGSTOP, a healed partition).
 * - The leader declares a death only for a silence it listened to in full: continuously connected
 *   to NATS since before the last heartbeat, or for the detector's whole dead window since it
 *   (re)connected. Its own loss of NATS, or a fresh start, is never taken for the agents' deaths.
 * - An agent the table has but this leader never heard (it just took over, or just started) is
 *   dead once the leader has listened for the dead window without hearing it.
 * - lastSeen of a live agent is refreshed at most every refreshMs, to bound the log's growth.
 * - Dead and left agents are forgotten forgetAfterMs after they entered that state; only a live
 *   agent is added to the table.
 */
import type { GossipMessage, Observation } from '../../common/gossip/index.js';
import type { NodeChanges, NodeEntry } from './node-table.js';

export interface ReconcileInput {
  /** The replicated table (a NodeTable): its entries sorted by node name. */
  readonly table: { entries(): readonly NodeEntry[] };
  /** At most one per node; fastest sorted by node name, as Membership.peers lists them. */
  readonly observed: readonly Observation[];
  /** The detector's clock (monotonic ms). */
  readonly nowMs: number;
  /** The wall clock (ms since the epoch), for the times recorded. */
  readonly wallMs: number;
  /** Since when (detector's clock) the leader has been continuously connected; undefined while not. */
  readonly listeningSinceMs: number | undefined;
  /** The detector's dead window, in heartbeat intervals (its maxDeadIntervals). */
  readonly deadWindowIntervals: number;
  readonly refreshMs: number;
  readonly forgetAfterMs: number;
}

export interface Detection {
  readonly node: string;
  /** From the last heartbeat to the decision. */
  readonly silenceMs: number;
}

export interface Reconciliation extends NodeChanges {
  /** The deaths this reconciliation declares. */
  readonly detections: readonly Detection[];
}

/** Whether `message` was sent after the one `entry` recorded (equal: the same message). */
function compareToEntry(message: GossipMessage, entry: NodeEntry): number {
  if (message.incarnation === entry.incarnation) return Math.sign(message.seq - entry.seq);
  // Another incarnation: a restart, ordered by the agent's clock; a tie goes to the message.
  return message.sentAt >= entry.sentAt ? 1 : -1;
}

/** Compares without allocating: it runs for every agent at every round. */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  let unmatched = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    unmatched++;
  }
  for (const _ in b) unmatched--;
  return unmatched === 0;
}

export function reconcile(input: ReconcileInput): Reconciliation {
  // Observed agents' changes come first, by node name, then those of agents not heard lately.
  const heard: ObservedChanges = { upsert: [], detections: [] };
  const unheard: Changes = { upsert: [], forget: [], detections: [] };
  // Both lists are sorted by node name, so walking them side by side pairs each observation with
  // its entry: no lookup, no set of the agents seen, at every round over every agent.
  const entries = input.table.entries();
  let next = 0;
  /** Reconciles the entries before `node` (all that are left when undefined), which nobody observed. */
  const unheardUpTo = (node: string | undefined) => {
    for (let entry = entries[next]; entry !== undefined; entry = entries[++next]) {
      if (node !== undefined && entry.node >= node) return;
      reconcileUnheard(entry, input, unheard);
    }
  };
  for (const observation of byNodeName(input.observed)) {
    const { node } = observation.message;
    unheardUpTo(node);
    const entry = entries[next]?.node === node ? entries[next++] : undefined;
    if (!reconcileObserved(observation, entry, input, heard) && entry !== undefined) {
      reconcileUnheard(entry, input, unheard);
    }
  }
  unheardUpTo(undefined);
  return {
    upsert: [...heard.upsert, ...unheard.upsert],
    forget: unheard.forget,
    detections: [...heard.detections, ...unheard.detections],
  };
}

interface Changes {
  readonly upsert: NodeEntry[];
  readonly forget: string[];
  readonly detections: Detection[];
}

/** An observed agent is never forgotten. */
type ObservedChanges = Omit<Changes, 'forget'>;

/** `observed` if it is sorted by node name, else a sorted copy. */
function byNodeName(observed: readonly Observation[]): readonly Observation[] {
  for (let i = 1; i < observed.length; i++) {
    if (!((observed[i - 1] as Observation).message.node < (observed[i] as Observation).message.node)) {
      return [...observed].sort(({ message: a }, { message: b }) =>
        a.node < b.node ? -1 : a.node > b.node ? 1 : 0,
      );
    }
  }
  return observed;
}

/** Whether the leader has listened, uninterrupted, to a silence of an agent starting at `fromMs`. */
function heardWholeSilence(input: ReconcileInput, fromMs: number, intervalMs: number): boolean {
  const { listeningSinceMs, nowMs, deadWindowIntervals } = input;
  return (
    listeningSinceMs !== undefined &&
    (listeningSinceMs <= fromMs || nowMs - listeningSinceMs >= deadWindowIntervals * intervalMs)
  );
}

/**
 * Adds to `changes` what an observed agent's verdict changes in its table entry. Returns whether
 * the agent was heard lately or its entry replaced: then the rules for unheard agents keep away.
 */
function reconcileObserved(
  { status, message }: Observation,
  entry: NodeEntry | undefined,
  input: ReconcileInput,
  changes: ObservedChanges,
): boolean {
  const { nowMs, wallMs, refreshMs } = input;
  let state = status.state;
  if (state === 'dead' && !heardWholeSilence(input, status.lastHeardMs, status.intervalMs)) state = 'suspect';
  // Heard lately: never declared dead or forgotten by the table's rules.
  const live = state === 'alive' || state === 'suspect';
  const order = entry === undefined ? 1 : compareToEntry(message, entry);
  if (order < 0) return live;
  const lastSeen = Math.round(wallMs - (nowMs - status.lastHeardMs));
  // Only a live agent enters the table: one never recorded alive has no death to report, and a
  // forgotten one must not come back.
  if (entry === undefined && !live) return false;
  const sameIncarnation = entry?.incarnation === message.incarnation;
  if (entry !== undefined && sameIncarnation) {
    if (entry.state === 'left') return live;
    // Dead until a newer heartbeat than the one it died after.
    if (entry.state === 'dead' && order === 0) return live;
  }
  const changed =
    entry === undefined ||
    !sameIncarnation ||
    entry.state !== state ||
    entry.address !== message.address ||
    entry.version !== message.version ||
    entry.intervalMs !== message.intervalMs ||
    !sameLabels(entry.labels, message.labels) ||
    (live && lastSeen - entry.lastSeen >= refreshMs);
  if (!changed) return live;
  changes.upsert.push({
    node: message.node,
    cluster: message.cluster,
    incarnation: message.incarnation,
    state,
    address: message.address,
    labels: message.labels,
    version: message.version,
    intervalMs: message.intervalMs,
    seq: message.seq,
    sentAt: message.sentAt,
    lastSeen,
    since: entry !== undefined && sameIncarnation && entry.state === state ? entry.since : wallMs,
  });
  if (state === 'dead' && (entry === undefined || !sameIncarnation || entry.state !== 'dead')) {
    changes.detections.push({ node: message.node, silenceMs: nowMs - status.lastHeardMs });
  }
  return true;
}

/** Adds to `changes` what the table's rules decide for an agent the leader did not hear lately. */
function reconcileUnheard(entry: NodeEntry, input: ReconcileInput, changes: Changes): void {
  const { nowMs, wallMs, listeningSinceMs, deadWindowIntervals, forgetAfterMs } = input;
  if (entry.state === 'dead' || entry.state === 'left') {
    if (wallMs - entry.since >= forgetAfterMs) changes.forget.push(entry.node);
  } else if (
    listeningSinceMs !== undefined &&
    nowMs - listeningSinceMs >= deadWindowIntervals * entry.intervalMs
  ) {
    changes.upsert.push({ ...entry, state: 'dead', since: wallMs });
    changes.detections.push({ node: entry.node, silenceMs: wallMs - entry.lastSeen });
  }
}
