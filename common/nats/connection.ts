/** NatsSettings → the official client's ConnectionOptions: reconnect forever, across the servers. */
import { type ConnectionOptions, nkeyAuthenticator } from 'nats';
import { readSettingFile } from '../config/settings.js';
import type { NatsSettings } from './options.js';

/** Short, so a server's loss costs little more than the failover itself. */
const RECONNECT_WAIT_MS = 250;

/** Reads the credential files; an unreadable one is a FatalError naming its flag. */
export async function natsConnectionOptions(
  settings: NatsSettings,
  name: string,
): Promise<ConnectionOptions> {
  const [token, password, seed, ca, cert, key] = await Promise.all([
    readSettingFile('nats.token-file', settings.tokenFile),
    readSettingFile('nats.password-file', settings.passwordFile),
    readSettingFile('nats.nkey-seed-file', settings.nkeySeedFile),
    readSettingFile('nats.tls-ca-file', settings.tlsCaFile),
    readSettingFile('nats.tls-cert-file', settings.tlsCertFile),
    readSettingFile('nats.tls-key-file', settings.tlsKeyFile),
  ]);
  const text = (secret: Buffer | undefined) => secret?.toString('utf8').trim();
  const seedText = text(seed);
  return {
    servers: [...settings.servers],
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    // Servers may be down when the agent starts: keep trying rather than fail.
    waitOnFirstConnect: true,
    // Refused credentials may be fixed on the servers: keep trying (each refusal is logged there),
    // rather than give up for the life of the process.
    ignoreAuthErrorAbort: true,
    token: text(token),
    user: settings.user,
    pass: text(password),
    authenticator: seedText === undefined ? undefined : nkeyAuthenticator(new TextEncoder().encode(seedText)),
    tls:
      ca || cert
        ? { ca: ca?.toString('utf8'), cert: cert?.toString('utf8'), key: key?.toString('utf8') }
        : undefined,
  };
}
