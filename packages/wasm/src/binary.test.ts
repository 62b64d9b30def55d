import { describe, expect, it } from 'vitest';
import { encodeModule, FunctionBuilder, I32, sleb, uleb } from './binary.js';

describe('binary writer', () => {
  it('encodes LEB128', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it('writes a valid module that imports memory and exports a function', async () => {
    const fb = new FunctionBuilder([I32]);
    fb.get(0).i32(40).emit(0x6a); // local.get 0; i32.const 40; i32.add
    const bytes = encodeModule([], [{ name: 'plus40', builder: fb, results: [I32] }]);
    expect([...bytes.slice(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    expect((instance.exports.plus40 as (v: number) => number)(2)).toBe(42);
  });
});
