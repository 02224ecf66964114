// Typed stage parameters: each declared with a type, a default, a range and a
// one-line description. Values from flags, a config file or defaults are
// validated here, before any stage does work; a bad one is a UsageError (exit 2).

import os from 'node:os';
import { UsageError } from './errors.js';
import { didYouMean } from './cli/suggest.js';

interface Base<T> {
  describe: string;
  default: T;
  /** False for knobs that cannot change the result (memory budgets, checkpoint intervals): left out of the fingerprint. */
  fingerprint?: false;
  /**
   * The knob enters the fingerprint only when this holds for the stage's params:
   * a knob of a part that is switched off (a chatbot's generative training when
   * it has none) cannot change the result.
   */
  fingerprintWhen?: (params: Readonly<Record<string, unknown>>) => boolean;
}
export interface IntParam extends Base<number> { type: 'int'; min?: number; max?: number }
export interface FloatParam extends Base<number> { type: 'float'; min?: number; max?: number; exclusiveMin?: boolean }
export interface BoolParam extends Base<boolean> { type: 'bool' }
export interface StringParam extends Base<string> { type: 'string' }
export interface EnumParam<C extends string = string> extends Base<C> { type: 'enum'; choices: readonly C[] }
/** A byte size: `512M`, `2G`, `50%` (of physical memory). Resolved to bytes. */
export interface SizeParam extends Base<string> { type: 'size'; /** Smallest accepted size, in bytes. */ min?: number }
/** A comma-separated list of numbers, e.g. `--split 0.9,0.05,0.05`. */
export interface NumberListParam extends Base<number[]> { type: 'numbers'; min?: number; max?: number }

export type ParamSpec = IntParam | FloatParam | BoolParam | StringParam | EnumParam | SizeParam | NumberListParam;
export type ParamSchema = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends IntParam | FloatParam | SizeParam
  ? number
  : S extends BoolParam
    ? boolean
    : S extends EnumParam<infer C>
      ? C
      : S extends NumberListParam
        ? number[]
        : string;

/** Params as a stage sees them: camelCase keys are NOT used; keys are as declared (kebab-case). */
export type ParamValues<P extends ParamSchema> = { readonly [K in keyof P]: ValueOf<P[K]> };

/** Parse `2G`, `512M`, `100k`, `123` (bytes) or `50%` of physical memory. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT%]?)[bB]?\s*$/.exec(text);
  if (!m) throw new Error(`not a size: "${text}" (use e.g. 512M, 2G or 50%)`);
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  if (unit === '%') return Math.floor((os.totalmem() * n) / 100);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit]!;
  return Math.floor(n * mult);
}

function checkRange(name: string, v: number, spec: { min?: number; max?: number }, where: string): void {
  if (spec.min !== undefined && v < spec.min) throw new UsageError(`${where}: --${name} ${v} is below its minimum ${spec.min}`);
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`${where}: --${name} ${v} is above its maximum ${spec.max}`);
}

/** Validate one raw value (from yargs, JSON or a default) against its spec. */
export function coerceParam(name: string, spec: ParamSpec, raw: unknown, where: string): unknown {
  const bad = (what: string): never => {
    throw new UsageError(`${where}: --${name} ${JSON.stringify(raw)} is not ${what}`);
  };
  switch (spec.type) {
    case 'int': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer');
      checkRange(name, v as number, spec, where);
      return v;
    }
    case 'float': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('a number');
      if (spec.exclusiveMin && spec.min !== undefined && (v as number) <= spec.min)
        throw new UsageError(`${where}: --${name} ${v} must be greater than ${spec.min}`);
      checkRange(name, v as number, spec, where);
      return v;
    }
    case 'bool':
      if (raw === 'true' || raw === true) return true;
      if (raw === 'false' || raw === false) return false;
      return bad('true or false');
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') bad('a string');
      return String(raw);
    case 'enum':
      if (typeof raw !== 'string' || !spec.choices.includes(raw)) bad(`one of ${spec.choices.join(', ')}`);
      return raw;
    case 'size': {
      let v: number;
      if (typeof raw === 'number') v = raw;
      else if (typeof raw !== 'string') return bad('a size such as 512M, 2G or 50%');
      else {
        try {
          v = parseSize(raw);
        } catch {
          return bad('a size such as 512M, 2G or 50%');
        }
      }
      if (spec.min !== undefined && v < spec.min) throw new UsageError(`${where}: --${name} ${JSON.stringify(raw)} is below its minimum of ${spec.min} bytes`);
      return v;
    }
    case 'numbers': {
      const parts = Array.isArray(raw) ? raw : typeof raw === 'number' ? [raw] : String(raw).split(',');
      const nums = parts.map((p) => (typeof p === 'number' ? p : Number(String(p).trim())));
      if (nums.length === 0 || nums.some((x) => !Number.isFinite(x))) bad('a comma-separated list of numbers');
      for (const x of nums) checkRange(name, x, spec, where);
      return nums;
    }
  }
}

/**
 * Resolve a stage's params: defaults, overridden by `given` (kebab-case keys).
 * Unknown keys are an error naming the stage and the known keys.
 */
export function resolveParams<P extends ParamSchema>(schema: P, given: Record<string, unknown>, where: string, extraNames?: readonly string[]): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      const known = Object.keys(schema).map((k) => `--${k}`).join(', ') || '(none)';
      throw new UsageError(`${where}: unknown parameter --${key}${didYouMean(key, [...Object.keys(schema), ...(extraNames ?? [])])}; known: ${known}`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const raw = given[key] !== undefined ? given[key] : spec.default;
    out[key] = coerceParam(key, spec, raw, where);
  }
  return out as ParamValues<P>;
}
