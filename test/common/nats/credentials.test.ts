/**
 * The NATS credential flags against a real nats-server that demands them: a token, a user and
 * password, an NKey, and TLS with client certificates. For each, a GossipLink given the right
 * files connects and receives what another link publishes, and the same link given wrong or no
 * credentials never connects. Each refusal is waited for in the server's log, never by sleeping;
 * each refused link gets a server of its own, so the log lines counted can only be its own (and a
 * refused link whose client keeps retrying cannot disturb another case). Last, a real agent
 * process connects with TLS and an NKey together and says so on /metrics.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../../../common/gossip/index.js';
import { type GossipLink, startGossipLink } from '../../../common/nats/gossip-link.js';
import type { NatsSettings } from '../../../common/nats/options.js';
import { startAgentProcess } from '../../support/agent.js';
import { parseText, sampleKey } from '../../support/exposition.js';
import { stopNatsServers } from '../../support/nats.js';
import {
  type AuthConnz,
  authConnections,
  type ConfiguredNatsServer,
  makeTlsMaterial,
  quoted,
  startConfiguredNatsServer,
  type TlsMaterial,
  verifyingTlsBlock,
  writeUserNkey,
} from '../../support/nats-auth.js';
import { httpGet, type RunningProcess, tempDir, waitFor } from '../../support/processes.js';

const CLUSTER = 'credtest';
const logger = pino({ level: 'silent' });

/** NatsSettings without the servers, which the test's server provides. */
type Credentials = Omit<NatsSettings, 'servers'>;

/** Every credential file, generated once for the whole file. */
interface Material {
  readonly dir: string;
  readonly token: string;
  readonly tokenFile: string;
  readonly wrongTokenFile: string;
  readonly password: string;
  readonly passwordFile: string;
  readonly wrongPasswordFile: string;
  readonly nkey: { readonly seedFile: string; readonly publicKey: string };
  /** An NKey pair the servers do not know. */
  readonly strangerNkey: { readonly seedFile: string; readonly publicKey: string };
  readonly tls: TlsMaterial;
  /** Another CA and its certificates: trusted by no server. */
  readonly rogue: TlsMaterial;
}

let material: Material;
let removeDir: () => Promise<void> = async () => {};

async function secretFile(dir: string, name: string, secret: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  const temp = await tempDir('nats-credentials');
  removeDir = temp.remove;
  const { dir } = temp;
  const token = 'tok-4f1c9a2e7b';
  const password = 'pw-b83e61d0c5';
  const [tokenFile, wrongTokenFile, passwordFile, wrongPasswordFile, nkey, strangerNkey, tls, rogue] =
    await Promise.all([
      secretFile(dir, 'token', token),
      secretFile(dir, 'wrong-token', 'tok-not-this-one'),
      secretFile(dir, 'password', password),
      secretFile(dir, 'wrong-password', 'pw-not-this-one'),
      writeUserNkey(path.join(dir, 'user.nk')),
      writeUserNkey(path.join(dir, 'stranger.nk')),
      makeTlsMaterial(dir, 'qw-test-ca'),
      makeTlsMaterial(dir, 'rogue-ca'),
    ]);
  material = {
    dir,
    token,
    tokenFile,
    wrongTokenFile,
    password,
    passwordFile,
    wrongPasswordFile,
    nkey,
    strangerNkey,
    tls,
    rogue,
  };
});
afterAll(async () => {
  await removeDir();
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The server's log line of one authentication failure of the client named `clientName`. */
const authFailureOf = (clientName: string) =>
  new RegExp(`:nats\\.js:${escapeRegExp(clientName)}" - authentication error`);

/** How a server configured for one credential scheme refuses one wrong or missing credential. */
interface RefusedCase {
  readonly what: string;
  readonly credentials: (m: Material) => Credentials;
  /** The server's log line of each refusal of this client. */
  readonly refusal: (clientName: string) => RegExp;
  /**
   * Refusals to wait for. Two where the client retries at once: it was refused again, not merely
   * slow. One where the client waits out its connect timeout (20 s) before retrying.
   */
  readonly refusals: number;
}

interface Scheme {
  readonly name: string;
  readonly scheme: 'nats' | 'tls';
  /** The server config after listen and http. */
  readonly serverConfig: (m: Material) => string;
  readonly credentials: (m: Material) => Credentials;
  /** Checks, on /connz?auth=true, that the server let the connection in as whom it should. */
  readonly identity: (m: Material, conn: AuthConnz) => void;
  readonly refused: readonly RefusedCase[];
}

/** The right CA, client certificate and key. */
function tlsFiles(m: Material): Credentials {
  return { tlsCaFile: m.tls.ca, tlsCertFile: m.tls.client.cert, tlsKeyFile: m.tls.client.key };
}

const SCHEMES: readonly Scheme[] = [
  {
    name: 'token',
    scheme: 'nats',
    serverConfig: (m) => `authorization { token: ${quoted(m.token)} }`,
    credentials: (m) => ({ tokenFile: m.tokenFile }),
    // nats-server 2.9 shows the token as the authorized user.
    identity: (m, conn) => expect(conn.authorized_user).toBe(m.token),
    refused: [
      {
        what: 'a wrong token',
        credentials: (m) => ({ tokenFile: m.wrongTokenFile }),
        refusal: authFailureOf,
        refusals: 2,
      },
      { what: 'no token', credentials: () => ({}), refusal: authFailureOf, refusals: 2 },
    ],
  },
  {
    name: 'user and password',
    scheme: 'nats',
    serverConfig: (m) => `authorization { users: [ { user: "gossip", password: ${quoted(m.password)} } ] }`,
    credentials: (m) => ({ user: 'gossip', passwordFile: m.passwordFile }),
    identity: (_m, conn) => expect(conn.authorized_user).toBe('gossip'),
    refused: [
      {
        what: 'a wrong password',
        credentials: (m) => ({ user: 'gossip', passwordFile: m.wrongPasswordFile }),
        refusal: authFailureOf,
        refusals: 2,
      },
      {
        what: 'an unknown user',
        credentials: (m) => ({ user: 'intruder', passwordFile: m.passwordFile }),
        refusal: authFailureOf,
        refusals: 2,
      },
      { what: 'no user', credentials: () => ({}), refusal: authFailureOf, refusals: 2 },
    ],
  },
  {
    name: 'NKey',
    scheme: 'nats',
    serverConfig: (m) => `authorization { users: [ { nkey: ${m.nkey.publicKey} } ] }`,
    credentials: (m) => ({ nkeySeedFile: m.nkey.seedFile }),
    identity: (m, conn) => expect(conn.authorized_user).toBe(m.nkey.publicKey),
    refused: [
      {
        what: 'the seed of an NKey the server does not know',
        credentials: (m) => ({ nkeySeedFile: m.strangerNkey.seedFile }),
        refusal: authFailureOf,
        refusals: 2,
      },
      { what: 'no seed', credentials: () => ({}), refusal: authFailureOf, refusals: 2 },
    ],
  },
  {
    name: 'TLS with a client certificate',
    scheme: 'tls',
    serverConfig: (m) => verifyingTlsBlock(m.tls),
    credentials: (m) => tlsFiles(m),
    identity: (_m, conn) => {
      expect(conn.tls_version).toBeDefined();
      expect(conn.tls_peer_certs?.[0]?.subject).toBe('CN=qw-test-ca-client');
    },
    // A TLS handshake fails before the client names itself: these lines name no client.
    refused: [
      {
        what: 'no client certificate',
        credentials: (m) => ({ tlsCaFile: m.tls.ca }),
        refusal: () => /TLS handshake error: tls: client didn't provide a certificate/,
        refusals: 1,
      },
      {
        what: 'a client certificate of another CA',
        credentials: (m) => ({
          tlsCaFile: m.tls.ca,
          tlsCertFile: m.rogue.client.cert,
          tlsKeyFile: m.rogue.client.key,
        }),
        refusal: () => /TLS handshake error: .*certificate signed by unknown authority/,
        refusals: 1,
      },
      {
        // The client refuses the server's certificate and hangs up.
        what: "a CA file that did not sign the server's certificate",
        credentials: (m) => ({
          tlsCaFile: m.rogue.ca,
          tlsCertFile: m.tls.client.cert,
          tlsKeyFile: m.tls.client.key,
        }),
        refusal: () => /TLS handshake error: EOF/,
        refusals: 2,
      },
      {
        what: 'no TLS files',
        credentials: () => ({}),
        refusal: () => /TLS handshake error: EOF/,
        refusals: 2,
      },
    ],
  },
];

/** A link to `server` that records what it receives and how often it connected. */
async function openLink(server: ConfiguredNatsServer, credentials: Credentials, clientName: string) {
  const received: { subject: string; text: string }[] = [];
  let connections = 0;
  const link: GossipLink = await startGossipLink({
    nats: { servers: [server.url], ...credentials },
    cluster: CLUSTER,
    clientName,
    logger,
    onMessage: (subject, data) => {
      received.push({ subject, text: Buffer.from(data).toString('utf8') });
    },
    onConnected: () => {
      connections++;
    },
  });
  return { link, received, connections: () => connections };
}

const slug = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

for (const scheme of SCHEMES) {
  describe(`NATS credentials: ${scheme.name}`, () => {
    const servers: ConfiguredNatsServer[] = [];
    const links: GossipLink[] = [];
    const startServer = async (name: string) => {
      const server = await startConfiguredNatsServer(
        material.dir,
        name,
        scheme.serverConfig(material),
        scheme.scheme,
      );
      servers.push(server);
      return server;
    };

    afterAll(async () => {
      await Promise.all(links.map((l) => l.close()));
      await stopNatsServers(servers);
    });

    it('a link with the right credentials connects and receives what another publishes', async () => {
      const server = await startServer(slug(scheme.name));
      const credentials = scheme.credentials(material);
      const receiver = await openLink(server, credentials, 'cred-receiver');
      const sender = await openLink(server, credentials, 'cred-sender');
      links.push(receiver.link, sender.link);

      await waitFor('both links to connect', () => receiver.link.connected && sender.link.connected);
      for (const { link, connections } of [receiver, sender]) {
        expect(link.connectedSinceMs).toBeDefined();
        expect(link.connectedSinceMs).toBeLessThanOrEqual(performance.now());
        expect(connections()).toBe(1);
      }
      const conns = await authConnections(server);
      expect(conns.map((c) => c.name).sort()).toEqual(['cred-receiver', 'cred-sender']);
      for (const conn of conns) scheme.identity(material, conn);

      // Once the server has answered a ping, it has the receiver's subscriptions.
      await receiver.link.flush(5000);
      const subject = subjectFor('heartbeat', CLUSTER, 'n1');
      const text = `over ${scheme.name}`;
      expect(sender.link.publish(subject, Buffer.from(text))).toBe(true);
      await sender.link.flush(5000);
      await waitFor('the message at the receiver', () => receiver.received.length > 0);
      expect(receiver.received).toEqual([{ subject, text }]);
    });

    for (const refused of scheme.refused) {
      it(`the link with ${refused.what} never connects`, async () => {
        const clientName = `cred-refused-${slug(refused.what)}`;
        const server = await startServer(`${slug(scheme.name)}-${clientName}`);
        const refusal = refused.refusal(clientName);
        const refuser = await openLink(server, refused.credentials(material), clientName);
        links.push(refuser.link);

        let everConnected = false;
        await waitFor(
          `${refused.refusals} refusal(s) of ${clientName} in the server's log`,
          () => {
            everConnected ||= refuser.link.connected;
            // A connection ends the wait at once: the assertion below then fails.
            return everConnected || server.logLines(refusal).length >= refused.refusals;
          },
          30_000,
          20,
        );
        everConnected ||= refuser.link.connected;
        expect(everConnected, 'the link connected').toBe(false);
        expect(refuser.connections()).toBe(0);
        expect(refuser.link.connectedSinceMs).toBeUndefined();
        expect(refuser.link.publish(subjectFor('heartbeat', CLUSTER, 'n1'), Buffer.from('x'))).toBe(false);
        expect(await authConnections(server)).toEqual([]);
        expect(refuser.received).toEqual([]);
      });
    }
  });
}

describe('NATS credentials: an agent process with TLS and an NKey', () => {
  let server: ConfiguredNatsServer;
  const procs: RunningProcess[] = [];
  let watcher: GossipLink | undefined;

  beforeAll(async () => {
    server = await startConfiguredNatsServer(
      material.dir,
      'agent-tls-nkey',
      `${verifyingTlsBlock(material.tls)}\nauthorization { users: [ { nkey: ${material.nkey.publicKey} } ] }`,
      'tls',
    );
  });
  afterAll(async () => {
    await watcher?.close();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await stopNatsServers(server ? [server] : []);
  });

  const agentArgs = (node: string, seedFile: string) => [
    '--node',
    node,
    '--cluster',
    CLUSTER,
    '--nats',
    server.url,
    '--nats.tls-ca-file',
    material.tls.ca,
    '--nats.tls-cert-file',
    material.tls.client.cert,
    '--nats.tls-key-file',
    material.tls.client.key,
    '--nats.nkey-seed-file',
    seedFile,
  ];

  const natsConnected = async (url: string) => {
    const { body } = await httpGet(`${url}/metrics`);
    return parseText(body)
      .get('quorumwatch_nats_connected')
      ?.samples.get(sampleKey('quorumwatch_nats_connected', {}));
  };

  it('reports quorumwatch_nats_connected 1 with the right files, 0 with an unknown NKey', async () => {
    const heartbeats: string[] = [];
    const watching = await startGossipLink({
      nats: { servers: [server.url], nkeySeedFile: material.nkey.seedFile, ...tlsFiles(material) },
      cluster: CLUSTER,
      clientName: 'cred-watcher',
      logger,
      onMessage: (subject) => heartbeats.push(subject),
    });
    watcher = watching;
    await waitFor('the watching link to connect', () => watching.connected);
    await watching.flush(5000);

    const [good, refused] = await Promise.all([
      startAgentProcess(agentArgs('cred-agent', material.nkey.seedFile)),
      startAgentProcess(agentArgs('cred-stranger', material.strangerNkey.seedFile)),
    ]);
    procs.push(good.proc, refused.proc);

    await waitFor(
      'the agent to report quorumwatch_nats_connected 1',
      async () => (await natsConnected(good.url)) === 1,
    );
    const agentConn = await waitFor('the agent in /connz', async () =>
      (await authConnections(server)).find((c) => c.name === 'quorumwatch-agent cred-agent'),
    );
    expect(agentConn.authorized_user).toBe(material.nkey.publicKey);
    expect(agentConn.tls_peer_certs?.[0]?.subject).toBe('CN=qw-test-ca-client');
    const heartbeat = subjectFor('heartbeat', CLUSTER, 'cred-agent');
    await waitFor('a heartbeat of the agent at the watching link', () => heartbeats.includes(heartbeat));

    // The other agent passed TLS but not the NKey check, twice: it never got in.
    let strangerReported: number | undefined;
    await waitFor("two refusals of the stranger's NKey in the server's log", async () => {
      const reported = await natsConnected(refused.url);
      if (reported !== 0) strangerReported = reported;
      return (
        strangerReported !== undefined ||
        server.logLines(authFailureOf('quorumwatch-agent cred-stranger')).length >= 2
      );
    });
    expect(strangerReported).toBeUndefined();
    expect(await natsConnected(refused.url)).toBe(0);
    expect((await authConnections(server)).map((c) => c.name)).not.toContain(
      'quorumwatch-agent cred-stranger',
    );
    expect(heartbeats).not.toContain(subjectFor('heartbeat', CLUSTER, 'cred-stranger'));
  });
});
