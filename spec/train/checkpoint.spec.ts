import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { param, randn, tensor, zeros } from '../../src/index.js';
import { type Checkpoint, loadCheckpoint, restore, saveCheckpoint, snapshot } from '../../src/train/checkpoint.js';

function model() {
  return [param(randn([3, 4], { seed: 5 }), { name: 'W' }), param(tensor([0.1, Number.NaN, -0, 1e-310]), { name: 'b' })];
}

describe('checkpoints', () => {
  it('round-trip parameters bit for bit (NaN, -0 and subnormals included), with tick and position', () => {
    const a = model();
    const c = snapshot({ params: a }, { tick: 41, position: 42 });
    const b = [param(zeros([3, 4]), { name: 'W' }), param(zeros([4]), { name: 'b' })];
    const at = restore(JSON.parse(JSON.stringify(c)), { params: b });
    expect(at).toEqual({ tick: 41, position: 42 });
    for (let i = 0; i < a.length; i++) {
      const bytes = (t: { data: Float64Array | Float32Array }) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      expect(bytes(b[i]!.value)).toEqual(bytes(a[i]!.value));
    }
  });

  it('saves atomically: the file is replaced whole and no temporary file is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxgrad-ckpt-'));
    const path = join(dir, 'run.ckpt.json');
    writeFileSync(path, 'old');
    saveCheckpoint(path, snapshot({ params: model() }, { tick: 1, position: 2 }));
    expect(readdirSync(dir)).toEqual(['run.ckpt.json']);
    expect((loadCheckpoint(path) as Checkpoint).position).toBe(2);
  });

  it('refuses mismatched, absurd or malformed checkpoints before allocating or changing anything', () => {
    const good = snapshot({ params: model() }, { tick: 1, position: 2 });
    const target = () => [param(zeros([3, 4]), { name: 'W' }), param(zeros([4]), { name: 'b' })];
    const attempt = (mutate: (c: Checkpoint) => void): string => {
      const c = JSON.parse(JSON.stringify(good)) as Checkpoint;
      mutate(c);
      const params = target();
      try {
        restore(c, { params });
      } catch (e) {
        expect(params.every((p) => p.value.data.every((v) => v === 0))).toBe(true); // untouched
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(attempt((c) => (c.params[0]!.shape = [1e9, 1e9]))).toMatch(/absurd shape \[1000000000,1000000000\]/);
    expect(attempt((c) => (c.params[0]!.shape = [4, 3]))).toMatch(/parameter 0 \(W\) has shape \[4,3\], the parameter has \[3,4\]/);
    expect(attempt((c) => (c.params[1]!.data = c.params[1]!.data.slice(4)))).toMatch(/wrong number of bytes/);
    expect(attempt((c) => c.params.pop())).toMatch(/holds 1 parameters, the model has 2/);
    expect(attempt((c) => ((c as { format: string }).format = 'pickle'))).toMatch(/not an rxgrad checkpoint/);
    expect(attempt((c) => (c.params[0]!.dtype = 'float32'))).toMatch(/is float32, the parameter is float64/);
    expect(attempt((c) => ((c.params[0] as unknown as { shape: unknown }).shape = '__proto__'))).toMatch(/invalid shape/);
    expect(attempt(() => {})).toBe('accepted');
  });
});
