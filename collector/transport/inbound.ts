import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import type { NodeId } from '../raft/index.js';
import { type DecodedMessage, decodeFrame } from './codec.js';
import type { LogThrottle } from './log-throttle.js';
import type { TransportMetrics } from './metrics.js';

/**
 * The flood rule: after this many undecodable frames in a row the connection is closed (1007). One
 * bad frame is dropped and the stream goes on; a peer sending nothing but garbage (a wire-format
 * mismatch, a bug) is cut off so it cannot keep this node decoding junk, and its redial backoff paces it.
 */
export const MAX_MALFORMED_FRAMES_IN_A_ROW = 16;

export interface InboundOptions {
  readonly self: NodeId;
  /** The authenticated dialer. */
  readonly peer: NodeId;
  readonly logger: Logger;
  readonly metrics: TransportMetrics;
  readonly throttle: LogThrottle;
  readonly onMessages: (messages: unknown[], from: NodeId) => void;
}

/**
 * Receives an accepted peer's stream: decodes each frame, drops what that peer may not send (messages
 * claiming another sender or meant for another node), and hands the rest on in order.
 */
export function receiveFrom(socket: WebSocket, options: InboundOptions): void {
  const { self, peer, logger, metrics, throttle, onMessages } = options;
  let malformedInARow = 0;

  const dropMalformed = (error: string) => {
    metrics.dropped('malformed_frame', 1);
    malformedInARow++;
    if (throttle.allow(`malformed:${peer}`)) logger.warn({ peer, error }, 'malformed raft frame dropped');
    if (malformedInARow >= MAX_MALFORMED_FRAMES_IN_A_ROW) socket.close(1007, 'too many malformed frames');
  };

  const accept = (messages: DecodedMessage[]) => {
    // Per frame: a well-addressed frame (the norm) is passed on as is, without a filtered copy.
    const wellAddressed = (message: DecodedMessage) => message.from === peer && message.to === self;
    const accepted = messages.every(wellAddressed) ? messages : messages.filter(wellAddressed);
    if (accepted.length < messages.length) {
      const wrongSender = messages.filter((message) => message.from !== peer).length;
      const wrongRecipient = messages.length - accepted.length - wrongSender;
      if (wrongSender > 0) metrics.dropped('wrong_sender', wrongSender);
      if (wrongRecipient > 0) metrics.dropped('wrong_recipient', wrongRecipient);
      if (throttle.allow(`misaddressed:${peer}`)) {
        logger.warn({ peer, wrongSender, wrongRecipient }, 'misaddressed raft messages dropped');
      }
    }
    if (accepted.length === 0) return;
    metrics.received(accepted.length);
    try {
      onMessages(accepted, peer);
    } catch (error) {
      // The handler's failure must not take the peer's stream down with it.
      if (throttle.allow(`handler:${peer}`)) {
        logger.error({ peer, err: (error as Error).message }, 'raft message handler failed');
      }
    }
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) return dropMalformed('text frame');
    // binaryType is the default 'nodebuffer': every message arrives as one Buffer.
    const decoded = decodeFrame(data as Buffer);
    if (!decoded.ok) return dropMalformed(decoded.error);
    malformedInARow = 0;
    accept(decoded.messages);
  });

  // Protocol errors; ws closes the connection itself right after.
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.dropped('oversized', 1);
    if (throttle.allow(`protocol:${peer}`)) {
      logger.warn({ peer, err: error.message }, 'raft stream from peer failed');
    }
  });
}
