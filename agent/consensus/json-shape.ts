import type { Parsed } from './reading.js';

/**
 * Readers for JSON from other programs. Each throws a ShapeError naming the field at fault; a
 * parser runs them inside `parsing`, which turns any throw into a typed error, so no input makes
 * a parser throw.
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function parsing<T>(what: string, read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    return { ok: false, error: `${what}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function parseJsonText(text: string): Parsed<unknown> {
  return parsing('invalid JSON', () => JSON.parse(text) as unknown);
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${path || 'the document'} is not an object`);
  }
  return value as JsonObject;
}

function describe(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function objectField(obj: JsonObject, key: string, path: string): JsonObject {
  return object(obj[key], describe(path, key));
}

export function optionalObjectField(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  return obj[key] === undefined ? undefined : objectField(obj, key, path);
}

/** An absent array is empty: Go's encoders omit empty slices. */
export function arrayField(obj: JsonObject, key: string, path: string): readonly unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${describe(path, key)} is not an array`);
  return value;
}

export function optionalString(obj: JsonObject, key: string, path: string): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ShapeError(`${describe(path, key)} is not a string`);
  return value;
}

export function stringField(obj: JsonObject, key: string, path: string): string {
  const value = optionalString(obj, key, path);
  if (value === undefined || value === '') throw new ShapeError(`${describe(path, key)} is missing`);
  return value;
}

/** A non-negative integer sent as a JSON number; undefined when absent. */
export function optionalCount(obj: JsonObject, key: string, path: string): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ShapeError(`${describe(path, key)} is not a non-negative integer`);
  }
  return value;
}

export function countField(obj: JsonObject, key: string, path: string): number {
  const value = optionalCount(obj, key, path);
  if (value === undefined) throw new ShapeError(`${describe(path, key)} is missing`);
  return value;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A uint64 the way grpc-gateway prints it: a decimal string, since it may exceed 2^53. Absent counts
 * as 0, because the gateway omits zero values.
 */
export function uint64Field(obj: JsonObject, key: string, path: string): bigint {
  const value = obj[key] ?? '0';
  if (typeof value !== 'string' || !DECIMAL.test(value) || BigInt(value) > UINT64_MAX) {
    throw new ShapeError(`${describe(path, key)} is not a decimal uint64 string`);
  }
  return BigInt(value);
}
