import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterSubscriptions, nodeToken, subjectFor } from '../../../common/gossip/index.js';
import { nodeName } from './support.js';

describe('gossip subjects', () => {
  it('puts each kind and node under quorumwatch.<cluster>', () => {
    expect(subjectFor('heartbeat', 'prod', 'db-1')).toBe('quorumwatch.prod.heartbeat.db-1');
    expect(subjectFor('leave', 'prod', 'db-1')).toBe('quorumwatch.prod.leave.db-1');
    expect(clusterSubscriptions('prod')).toEqual([
      'quorumwatch.prod.heartbeat.*',
      'quorumwatch.prod.leave.*',
    ]);
  });

  it('escapes every byte but letters, digits and - in node names', () => {
    expect(nodeToken('db-1.eu')).toBe('db-1_2Eeu');
    expect(nodeToken('a_b')).toBe('a_5Fb');
    expect(nodeToken('*>')).toBe('_2A_3E');
    expect(nodeToken('é')).toBe('_C3_A9');
    expect(nodeToken('Web-42')).toBe('Web-42');
  });

  it('gives distinct node names distinct single tokens', () => {
    fc.assert(
      fc.property(nodeName, nodeName, (a, b) => {
        for (const token of [nodeToken(a), nodeToken(b)]) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(nodeToken(a) === nodeToken(b)).toBe(a === b);
      }),
    );
  });

  it('refuses a cluster name that is not one subject token', () => {
    for (const cluster of ['', 'a.b', 'a*', 'a b', 'x'.repeat(65)]) {
      expect(() => subjectFor('heartbeat', cluster, 'n'), cluster).toThrow(RangeError);
      expect(() => clusterSubscriptions(cluster), cluster).toThrow(RangeError);
    }
  });
});
