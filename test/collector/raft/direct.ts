/**
 * Drives a single RaftNode by hand: the test plays every other node, so it controls exactly which
 * messages arrive and when. For rules too narrow for a simulation to hit reliably.
 */
import {
  type Entry,
  MemoryStorage,
  type Message,
  type NodeId,
  type RaftConfig,
  RaftNode,
  type ReadState,
  SeededRandom,
} from '../../../collector/raft/index.js';

export class DirectNode {
  readonly storage = new MemoryStorage();
  raft: RaftNode;
  readonly applied: Entry[] = [];
  readonly readStates: ReadState[] = [];

  constructor(
    readonly id: NodeId,
    voters: readonly NodeId[],
    private readonly config: Partial<Omit<RaftConfig, 'id' | 'storage' | 'random' | 'initialVoters'>> = {},
  ) {
    this.raft = this.start(voters);
  }

  private start(initialVoters?: readonly NodeId[]): RaftNode {
    return new RaftNode({
      id: this.id,
      storage: this.storage,
      random: new SeededRandom(this.id),
      initialVoters,
      ...this.config,
    });
  }

  /** Discards everything in memory and starts again from storage. */
  restart(): void {
    this.raft = this.start();
    this.applied.length = 0;
  }

  /** Processes every pending Ready as an application would; returns the messages sent. */
  drain(): Message[] {
    const sent: Message[] = [];
    while (this.raft.hasReady()) {
      const ready = this.raft.ready();
      this.storage.save(ready);
      sent.push(...ready.messages);
      this.applied.push(...ready.committedEntries);
      this.readStates.push(...ready.readStates);
      this.raft.advance(ready);
    }
    return sent;
  }

  step(message: Message): Message[] {
    this.raft.step(message);
    return this.drain();
  }

  tick(times = 1): Message[] {
    for (let i = 0; i < times; i++) this.raft.tick();
    return this.drain();
  }

  /** Ticks until the node campaigns and grants it every vote it asks for; returns what it then sent. */
  elect(): Message[] {
    let requests: Message[] = [];
    for (let i = 0; i < 100 && requests.length === 0; i++) {
      requests = this.tick().filter((m) => m.type === 'vote' || m.type === 'preVote');
    }
    let sent: Message[] = requests;
    while (this.raft.status().role !== 'leader') {
      const asks = sent.filter((m) => m.type === 'vote' || m.type === 'preVote');
      if (asks.length === 0) throw new Error(`node ${this.id} stopped campaigning`);
      sent = asks.flatMap((ask) =>
        this.step({
          type: ask.type === 'vote' ? 'voteResponse' : 'preVoteResponse',
          from: ask.to,
          to: this.id,
          term: ask.term,
          reject: false,
        }),
      );
    }
    return sent;
  }
}

/** The messages of one type, typed accordingly. */
export function ofType<T extends Message['type']>(
  messages: readonly Message[],
  type: T,
): Extract<Message, { type: T }>[] {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}
