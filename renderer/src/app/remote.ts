/** Engine data as a screen holds it: the value, whether a load is in flight, and the last error. */
import { toErrorShape } from '../../../shared/errors';
import type { AppErrorShape } from '../../../shared/errors';

export interface Remote<T> {
  data: T | null;
  loading: boolean;
  error: AppErrorShape | null;
}

export function idle<T>(): Remote<T> {
  return { data: null, loading: false, error: null };
}

/** A load started: keep showing the previous data while it runs. */
export function loading<T>(prev: Remote<T>): Remote<T> {
  return { data: prev.data, loading: true, error: null };
}

export function ready<T>(data: T): Remote<T> {
  return { data, loading: false, error: null };
}

export function failed<T>(prev: Remote<T>, err: unknown): Remote<T> {
  return { data: prev.data, loading: false, error: toShape(err) };
}

/** Anything a bridge call throws, as the boundary's { code, message, retryable }. */
export function toShape(err: unknown): AppErrorShape {
  return toErrorShape(err);
}
