/**
 * Names derived from the keys of a kernel file (a /proc/meminfo field, a /proc/vmstat counter, a
 * sockstat protocol): the same few hundred on every scrape, so metric names, help texts and
 * setting matches are worked out once per key rather than once per scrape. Only what is derived
 * from a key is kept, never a value. Past `limit` keys the memo starts over, so that input with
 * ever-new keys (a fixture tree, a textfile) cannot grow it without bound.
 */
export class KeyMemo<T> {
  readonly #derive: (key: string) => T;
  readonly #limit: number;
  readonly #entries = new Map<string, T>();

  constructor(derive: (key: string) => T, limit = 4096) {
    this.#derive = derive;
    this.#limit = limit;
  }

  get(key: string): T {
    const known = this.#entries.get(key);
    if (known !== undefined) return known;
    const derived = this.#derive(key);
    if (this.#entries.size >= this.#limit) this.#entries.clear();
    this.#entries.set(key, derived);
    return derived;
  }
}

/**
 * A KeyMemo per value of a setting (a RegExp of --collector.<area>.fields, say): areas are handed
 * their settings on every scrape, and tests hand them different ones.
 */
export class SettingMemo<S extends object, T> {
  readonly #derive: (setting: S, key: string) => T;
  readonly #memos = new WeakMap<S, KeyMemo<T>>();

  constructor(derive: (setting: S, key: string) => T) {
    this.#derive = derive;
  }

  for(setting: S): KeyMemo<T> {
    let memo = this.#memos.get(setting);
    if (memo === undefined) {
      memo = new KeyMemo((key) => this.#derive(setting, key));
      this.#memos.set(setting, memo);
    }
    return memo;
  }
}
