import { WebSocket } from 'ws';

/** Drops the connection at once (no closing handshake to wait for) and resolves once it is closed. */
export function terminate(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.terminate();
  return closed;
}
