/**
 * nats-server processes that demand credentials (token, user/password, NKey, TLS client
 * certificates), each started from a generated config file, and the credential material they check:
 * NKey pairs from the nkeys.js the `nats` client ships, certificates from the `openssl` command.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { nkeys } from 'nats';
import { NATS_BIN, type NatsServer, waitHealthy } from './nats.js';
import { freePort, httpGet, startProcess } from './processes.js';

const run = promisify(execFile);

/** A server started from a config file; its log (stderr) is in `proc.output()`. */
export interface ConfiguredNatsServer extends NatsServer {
  readonly configFile: string;
  /** The log lines so far that match `pattern`. */
  logLines(pattern: RegExp): string[];
}

/** JSON string literal, which the nats-server config format accepts for any value. */
export const quoted = (value: string): string => JSON.stringify(value);

/**
 * Writes `<dir>/<name>.conf` (listen and http on free loopback ports, then `body`), starts
 * `nats-server -c` on it and waits for /healthz. `scheme` is the one of the returned url.
 */
export async function startConfiguredNatsServer(
  dir: string,
  name: string,
  body: string,
  scheme: 'nats' | 'tls' = 'nats',
): Promise<ConfiguredNatsServer> {
  const client = await freePort();
  const monitor = await freePort();
  const configFile = path.join(dir, `${name}.conf`);
  await writeFile(configFile, `listen: "127.0.0.1:${client}"\nhttp: "127.0.0.1:${monitor}"\n${body}\n`);
  const proc = startProcess(NATS_BIN, ['-c', configFile]);
  const server: ConfiguredNatsServer = {
    url: `${scheme}://127.0.0.1:${client}`,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    proc,
    configFile,
    logLines: (pattern) =>
      proc
        .output()
        .split('\n')
        .filter((line) => pattern.test(line)),
  };
  await waitHealthy(server);
  return server;
}

/** One client connection as the server's /connz?auth=true lists it (nats-server 2.9). */
export interface AuthConnz {
  readonly name?: string;
  readonly authorized_user?: string;
  readonly tls_version?: string;
  readonly tls_peer_certs?: readonly { readonly subject: string }[];
}

export async function authConnections(server: NatsServer): Promise<AuthConnz[]> {
  const res = await httpGet(`${server.monitorUrl}/connz?auth=true`);
  return (JSON.parse(res.body) as { connections?: AuthConnz[] }).connections ?? [];
}

/** A fresh user NKey pair; the seed is written to `seedFile` as the agent's flag reads it. */
export async function writeUserNkey(seedFile: string): Promise<{ seedFile: string; publicKey: string }> {
  const pair = nkeys.createUser();
  await writeFile(seedFile, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600 });
  return { seedFile, publicKey: pair.getPublicKey() };
}

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** A CA and, signed by it, a server certificate for 127.0.0.1/localhost and a client certificate. */
export interface TlsMaterial {
  readonly ca: string;
  readonly server: CertFiles;
  readonly client: CertFiles;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { timeout: 20_000 });
}

/**
 * A certificate `<dir>/<name>.pem` (key `<name>.key`), CN=name, with the `-addext` extensions given:
 * signed by `ca`, or self-signed without one.
 */
async function makeCert(
  dir: string,
  name: string,
  extensions: readonly string[],
  ca?: CertFiles,
): Promise<CertFiles> {
  const files = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    ...(ca ? ['-CA', ca.cert, '-CAkey', ca.key] : []),
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return files;
}

/** A self-signed CA certificate in `<dir>/<name>.pem`, key in `<dir>/<name>.key`. */
const makeCa = (dir: string, name: string): Promise<CertFiles> =>
  makeCert(dir, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);

/** A leaf certificate `<dir>/<name>.pem` (key `<name>.key`), CN=name, signed by `ca`. */
const makeLeaf = (dir: string, name: string, ca: CertFiles, extensions: readonly string[]) =>
  makeCert(dir, name, ['basicConstraints=critical,CA:FALSE', ...extensions], ca);

/**
 * Generates, in `dir`, a CA named `name` and the server (`<name>-server`, for IP 127.0.0.1 and
 * localhost) and client (`<name>-client`) certificates it signs.
 */
export async function makeTlsMaterial(dir: string, name: string): Promise<TlsMaterial> {
  const ca = await makeCa(dir, name);
  const [server, client] = await Promise.all([
    makeLeaf(dir, `${name}-server`, ca, [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]),
    makeLeaf(dir, `${name}-client`, ca, ['extendedKeyUsage=clientAuth']),
  ]);
  return { ca: ca.cert, server, client };
}

/** The nats-server `tls` block that serves `material.server` and requires a client certificate. */
export function verifyingTlsBlock(material: TlsMaterial): string {
  const { ca, server } = material;
  return `tls { cert_file: ${quoted(server.cert)}, key_file: ${quoted(server.key)}, ca_file: ${quoted(ca)}, verify: true }`;
}
