/**
 * A training process killed (SIGKILL) at an arbitrary tick and restarted from its last checkpoint
 * skips no sample, repeats none, and ends bit-identical to an uninterrupted run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/resumable-training.ts', import.meta.url));
const ROWS = 2400;

function writeCsv(path: string): void {
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < ROWS; i++) {
    const a = Math.sin(i * 0.7), b = Math.cos(i * 1.3), c = ((i * 7919) % 101) / 50 - 1, d = i % 3;
    lines.push(`${a},${b},${c},${d},${a * b + 0.3 * c > 0 ? 1 : 0}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

const args = (dir: string, name: string) => ['--import', 'tsx', script, join(dir, 'data.csv'), join(dir, `${name}.ckpt.json`), join(dir, `${name}.out.json`), '40'];

/** Runs the child until it reports `killAt`, then SIGKILLs it; resolves with the last tick it printed. */
function runAndKill(dir: string, name: string, killAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(dir, name), { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1, buffer = '', stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines) last = Number(l.slice(5));
      if (last >= killAt) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited ${code} before the kill: ${stderr}`))));
  });
}

function runToEnd(dir: string, name: string): { lastTick: number; resumedFrom: number; final: { params: unknown; optimizer: unknown; scheduler: unknown; components: unknown } } {
  const r = spawnSync(process.execPath, args(dir, name), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(readFileSync(join(dir, `${name}.out.json`), 'utf8'));
}

describe('kill and resume', () => {
  it('a process killed mid-stream and resumed from its checkpoint ends bit-identical to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxgrad-resume-'));
    writeCsv(join(dir, 'data.csv'));
    const whole = runToEnd(dir, 'whole');
    expect(whole.lastTick).toBe(ROWS - 1);
    expect(whole.resumedFrom).toBe(0);

    // Killed twice at arbitrary ticks (not multiples of the checkpoint interval), then run to the end.
    const firstKill = await runAndKill(dir, 'killed', 700 + Math.floor(Math.random() * 300));
    const secondKill = await runAndKill(dir, 'killed', firstKill + 400 + Math.floor(Math.random() * 300));
    const resumed = runToEnd(dir, 'killed');
    expect(firstKill).toBeGreaterThan(600);
    expect(secondKill).toBeLessThan(ROWS - 1);
    expect(resumed.lastTick).toBe(ROWS - 1);
    // It resumed from a checkpoint at or before the second kill, and after the first.
    expect(resumed.resumedFrom % 40).toBe(0);
    expect(resumed.resumedFrom).toBeGreaterThan(firstKill - 40);
    expect(resumed.resumedFrom).toBeLessThanOrEqual(secondKill + 1);
    // Parameters (as raw bytes), optimizer, scheduler, scaler and metric state: all identical.
    expect(resumed.final).toEqual(whole.final);
  }, 120_000);
});
