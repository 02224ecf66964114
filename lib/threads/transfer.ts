// Return several typed arrays from a piscina worker by moving their buffers
// (not structured-clone copying them): wrap the result in piscina's
// Transferable protocol, which lists the buffers and the value to deliver.

import { Piscina } from 'piscina';

export function moveArrays<T extends object>(value: T): T {
  const buffers = new Set<ArrayBuffer>();
  for (const v of Object.values(value)) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  const wrapped = {
    get [Piscina.transferableSymbol]() {
      return [...buffers];
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  };
  return Piscina.move(wrapped as never) as unknown as T;
}
