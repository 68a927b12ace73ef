import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args);
  await openssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=qw-test-ca'],
    ...['-keyout', file('ca-key.pem'), '-out', file('ca.pem')],
  );
  // etcd's gateway dials etcd's own gRPC port with the server certificate: it must serve as a client too.
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await openssl(
      ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=qw-test-${who}`],
      ...['-keyout', file(`${who}-key.pem`), '-out', file(`${who}.csr`)],
    );
    await openssl(
      ...['x509', '-req', '-in', file(`${who}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem')],
      ...['-CAcreateserial', '-days', '1', '-extfile', file(`${who}.ext`), '-out', file(`${who}.pem`)],
    );
  }
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server-key.pem'),
    clientCert: file('client.pem'),
    clientKey: file('client-key.pem'),
  };
}
